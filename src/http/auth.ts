// Authentication and authorization of every route, from its declared rule (config.auth): the credential is
// read (API key header, bearer token or session cookie), turned into a principal, then checked for the CSRF
// token (cookie requests), read-only keys and the scope. Runs before the body is read.
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiKey, type LastUsedTracker } from '../access/api-keys/service.js';
import type { Principal } from '../access/principal.js';
import { hasScope } from '../access/scopes.js';
import { authenticateSession, sessionCookieName } from '../access/sessions/service.js';
import type { Database } from '../db/connection.js';
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../lib/clock.js';
import { safeEqual } from '../lib/secrets.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface AuthDeps {
  db: Database;
  clock: Clock;
  lastUsed: LastUsedTracker;
  sessionIdleSeconds: number;
}

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

const authenticate = async (deps: AuthDeps, request: FastifyRequest): Promise<Principal> => {
  const credential = readCredential(request);
  if (!credential)
    throw new AppError('AUTH_MISSING', 'This route needs an API key, an access token or a session');
  switch (credential.kind) {
    case 'api_key': {
      const principal = await authenticateApiKey(deps.db.kysely, deps.clock, credential.value);
      deps.lastUsed.touch(principal.id, deps.clock.nowMs());
      return principal;
    }
    case 'bearer_jwt':
      // OAuth access tokens are verified once OAuth clients exist; until then no token can verify.
      throw new AppError('OAUTH_TOKEN_MALFORMED', 'The access token does not verify');
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

export const registerAuth = (app: FastifyInstance, deps: AuthDeps): void => {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const rule = request.routeOptions.config.auth;
    if (!rule || (rule.kind !== 'scope' && rule.kind !== 'session')) return;
    const principal = await authenticate(deps, request);
    request.principal = principal;
    request.actorId = principal.id;
    checkCsrf(request, principal);
    if (rule.kind === 'session') {
      if (principal.type !== 'operator')
        throw new AppError('FORBIDDEN', 'This route is for operator sessions only');
      return;
    }
    if (principal.readOnly && !safeMethods.has(request.method)) {
      throw new AppError('READ_ONLY_KEY', `API key ${principal.id} is read-only`);
    }
    if (!hasScope(principal.scopes, rule.scope)) {
      throw new AppError('AUTH_INSUFFICIENT', `This route needs the scope ${rule.scope}`, {
        required: rule.scope,
      });
    }
  });
};
