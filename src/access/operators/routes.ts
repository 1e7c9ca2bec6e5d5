// /v1/operators: create, list, read, update (role, name, password, disabled).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { pageSchema } from '../../http/pagination.js';
import { auditContextOf } from '../caller.js';
import { requireScope } from '../scopes.js';
import { getOperatorOrThrow } from './operator.js';
import {
  createOperatorSchema,
  operatorIdParams,
  operatorListQuery,
  operatorSchema,
  updateOperatorSchema,
} from './schemas.js';
import { createOperator, type OperatorDeps, operatorPage, updateOperator } from './service.js';

export const operatorRoutes =
  (deps: OperatorDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Operators'];

    routes.post(
      '/v1/operators',
      {
        config: { auth: requireScope('operators:write'), errors: ['ALREADY_EXISTS', 'AUTH_INSUFFICIENT'] },
        schema: {
          tags,
          summary: 'Create an operator',
          body: createOperatorSchema,
          response: { 201: operatorSchema },
        },
      },
      async (request, reply) => {
        const operator = await createOperator(deps, auditContextOf(request), request.principal, request.body);
        return reply.code(201).header('location', `/v1/operators/${operator.id}`).send(operator);
      },
    );

    routes.get(
      '/v1/operators',
      {
        config: { auth: requireScope('operators:read'), errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List operators',
          querystring: operatorListQuery,
          response: { 200: pageSchema(operatorSchema) },
        },
      },
      async (request) => {
        const { limit, cursor, role, disabled } = request.query;
        return operatorPage(deps.db.kysely, {
          limit,
          cursor,
          role,
          disabled: disabled === undefined ? undefined : disabled === 'true',
        });
      },
    );

    routes.get(
      '/v1/operators/:id',
      {
        config: { auth: requireScope('operators:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read an operator',
          params: operatorIdParams,
          response: { 200: operatorSchema },
        },
      },
      async (request) => getOperatorOrThrow(deps.db.kysely, request.params.id),
    );

    routes.patch(
      '/v1/operators/:id',
      {
        config: {
          auth: requireScope('operators:write'),
          errors: ['NOT_FOUND', 'FORBIDDEN', 'AUTH_INSUFFICIENT'],
        },
        schema: {
          tags,
          summary: 'Update an operator; disabling or a new password ends their sessions',
          params: operatorIdParams,
          body: updateOperatorSchema,
          response: { 200: operatorSchema },
        },
      },
      async (request) =>
        updateOperator(deps, auditContextOf(request), request.principal, request.params.id, request.body),
    );
  };
