// Authentication and authorization of Management routes, from their declared rule (config.auth): the credential
// is read (API key header, bearer token or session cookie), turned into a principal, then checked for the CSRF
// token (cookie requests), read-only keys, the scope and its reach, and the principal's rate limit and quotas.
// Runs before the body is read; a signed request is verified once it is. (The Client API's limits, per address and
// per license key, are the Client API's own: licensing/client/rate-limits.ts.)
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/connection.js';
import { AppError } from '../errors/app-error.js';
import { enforceLimit, type RateLimiter } from '../http/rate-limit.js';
import type { Clock } from '../lib/clock.js';
import type { Sealer } from '../lib/sealing.js';
import { safeEqual } from '../lib/secrets.js';
import { authenticateApiKey, type LastUsedTracker } from './api-keys/service.js';
import { authenticateAccessToken } from './oauth/service.js';
import type { Principal } from './principal.js';
import { readSignatureHeaders, verifySignedRequest } from './request-signing/service.js';
import { hasScope, isScope } from './scopes.js';
import { authenticateSession, sessionCookieName } from './sessions/service.js';
import type { KeyRing } from './signing-keys/service.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface AuthenticationDeps {
  db: Database;
  clock: Clock;
  lastUsed: LastUsedTracker;
  sessionIdleSeconds: number;
  limiter: RateLimiter;
  keyRing: KeyRing;
  sealer: Sealer;
  /** CHARTER_OAUTH_REQUIRED: API keys answer OAUTH_REQUIRED on Management routes. */
  oauthRequired: boolean;
  /** CHARTER_RATE_LIMIT_MANAGEMENT: requests per minute per credential; 0 turns it off (api.md). */
  managementLimit: number;
}

const minute = 60;

/** Seconds from now to the end of the UTC day or month, and the period's name (the quota counter's key). */
const quotaPeriod = (nowMs: number, period: 'daily' | 'monthly') => {
  const now = new Date(nowMs);
  const end =
    period === 'daily'
      ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)
      : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const name = period === 'daily' ? now.toISOString().slice(0, 10) : now.toISOString().slice(0, 7);
  return { name, endMs: end, seconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
};

/** Per-credential rate limit and the key's quotas, on Management routes. */
const limitPrincipal = async (deps: AuthenticationDeps, reply: FastifyReply, principal: Principal) => {
  const perMinute = principal.rateLimit ?? deps.managementLimit;
  if (perMinute > 0) {
    await enforceLimit(deps, reply, {
      bucket: 'management',
      key: principal.id,
      limit: perMinute,
      windowSeconds: minute,
      scope: principal.type,
    });
  }
  for (const period of ['daily', 'monthly'] as const) {
    const limit = principal.quota?.[period];
    if (!limit) continue;
    const { name, seconds, endMs } = quotaPeriod(deps.clock.nowMs(), period);
    await enforceLimit(deps, reply, {
      bucket: `quota-${period}`,
      key: `${principal.id}:${name}`,
      limit,
      windowSeconds: seconds,
      scope: `quota_${period}`,
      quotaEndsAt: endMs,
    });
  }
};

type Credential =
  | { kind: 'api_key'; value: string }
  | { kind: 'bearer_jwt'; value: string }
  | { kind: 'session'; value: string };

const readCredential = (request: FastifyRequest): Credential | undefined => {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
    if (!match?.[1])
      throw new AppError('AUTH_INVALID', 'The Authorization header must be "Bearer <credential>"');
    const token = match[1];
    if (token.startsWith('ck_')) return { kind: 'api_key', value: token };
    if (jwtShape.test(token)) return { kind: 'bearer_jwt', value: token };
    throw new AppError(
      'AUTH_INVALID',
      'The bearer credential is neither an API key (ck_…) nor an access token',
    );
  }
  const apiKey = request.headers['x-api-key'];
  if (apiKey !== undefined) {
    if (typeof apiKey !== 'string') throw new AppError('AUTH_INVALID', 'Send one X-API-Key header');
    return { kind: 'api_key', value: apiKey.trim() };
  }
  const cookie = request.cookies[sessionCookieName];
  if (cookie !== undefined && cookie !== '') return { kind: 'session', value: cookie };
  return undefined;
};

const authenticate = async (deps: AuthenticationDeps, request: FastifyRequest): Promise<Principal> => {
  const credential = readCredential(request);
  if (!credential)
    throw new AppError('AUTH_MISSING', 'This route needs an API key, an access token or a session');
  switch (credential.kind) {
    case 'api_key': {
      const principal = await authenticateApiKey(deps, credential.value);
      deps.lastUsed.touch(principal.id, deps.clock.nowMs());
      return principal;
    }
    case 'bearer_jwt':
      try {
        return await authenticateAccessToken(deps, credential.value);
      } catch (error) {
        // RFC 6750 §3: a refused bearer token is named in WWW-Authenticate.
        if (error instanceof AppError && error.status === 401) {
          throw new AppError(error.code, error.message, error.details, {
            headers: {
              ...error.headers,
              'www-authenticate': 'Bearer realm="charter", error="invalid_token"',
            },
          });
        }
        throw error;
      }
    case 'session':
      return authenticateSession(deps.db, deps.clock, credential.value, deps.sessionIdleSeconds);
  }
};

const checkCsrf = (request: FastifyRequest, principal: Principal): void => {
  if (!principal.session || safeMethods.has(request.method)) return;
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !safeEqual(sent, principal.session.csrfToken)) {
    throw new AppError('CSRF_VALIDATION_FAILED', 'This request needs the X-CSRF-Token of the session');
  }
};

export const registerAuthentication = (app: FastifyInstance, deps: AuthenticationDeps): void => {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config.auth;
    if (!rule || (rule.kind !== 'scope' && rule.kind !== 'session' && rule.kind !== 'credential')) return;
    const principal = await authenticate(deps, request);
    request.principal = principal;
    request.actorId = principal.id;
    checkCsrf(request, principal);
    if (principal.signingSecret) readSignatureHeaders(request.headers);
    if (rule.kind === 'session') {
      if (principal.type !== 'operator')
        throw new AppError('FORBIDDEN', 'This route is for operator sessions only');
    } else if (rule.kind === 'scope') {
      if (deps.oauthRequired && principal.type === 'api_key') {
        throw new AppError(
          'OAUTH_REQUIRED',
          'This deployment accepts OAuth access tokens, not API keys, on Management routes',
        );
      }
      if (principal.readOnly && !safeMethods.has(request.method)) {
        throw new AppError('READ_ONLY_KEY', `API key ${principal.id} is read-only`);
      }
      // A rule's scope is one of the catalog's (requireScope builds it); an unknown one is granted to nobody.
      if (!isScope(rule.scope) || !hasScope(principal.scopes, rule.scope)) {
        throw new AppError('AUTH_INSUFFICIENT', `This route needs the scope ${rule.scope}`, {
          required: rule.scope,
        });
      }
      if (rule.reach === 'server' && principal.productIds !== null) {
        throw new AppError(
          'PRODUCT_NOT_ALLOWED',
          'This route acts on resources of the whole server: a credential restricted to products may not call it',
          { productIds: principal.productIds },
        );
      }
    }
    await limitPrincipal(deps, reply, principal);
  });

  // A signed request is verified once its body is read: the signature covers the body's exact bytes.
  app.addHook('preValidation', async (request) => {
    const principal = request.principal;
    if (!principal?.signingSecret) return;
    await verifySignedRequest(deps, {
      keyId: principal.id,
      secret: principal.signingSecret,
      parts: readSignatureHeaders(request.headers),
      method: request.method,
      pathWithQuery: request.url,
      body: request.rawBody ?? Buffer.alloc(0),
    });
  });
};
