// POST /v1/auth/login, POST /v1/auth/logout, GET /v1/auth/session: the dashboard's cookie sessions.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import { AppError } from '../../errors/app-error.js';
import { noContentResponse } from '../../http/openapi.js';
import { publicRoute, sessionRoute } from '../../http/route-rules.js';
import type { Clock } from '../../lib/clock.js';
import { auditContextOf } from '../caller.js';
import { getOperatorOrThrow } from '../operators/operator.js';
import { operatorSchema } from '../operators/schemas.js';
import { roleScopes, scopeSchema } from '../scopes.js';
import { login, logout, type SessionSettings, sessionCookieName } from './service.js';

const sessionViewSchema = z
  .object({
    operator: operatorSchema,
    scopes: z
      .array(scopeSchema)
      .describe(
        "What the operator's role may do (`admin` covers every scope): the dashboard offers only these",
      ),
    csrfToken: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'OperatorSession' });
const loginSchema = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

const cookieOptions = (request: FastifyRequest, maxAgeSeconds: number) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: request.protocol === 'https',
  maxAge: maxAgeSeconds,
});

const clearCookie = (request: FastifyRequest, reply: FastifyReply) =>
  reply.clearCookie(sessionCookieName, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
  });

export const sessionRoutes =
  (deps: { db: Database; clock: Clock; session: SessionSettings }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Sessions'];

    routes.post(
      '/v1/auth/login',
      {
        config: {
          auth: publicRoute,
          errors: ['INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary: 'Sign in: sets the charter_session cookie and answers the CSRF token',
          body: loginSchema,
          response: { 200: sessionViewSchema },
        },
      },
      async (request, reply) => {
        const { token, ...view } = await login(deps, auditContextOf(request), request.body);
        reply.setCookie(sessionCookieName, token, cookieOptions(request, deps.session.maxSeconds));
        return { ...view, scopes: [...roleScopes[view.operator.role]] };
      },
    );

    routes.post(
      '/v1/auth/logout',
      {
        config: { auth: sessionRoute, errors: ['CSRF_VALIDATION_FAILED'] },
        schema: {
          tags,
          summary: 'Sign out: the session is deleted server-side',
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        const session = request.principal?.session;
        if (!session) throw new AppError('AUTH_MISSING', 'Sign-out needs a session');
        await logout(deps.db, deps.clock, auditContextOf(request), session.id);
        clearCookie(request, reply);
        return reply.code(204).send(null);
      },
    );

    routes.get(
      '/v1/auth/session',
      {
        config: { auth: sessionRoute, errors: ['SESSION_EXPIRED'] },
        schema: {
          operationId: 'auth.session',
          tags,
          summary: 'The current session: operator, CSRF token, expiry',
          response: { 200: sessionViewSchema },
        },
      },
      async (request) => {
        const principal = request.principal;
        if (!principal?.session) throw new AppError('AUTH_MISSING', 'This route needs a session');
        const operator = await getOperatorOrThrow(deps.db.kysely, principal.id);
        return {
          operator,
          scopes: [...roleScopes[operator.role]],
          csrfToken: principal.session.csrfToken,
          expiresAt: new Date(principal.session.expiresAt).toISOString(),
        };
      },
    );
  };
