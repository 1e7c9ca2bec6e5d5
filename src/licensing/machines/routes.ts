// /v1/machines: list (by license), read, deactivate.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import type { CatalogDeps } from '../products/service.js';
import { machineIdParams, machineListQuery, machineSchema } from './schemas.js';
import { deactivateMachineById, getMachine, machinePage } from './service.js';

export const machineRoutes =
  (deps: CatalogDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Machines'];

    routes.get(
      '/v1/machines',
      {
        config: { auth: requireScope('machines:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'List machines (filter by licenseId, status, fingerprint)',
          querystring: machineListQuery,
          response: { 200: pageSchema(machineSchema) },
        },
      },
      async (request) => machinePage(deps, callerOf(request), request.query),
    );

    routes.get(
      '/v1/machines/:id',
      {
        config: { auth: requireScope('machines:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read a machine',
          params: machineIdParams,
          response: { 200: machineSchema },
        },
      },
      async (request) => getMachine(deps, callerOf(request), request.params.id),
    );

    routes.delete(
      '/v1/machines/:id',
      {
        config: {
          auth: requireScope('machines:write'),
          errors: ['NOT_FOUND', 'DEACTIVATION_LIMIT_EXCEEDED', 'FORBIDDEN'],
          approvalKind: 'deactivate_machine',
        },
        schema: {
          operationId: 'machines.deactivate',
          tags,
          summary: 'Deactivate a machine (frees its slot; kept as history)',
          params: machineIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deactivateMachineById(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
