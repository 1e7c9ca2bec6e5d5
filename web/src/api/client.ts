// The dashboard's calls (and the customer portal's: its build has its own copy of this module, so its own CSRF
// token): openapi-fetch over the types generated from the server's own /openapi.json (the same file the SDK's
// Management client uses, `npm run generate:sdk`), so a renamed field fails the build. The session
// cookie rides along (same origin); every unsafe call carries the CSRF token the session answered. A refusal
// comes back as an ApiError holding the whole envelope (code, message, request id, retryable, details).
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];
export type Scope = Schemas['OperatorSession']['scopes'][number];

export class ApiError extends Error {
  readonly envelope: ErrorEnvelope;
  constructor(envelope: ErrorEnvelope) {
    super(envelope.message);
    this.name = 'ApiError';
    this.envelope = envelope;
  }
  get code() {
    return this.envelope.code;
  }
  /** Field errors of a VALIDATION_ERROR, by the field's path (`features.0.code`). */
  fieldErrors(): Record<string, string> {
    const issues = (this.envelope.details?.issues ?? []) as {
      path?: (string | number)[];
      message?: string;
    }[];
    const out: Record<string, string> = {};
    for (const issue of issues) {
      const key = (issue.path ?? []).join('.');
      if (key && issue.message && !(key in out)) out[key] = issue.message;
    }
    return out;
  }
}

/** A failure that is not the API's envelope (network down, a proxy's HTML page): shown the same way. */
const envelopeOf = (status: number, body: unknown, requestId: string | null): ErrorEnvelope => {
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) return body as ErrorEnvelope;
  return {
    code: status >= 500 ? 'INTERNAL_ERROR' : 'NOT_FOUND',
    message: `The server answered ${status} without an error envelope`,
    status,
    retryable: status >= 500,
    requestId: requestId ?? '',
    docs: '',
    timestamp: new Date().toISOString(),
  };
};

let csrfToken: string | undefined;
export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token;
};

/** Codes that mean "sign in again": the app returns to the sign-in page with a message. */
const signedOutCodes = new Set([
  'SESSION_EXPIRED',
  'AUTH_MISSING',
  'AUTH_INVALID',
  'AUTH_EXPIRED',
  'AUTH_REVOKED',
]);
/** Calls made before a session exists (sign-in, an invitation): their 401 is the form's answer, not a sign-out. */
const signInPaths = ['/v1/auth/', '/v1/portal/login', '/v1/portal/invitations/'];
type SignedOutListener = (envelope: ErrorEnvelope) => void;
const signedOutListeners = new Set<SignedOutListener>();
export const onSignedOut = (listener: SignedOutListener) => {
  signedOutListeners.add(listener);
  return () => {
    signedOutListeners.delete(listener);
  };
};

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(request.method))
      request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  async onResponse({ response, request }) {
    if (
      response.status === 401 &&
      !signInPaths.some((path) => new URL(request.url).pathname.startsWith(path))
    ) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as ErrorEnvelope | undefined;
      if (body && signedOutCodes.has(body.code)) for (const listener of signedOutListeners) listener(body);
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/** The data of a call, or its envelope thrown as an ApiError. */
export const unwrap = async <T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> => {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw new ApiError({
      code: 'SERVICE_UNAVAILABLE',
      message: `The server could not be reached: ${(error as Error).message}`,
      status: 0,
      retryable: true,
      requestId: '',
      docs: '',
      timestamp: new Date().toISOString(),
    });
  }
  if (result.error !== undefined || !result.response.ok)
    throw new ApiError(
      envelopeOf(result.response.status, result.error, result.response.headers.get('x-request-id')),
    );
  return result.data as T;
};

/** A page of a list route (api.md "Lists"). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
