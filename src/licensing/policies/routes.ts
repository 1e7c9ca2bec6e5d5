// /v1/policies.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import type { CatalogDeps } from '../products/service.js';
import {
  createPolicySchema,
  policyIdParams,
  policyListQuery,
  policySchema,
  updatePolicySchema,
} from './schemas.js';
import { createPolicy, deletePolicy, getPolicy, policyPage, updatePolicy } from './service.js';

export const policyRoutes =
  (deps: CatalogDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Policies'];
    const read = requireScope('policies:read');
    const write = requireScope('policies:write');
    const db = deps.db.kysely;

    routes.post(
      '/v1/policies',
      {
        config: { auth: write, errors: ['ALREADY_EXISTS', 'UNKNOWN_PRODUCT', 'PRODUCT_NOT_ALLOWED'] },
        schema: {
          tags,
          summary: 'Create a policy for a product (unset rules take their defaults)',
          body: createPolicySchema,
          response: { 201: policySchema },
        },
      },
      async (request, reply) => {
        const policy = await createPolicy(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/policies/${policy.id}`).send(policy);
      },
    );

    routes.get(
      '/v1/policies',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'List policies',
          querystring: policyListQuery,
          response: { 200: pageSchema(policySchema) },
        },
      },
      async (request) => policyPage(db, request.principal, request.query),
    );

    routes.get(
      '/v1/policies/:id',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE'] },
        schema: { tags, summary: 'Read a policy', params: policyIdParams, response: { 200: policySchema } },
      },
      async (request) => getPolicy(db, request.principal, request.params.id),
    );

    routes.patch(
      '/v1/policies/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Update a policy; the merged policy must still keep its rules',
          params: policyIdParams,
          body: updatePolicySchema,
          response: { 200: policySchema },
        },
      },
      async (request) => updatePolicy(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/policies/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Delete a policy (soft: reads answer 410 afterwards)',
          params: policyIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deletePolicy(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
