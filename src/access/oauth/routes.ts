// /v1/oauth-clients (create, list, read, revoke) and POST /v1/oauth/token (client credentials grant).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors/app-error.js';
import { catalog } from '../../errors/catalog.js';
import { sendError, toAppError } from '../../http/error-handler.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import { publicRoute } from '../../http/route-rules.js';
import { auditContextOf } from '../caller.js';
import { requireScope } from '../scopes.js';
import {
  createdOauthClientSchema,
  createOauthClientSchema,
  oauthClientIdParams,
  oauthClientListQuery,
  oauthClientSchema,
  tokenRequestSchema,
  tokenResponseSchema,
} from './schemas.js';
import {
  createOauthClient,
  getOauthClientOrThrow,
  issueAccessToken,
  type OauthDeps,
  oauthClientPage,
  revokeOauthClientById,
} from './service.js';

/** RFC 6749 error names for the catalog codes this route answers. */
const rfcError = (code: string): string => {
  switch (code) {
    case 'INVALID_CLIENT_CREDENTIALS':
      return 'invalid_client';
    case 'AUTH_INSUFFICIENT':
      return 'invalid_scope';
    case 'INTERNAL_ERROR':
    case 'DATABASE_ERROR':
      return 'server_error';
    case 'SERVICE_UNAVAILABLE':
    case 'RATE_LIMIT_EXCEEDED':
      return 'temporarily_unavailable';
    default:
      return 'invalid_request';
  }
};

const decodeBasic = (header: string): { clientId: string; clientSecret: string } => {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1];
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new AppError(
      'INVALID_CLIENT_CREDENTIALS',
      'HTTP Basic client authentication is malformed',
      undefined,
      {
        headers: { 'www-authenticate': 'Basic realm="charter"' },
      },
    );
  }
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new AppError('INVALID_CLIENT_CREDENTIALS', 'HTTP Basic client authentication is malformed');
  }
};

const tokenErrorHandler =
  (clock: OauthDeps['clock'], bodyLimit: number) =>
  (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { appError, unexpected } = toAppError(error, bodyLimit, request);
    if (unexpected) request.log.error({ err: error }, 'token request failed unexpectedly');
    const withRfcFields =
      appError.extra !== undefined
        ? appError
        : new AppError(appError.code, appError.message, appError.details, {
            headers: appError.headers,
            extra: { error: rfcError(appError.code), error_description: appError.message },
          });
    return sendError(reply, withRfcFields, clock);
  };

export const oauthRoutes =
  (deps: OauthDeps & { bodyLimit: number }) =>
  async (app: FastifyInstance): Promise<void> => {
    // RFC 6749 sends token requests as forms; this parser exists in this plugin only.
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['OAuth'];

    routes.post(
      '/v1/oauth/token',
      {
        config: {
          auth: publicRoute,
          errors: ['VALIDATION_ERROR', 'INVALID_CLIENT_CREDENTIALS', 'AUTH_INSUFFICIENT'],
          errorSchema: 'OAuthError',
          errorExtra: (code) => ({ error: rfcError(code), error_description: catalog[code].description }),
        },
        errorHandler: tokenErrorHandler(deps.clock, deps.bodyLimit),
        schema: {
          tags,
          summary: 'Client credentials grant: an access token (RFC 9068 JWT) for a client id and secret',
          description:
            'Form (`application/x-www-form-urlencoded`, as RFC 6749 requires) or JSON. Client authentication by HTTP Basic or by `client_id` and `client_secret` in the body.',
          body: tokenRequestSchema,
          response: { 200: tokenResponseSchema },
        },
      },
      async (request, reply) => {
        const body = request.body;
        if (body.grant_type !== 'client_credentials') {
          throw new AppError(
            'VALIDATION_ERROR',
            `grant_type ${body.grant_type} is not supported; use client_credentials`,
            {
              issues: [
                { path: ['grant_type'], message: 'must be client_credentials', code: 'invalid_value' },
              ],
            },
            {
              extra: {
                error: 'unsupported_grant_type',
                error_description: 'Only client_credentials is supported',
              },
            },
          );
        }
        const authorization = request.headers.authorization;
        const fromHeader = authorization ? decodeBasic(authorization) : undefined;
        if (fromHeader && (body.client_id !== undefined || body.client_secret !== undefined)) {
          throw new AppError(
            'VALIDATION_ERROR',
            'Authenticate the client one way: HTTP Basic or body fields, not both',
            {
              issues: [{ path: ['client_secret'], message: 'also sent as HTTP Basic', code: 'custom' }],
            },
          );
        }
        const clientId = fromHeader?.clientId ?? body.client_id;
        const clientSecret = fromHeader?.clientSecret ?? body.client_secret;
        if (!clientId || !clientSecret) {
          throw new AppError(
            'INVALID_CLIENT_CREDENTIALS',
            'The request carries no client credentials',
            undefined,
            {
              headers: { 'www-authenticate': 'Basic realm="charter"' },
            },
          );
        }
        const token = await issueAccessToken(deps, auditContextOf(request), {
          clientId,
          clientSecret,
          scope: body.scope,
        });
        return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
      },
    );

    routes.post(
      '/v1/oauth-clients',
      {
        config: {
          auth: requireScope('keys:write'),
          errors: ['AUTH_INSUFFICIENT', 'PRODUCT_NOT_ALLOWED', 'UNKNOWN_PRODUCT'],
        },
        schema: {
          tags,
          summary: 'Create an OAuth client; the secret is in this answer only',
          body: createOauthClientSchema,
          response: { 201: createdOauthClientSchema },
        },
      },
      async (request, reply) => {
        const { client, clientSecret } = await createOauthClient(
          deps,
          auditContextOf(request),
          request.principal,
          request.body,
        );
        return reply
          .code(201)
          .header('location', `/v1/oauth-clients/${client.id}`)
          .send({ ...client, clientSecret });
      },
    );

    routes.get(
      '/v1/oauth-clients',
      {
        config: { auth: requireScope('keys:read'), errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List OAuth clients',
          querystring: oauthClientListQuery,
          response: { 200: pageSchema(oauthClientSchema) },
        },
      },
      async (request) => {
        const { limit, cursor, revoked } = request.query;
        return oauthClientPage(deps.db.kysely, {
          limit,
          cursor,
          revoked: revoked === undefined ? undefined : revoked === 'true',
        });
      },
    );

    routes.get(
      '/v1/oauth-clients/:id',
      {
        config: { auth: requireScope('keys:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read an OAuth client',
          params: oauthClientIdParams,
          response: { 200: oauthClientSchema },
        },
      },
      async (request) => getOauthClientOrThrow(deps.db.kysely, request.params.id),
    );

    routes.delete(
      '/v1/oauth-clients/:id',
      {
        config: { auth: requireScope('keys:write'), errors: ['NOT_FOUND', 'AUTH_INSUFFICIENT'] },
        schema: {
          operationId: 'oauthClients.revoke',
          tags,
          summary: 'Revoke an OAuth client: its tokens stop working at once',
          params: oauthClientIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await revokeOauthClientById(deps, auditContextOf(request), request.principal, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
