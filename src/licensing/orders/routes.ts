// /v1/orders: a sale issuing its licenses (Idempotency-Key required), the orders newest first, and one order back.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { pageSchema } from '../../http/pagination.js';
import {
  createOrderSchema,
  orderHeadersSchema,
  orderIdParams,
  orderListQuery,
  orderSchema,
  orderSummarySchema,
} from './schemas.js';
import { createOrder, getOrder, type OrderDeps, orderPage } from './service.js';

export const orderRoutes =
  (deps: OrderDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Orders'];

    routes.post(
      '/v1/orders',
      {
        config: {
          auth: requireScope('orders:write'),
          errors: [
            'MISSING_HEADER',
            'VALIDATION_ERROR',
            'ALREADY_EXISTS',
            'UNKNOWN_PRODUCT',
            'UNKNOWN_POLICY',
            'UNKNOWN_CUSTOMER',
            'QUANTITY_TOO_LARGE',
            'PRODUCT_ARCHIVED',
            'PRODUCT_NOT_ALLOWED',
            'LICENSE_USERS_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          operationId: 'orders.create',
          tags,
          summary:
            'Record a sale: the customer found or created and every item’s licenses issued, all or nothing (Idempotency-Key required)',
          headers: orderHeadersSchema,
          body: createOrderSchema,
          response: { 201: orderSchema },
        },
      },
      async (request, reply) => {
        const order = await createOrder(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/orders/${order.id}`).send(order);
      },
    );

    routes.get(
      '/v1/orders',
      {
        config: { auth: requireScope('orders:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          operationId: 'orders.list',
          tags,
          summary: 'List orders, newest first, each with how many licenses it issued',
          querystring: orderListQuery,
          response: { 200: pageSchema(orderSummarySchema) },
        },
      },
      async (request) => orderPage(deps, callerOf(request), request.query),
    );

    routes.get(
      '/v1/orders/:id',
      {
        config: { auth: requireScope('orders:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read an order and its licenses',
          params: orderIdParams,
          response: { 200: orderSchema },
        },
      },
      async (request) => getOrder(deps, callerOf(request), request.params.id),
    );
  };
