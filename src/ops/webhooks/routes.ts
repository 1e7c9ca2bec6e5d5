// /v1/webhook-endpoints: where outbound events go, and /v1/webhook-deliveries: what was sent and how it went
// (webhooks:read / webhooks:write).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import { deliveryPage, getDelivery, retryDelivery } from './delivery-log.js';
import {
  createdWebhookEndpointSchema,
  createWebhookEndpointSchema,
  updateWebhookEndpointSchema,
  webhookDeliveryIdParams,
  webhookDeliveryListQuery,
  webhookDeliverySchema,
  webhookEndpointIdParams,
  webhookEndpointListQuery,
  webhookEndpointSchema,
  webhookTestResultSchema,
} from './schemas.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  testWebhookEndpoint,
  updateWebhookEndpoint,
  type WebhookDeps,
  webhookEndpointPage,
} from './service.js';

export const webhookEndpointRoutes =
  (deps: WebhookDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Webhooks'];

    routes.post(
      '/v1/webhook-endpoints',
      {
        config: { auth: requireScope('webhooks:write'), errors: ['VALIDATION_ERROR', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'Add an endpoint: 201 with its signing secret, shown once',
          body: createWebhookEndpointSchema,
          response: { 201: createdWebhookEndpointSchema },
        },
      },
      async (request, reply) => {
        const endpoint = await createWebhookEndpoint(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/webhook-endpoints/${endpoint.id}`).send(endpoint);
      },
    );

    routes.get(
      '/v1/webhook-endpoints',
      {
        config: { auth: requireScope('webhooks:read'), errors: ['INVALID_QUERY', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'List endpoints',
          querystring: webhookEndpointListQuery,
          response: { 200: pageSchema(webhookEndpointSchema) },
        },
      },
      async (request) => webhookEndpointPage(deps, request.query),
    );

    routes.post(
      '/v1/webhook-endpoints/:id/test',
      {
        config: { auth: requireScope('webhooks:write'), errors: ['NOT_FOUND', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'Send a signed webhook.test event to this endpoint now and show its answer',
          params: webhookEndpointIdParams,
          response: { 200: webhookTestResultSchema },
        },
      },
      async (request) => testWebhookEndpoint(deps, callerOf(request), request.params.id),
    );

    routes.get(
      '/v1/webhook-endpoints/:id',
      {
        config: { auth: requireScope('webhooks:read'), errors: ['NOT_FOUND', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'Read an endpoint',
          params: webhookEndpointIdParams,
          response: { 200: webhookEndpointSchema },
        },
      },
      async (request) => getWebhookEndpoint(deps, request.params.id),
    );

    routes.patch(
      '/v1/webhook-endpoints/:id',
      {
        config: {
          auth: requireScope('webhooks:write'),
          errors: ['NOT_FOUND', 'VALIDATION_ERROR', 'FORBIDDEN'],
        },
        schema: {
          tags,
          summary: 'Change an endpoint’s target, events or description; enable or disable it',
          params: webhookEndpointIdParams,
          body: updateWebhookEndpointSchema,
          response: { 200: webhookEndpointSchema },
        },
      },
      async (request) => updateWebhookEndpoint(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/webhook-endpoints/:id',
      {
        config: { auth: requireScope('webhooks:write'), errors: ['NOT_FOUND', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'Remove an endpoint',
          params: webhookEndpointIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deleteWebhookEndpoint(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    const deliveries = { ...deps, log: app.log };

    routes.get(
      '/v1/webhook-endpoints/:id/deliveries',
      {
        config: { auth: requireScope('webhooks:read'), errors: ['NOT_FOUND', 'INVALID_QUERY', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'An endpoint’s deliveries, oldest first, each with its attempt log',
          params: webhookEndpointIdParams,
          querystring: webhookDeliveryListQuery,
          response: { 200: pageSchema(webhookDeliverySchema) },
        },
      },
      async (request) => deliveryPage(deliveries, request.params.id, request.query),
    );

    routes.get(
      '/v1/webhook-deliveries/:id',
      {
        config: { auth: requireScope('webhooks:read'), errors: ['NOT_FOUND', 'FORBIDDEN'] },
        schema: {
          tags,
          summary: 'Read a delivery and its attempt log',
          params: webhookDeliveryIdParams,
          response: { 200: webhookDeliverySchema },
        },
      },
      async (request) => getDelivery(deliveries, request.params.id),
    );

    routes.post(
      '/v1/webhook-deliveries/:id/retry',
      {
        config: {
          auth: requireScope('webhooks:write'),
          errors: ['NOT_FOUND', 'CONFLICT', 'NOTIFICATION_FAILED', 'FORBIDDEN'],
        },
        schema: {
          tags,
          summary: 'Send a delivery again now and wait for the answer (502 NOTIFICATION_FAILED if refused)',
          params: webhookDeliveryIdParams,
          response: { 200: webhookDeliverySchema },
        },
      },
      async (request) => retryDelivery(deliveries, callerOf(request), request.params.id),
    );
  };
