// @charter/sdk/management: a typed client of the Management API for a vendor's back end. Paths, parameters,
// bodies and answers are typed from the server's own OpenAPI document (management-api.ts, generated), and calls
// go through openapi-fetch. Refusals throw the same CharterError as the Client API's client, and retryable ones
// (429, 503, a lost connection…) are retried with backoff and full jitter, at least as long as Retry-After says.
// A POST, PATCH, PUT or DELETE carries an Idempotency-Key (one per call, the same on each of its attempts), so a
// retried write is done once.
//
//   const charter = createManagementClient({ baseUrl, apiKey: process.env.CHARTER_API_KEY });
//   const { data: license } = await charter.POST('/v1/licenses', { body: { policyId: 'pol_…' } });
//   const { data: page } = await charter.GET('/v1/licenses', { params: { query: { status: 'active' } } });
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { CharterError, errorFromAnswer, type RetryOptions } from './client.js';
import type { components, operations, paths } from './management-api.js';
import { backoffMs, retryAfterMs } from './retry.js';

export type ManagementPaths = paths;
export type ManagementOperations = operations;
/** The API's named schemas: `Schemas['License']`, `Schemas['Machine']`, `Schemas['ErrorEnvelope']`… */
export type Schemas = components['schemas'];
export type ManagementClient = Client<paths>;

export interface ManagementClientOptions {
  /** The server, e.g. https://licenses.example.com */
  baseUrl: string;
  /** An API key (`ck_…`) or an OAuth access token, sent as the bearer credential. */
  apiKey?: string;
  accessToken?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** For tests: how to wait, the randomness of the jitter, and the idempotency keys. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  idempotencyKey?: () => string;
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const readJson = async (response: Response): Promise<unknown> => {
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
};

export const createManagementClient = (options: ManagementClientOptions): ManagementClient => {
  const credential = options.apiKey ?? options.accessToken;
  if (!credential) throw new TypeError('createManagementClient needs an apiKey or an accessToken');
  const fetcher = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const newKey = options.idempotencyKey ?? (() => globalThis.crypto.randomUUID());
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 4);
  const limits = {
    baseDelayMs: options.retry?.baseDelayMs ?? 200,
    maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
  };

  // The attempts of one call: each sends a copy of the same request (the same Idempotency-Key).
  const retrying = async (request: Request): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetcher(request.clone());
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        const error = new CharterError(
          'NETWORK_ERROR',
          `No answer from the server: ${message}`,
          0,
          null,
          true,
        );
        if (attempt >= maxAttempts) throw error;
        await sleep(backoffMs(attempt, limits, random, undefined));
        continue;
      }
      if (response.ok || attempt >= maxAttempts) return response;
      const error = errorFromAnswer(response, await readJson(response));
      if (!error.retryable) return response;
      await sleep(backoffMs(attempt, limits, random, retryAfterMs(response.headers.get('retry-after'))));
    }
  };

  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: retrying });
  const charter: Middleware = {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${credential}`);
      if (unsafe.has(request.method) && !request.headers.has('idempotency-key'))
        request.headers.set('idempotency-key', newKey());
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) throw errorFromAnswer(response, await readJson(response));
      return response;
    },
  };
  client.use(charter);
  return client;
};
