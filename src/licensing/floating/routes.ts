// /v1/leases: who holds seats now, their history, refused checkouts, and an operator's forced release.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import type { Database } from '../../db/connection.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import type { Clock } from '../../lib/clock.js';
import { denialListQuery, denialSchema, leaseIdParams, leaseListQuery, leaseSchema } from './schemas.js';
import { denialPage, forceReleaseLease, getLease, leasePage } from './service.js';

export const leaseRoutes =
  (deps: { db: Database; clock: Clock }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Leases'];

    routes.get(
      '/v1/leases',
      {
        config: { auth: requireScope('licenses:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary:
            'Seats held now (state=live, the default), or ended leases (filter by licenseId, feature, fingerprint)',
          querystring: leaseListQuery,
          response: { 200: pageSchema(leaseSchema) },
        },
      },
      async (request) => leasePage(deps, callerOf(request), request.query),
    );

    routes.get(
      '/v1/leases/denials',
      {
        config: { auth: requireScope('licenses:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Refused checkouts (FLOATING_NOT_AVAILABLE): time, license, feature, fingerprint',
          querystring: denialListQuery,
          response: { 200: pageSchema(denialSchema) },
        },
      },
      async (request) => denialPage(deps, callerOf(request), request.query),
    );

    routes.get(
      '/v1/leases/:id',
      {
        config: { auth: requireScope('licenses:read'), errors: ['NOT_FOUND'] },
        schema: { tags, summary: 'Read a lease', params: leaseIdParams, response: { 200: leaseSchema } },
      },
      async (request) => getLease(deps, callerOf(request), request.params.id),
    );

    routes.delete(
      '/v1/leases/:id',
      {
        config: {
          auth: requireScope('licenses:write'),
          errors: ['NOT_FOUND', 'FORBIDDEN'],
          approvalKind: 'release_lease',
        },
        schema: {
          operationId: 'leases.release',
          tags,
          summary: 'Force-release a seat (the holder gets LEASE_NOT_FOUND on its next heartbeat)',
          params: leaseIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await forceReleaseLease(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
