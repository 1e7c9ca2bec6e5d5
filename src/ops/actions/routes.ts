// /v1/actions: propose (actions:write), read (actions:read), approve and reject (actions:approve).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { pageSchema } from '../../http/pagination.js';
import {
  actionIdParams,
  actionListQuery,
  actionSchema,
  proposeActionSchema,
  rejectActionSchema,
} from './schemas.js';
import {
  type ActionDeps,
  actionPage,
  approveAction,
  getAction,
  proposeAction,
  rejectAction,
} from './service.js';

export const actionRoutes =
  (deps: ActionDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Actions'];

    routes.post(
      '/v1/actions',
      {
        config: { auth: requireScope('actions:write'), errors: ['VALIDATION_ERROR'] },
        schema: {
          tags,
          summary: 'Propose an action: 201 pending, executed once someone else approves it',
          body: proposeActionSchema,
          response: { 201: actionSchema },
        },
      },
      async (request, reply) => {
        const action = await proposeAction(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/actions/${action.id}`).send(action);
      },
    );

    routes.get(
      '/v1/actions',
      {
        config: { auth: requireScope('actions:read'), errors: ['INVALID_QUERY', 'NOT_FOUND'] },
        schema: {
          tags,
          summary: 'List actions, newest first (filters: status, kind, incidentId)',
          querystring: actionListQuery,
          response: { 200: pageSchema(actionSchema) },
        },
      },
      async (request) => actionPage(deps, request.query),
    );

    routes.get(
      '/v1/actions/:id',
      {
        config: { auth: requireScope('actions:read'), errors: ['NOT_FOUND'] },
        schema: { tags, summary: 'One action', params: actionIdParams, response: { 200: actionSchema } },
      },
      async (request) => getAction(deps, request.params.id),
    );

    routes.post(
      '/v1/actions/:id/approve',
      {
        config: {
          auth: requireScope('actions:approve'),
          errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'SELF_APPROVAL_FORBIDDEN'],
        },
        schema: {
          tags,
          summary:
            'Approve a pending action: it executes at once; 200 with status executed, or failed and the error',
          params: actionIdParams,
          response: { 200: actionSchema },
        },
      },
      async (request) => approveAction(deps, callerOf(request), request.params.id),
    );

    routes.post(
      '/v1/actions/:id/reject',
      {
        config: {
          auth: requireScope('actions:approve'),
          errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'VALIDATION_ERROR'],
        },
        schema: {
          tags,
          summary: 'Reject a pending action, with the reason',
          params: actionIdParams,
          body: rejectActionSchema,
          response: { 200: actionSchema },
        },
      },
      async (request) => rejectAction(deps, callerOf(request), request.params.id, request.body.reason),
    );
  };
