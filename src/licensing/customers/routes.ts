// /v1/customers.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import type { CatalogDeps } from '../products/service.js';
import {
  createCustomerSchema,
  customerIdParams,
  customerListQuery,
  customerSchema,
  updateCustomerSchema,
} from './schemas.js';
import { createCustomer, customerPage, deleteCustomer, getCustomer, updateCustomer } from './service.js';

export const customerRoutes =
  (deps: CatalogDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Customers'];
    const read = requireScope('customers:read');
    const write = requireScope('customers:write');
    const db = deps.db.kysely;

    routes.post(
      '/v1/customers',
      {
        config: { auth: write, errors: ['ALREADY_EXISTS'] },
        schema: {
          tags,
          summary: 'Create a customer',
          body: createCustomerSchema,
          response: { 201: customerSchema },
        },
      },
      async (request, reply) => {
        const customer = await createCustomer(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/customers/${customer.id}`).send(customer);
      },
    );

    routes.get(
      '/v1/customers',
      {
        config: { auth: read, errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List customers',
          querystring: customerListQuery,
          response: { 200: pageSchema(customerSchema) },
        },
      },
      async (request) => customerPage(db, request.principal, request.query),
    );

    routes.get(
      '/v1/customers/:id',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Read a customer',
          params: customerIdParams,
          response: { 200: customerSchema },
        },
      },
      async (request) => getCustomer(db, request.principal, request.params.id),
    );

    routes.patch(
      '/v1/customers/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE', 'ALREADY_EXISTS'] },
        schema: {
          tags,
          summary: 'Update a customer',
          params: customerIdParams,
          body: updateCustomerSchema,
          response: { 200: customerSchema },
        },
      },
      async (request) => updateCustomer(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/customers/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Delete a customer (soft: reads answer 410 afterwards)',
          params: customerIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deleteCustomer(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
