// A customer's users and license managers: /v1/customers/{id}/license-users, /users, /managers.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../access/caller.js';
import { requireScope, requireUnrestricted } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { listQuerySchema, pageSchema } from '../../http/pagination.js';
import type { CatalogDeps } from '../products/service.js';
import { userSchema } from '../users/schemas.js';
import {
  addCustomerUser,
  addManager,
  customerUserPage,
  removeCustomerUser,
  removeManager,
} from './members.js';
import { customerIdParams } from './schemas.js';

const customerUserSchema = userSchema
  .extend({
    role: z
      .enum(['member', 'manager'])
      .describe("manager: administers the customer's seats through the portal"),
  })
  .meta({ id: 'CustomerUser' });
const memberParams = z.object({ id: z.string().min(1).max(64), userId: z.string().min(1).max(64) });
const userBody = z.strictObject({ userId: z.string().min(1).max(64) });

export const customerMemberRoutes =
  (deps: CatalogDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Customers'];
    const read = requireScope('customers:read');
    // Membership and managers empower license users beyond any one product: unrestricted credentials only.
    const write = requireUnrestricted('customers:write');
    const db = deps.db.kysely;

    routes.get(
      '/v1/customers/:id/license-users',
      {
        config: { auth: read, errors: ['UNKNOWN_CUSTOMER', 'INVALID_QUERY'] },
        schema: {
          tags,
          summary:
            "A customer's license users: its members and managers, and the users holding a seat on its licenses",
          params: customerIdParams,
          querystring: listQuerySchema({}),
          response: { 200: pageSchema(customerUserSchema) },
        },
      },
      async (request) => customerUserPage(db, request.principal, request.params.id, request.query),
    );

    routes.post(
      '/v1/customers/:id/users',
      {
        config: { auth: write, errors: ['UNKNOWN_CUSTOMER'] },
        schema: {
          tags,
          summary: 'Add a license user to a customer (201; 200 when already one of its users)',
          params: customerIdParams,
          body: userBody,
          response: { 200: customerUserSchema, 201: customerUserSchema },
        },
      },
      async (request, reply) => {
        const { created, user } = await addCustomerUser(
          deps,
          callerOf(request),
          request.params.id,
          request.body.userId,
        );
        return reply.code(created ? 201 : 200).send(user);
      },
    );

    routes.delete(
      '/v1/customers/:id/users/:userId',
      {
        config: { auth: write, errors: ['UNKNOWN_CUSTOMER', 'NOT_FOUND'] },
        schema: {
          tags,
          summary: "Remove a user's membership of a customer (their seats stay assigned)",
          params: memberParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await removeCustomerUser(deps, callerOf(request), request.params.id, request.params.userId);
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/customers/:id/managers',
      {
        config: { auth: write, errors: ['UNKNOWN_CUSTOMER', 'MANAGER_NOT_ELIGIBLE'] },
        schema: {
          tags,
          summary: 'Make one of the customer’s users a license manager (201; 200 when already one)',
          params: customerIdParams,
          body: userBody,
          response: { 200: customerUserSchema, 201: customerUserSchema },
        },
      },
      async (request, reply) => {
        const { created, user } = await addManager(
          deps,
          callerOf(request),
          request.params.id,
          request.body.userId,
        );
        return reply.code(created ? 201 : 200).send(user);
      },
    );

    routes.delete(
      '/v1/customers/:id/managers/:userId',
      {
        config: { auth: write, errors: ['UNKNOWN_CUSTOMER', 'NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Make a license manager a plain member again',
          params: memberParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await removeManager(deps, callerOf(request), request.params.id, request.params.userId);
        return reply.code(204).send(null);
      },
    );
  };
