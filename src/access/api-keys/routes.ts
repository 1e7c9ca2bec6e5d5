// /v1/api-keys: create (the secret answered once), list, read, revoke.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import { auditContextOf } from '../caller.js';
import { requireScope } from '../scopes.js';
import {
  apiKeyIdParams,
  apiKeyListQuery,
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
} from './schemas.js';
import { type AccessDeps, apiKeyPage, createApiKey, getApiKeyOrThrow, revokeApiKeyById } from './service.js';

export const apiKeyRoutes =
  (deps: AccessDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['API keys'];

    routes.post(
      '/v1/api-keys',
      {
        config: {
          auth: requireScope('keys:write'),
          errors: ['AUTH_INSUFFICIENT', 'PRODUCT_NOT_ALLOWED', 'UNKNOWN_PRODUCT'],
        },
        schema: {
          tags,
          summary: 'Create an API key; the secret is in this answer only',
          body: createApiKeySchema,
          response: { 201: createdApiKeySchema },
        },
      },
      async (request, reply) => {
        const { apiKey, secret, signingSecret } = await createApiKey(
          deps,
          auditContextOf(request),
          request.principal,
          request.body,
        );
        return reply
          .code(201)
          .header('location', `/v1/api-keys/${apiKey.id}`)
          .send({ ...apiKey, secret, ...(signingSecret ? { signingSecret } : {}) });
      },
    );

    routes.get(
      '/v1/api-keys',
      {
        config: { auth: requireScope('keys:read'), errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List API keys (never their secrets)',
          querystring: apiKeyListQuery,
          response: { 200: pageSchema(apiKeySchema) },
        },
      },
      async (request) => {
        const { limit, cursor, revoked } = request.query;
        return apiKeyPage(deps.db.kysely, {
          limit,
          cursor,
          revoked: revoked === undefined ? undefined : revoked === 'true',
        });
      },
    );

    routes.get(
      '/v1/api-keys/:id',
      {
        config: { auth: requireScope('keys:read'), errors: ['NOT_FOUND'] },
        schema: { tags, summary: 'Read an API key', params: apiKeyIdParams, response: { 200: apiKeySchema } },
      },
      async (request) => getApiKeyOrThrow(deps.db.kysely, request.params.id),
    );

    routes.delete(
      '/v1/api-keys/:id',
      {
        config: { auth: requireScope('keys:write'), errors: ['NOT_FOUND', 'AUTH_INSUFFICIENT'] },
        schema: {
          operationId: 'apiKeys.revoke',
          tags,
          summary: 'Revoke an API key (final); only a credential holding all its scopes may',
          params: apiKeyIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await revokeApiKeyById(deps, auditContextOf(request), request.principal, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
