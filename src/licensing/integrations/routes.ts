// POST /v1/integrations/{stripe,generic}/webhook: no credential, the body's signature instead (webhook-signature
// rule). The signature covers the exact bytes received (request.rawBody), verified before anything is read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuthRule } from '../../http/route-rules.js';
import { receiveGenericEvent } from './generic.js';
import { inboundAnswerSchema } from './schemas.js';
import type { IntegrationDeps } from './service.js';
import { verifyStandardWebhook, verifyStripeSignature } from './signatures.js';
import { receiveStripeEvent } from './stripe.js';

export interface IntegrationRouteDeps extends IntegrationDeps {
  stripe: { webhookSecret: string | undefined; apiKey: string | undefined; apiUrl: string };
  genericWebhookSecret: string | undefined;
}

const signed: AuthRule = { kind: 'webhook-signature' };
const rawBodyOf = (request: FastifyRequest) => request.rawBody?.toString('utf8') ?? '';
const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const integrationRoutes =
  (deps: IntegrationRouteDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Integrations'];
    const errors = ['INVALID_SIGNATURE', 'VALIDATION_ERROR', 'INVALID_JSON'] as const;

    routes.post(
      '/v1/integrations/stripe/webhook',
      {
        config: {
          auth: signed,
          errors: [...errors, 'UNKNOWN_PRODUCT', 'UNKNOWN_POLICY', 'QUANTITY_TOO_LARGE', 'UPSTREAM_ERROR'],
        },
        schema: {
          tags,
          summary:
            'Stripe events (Stripe-Signature): checkout.session.completed issues an order, customer.subscription.deleted suspends, invoice.paid renews',
          response: { 200: inboundAnswerSchema },
        },
      },
      async (request) => {
        verifyStripeSignature(
          deps.stripe.webhookSecret,
          header(request, 'stripe-signature'),
          rawBodyOf(request),
          deps.clock.nowMs(),
        );
        return receiveStripeEvent({ ...deps, ...deps.stripe }, request.body);
      },
    );

    routes.post(
      '/v1/integrations/generic/webhook',
      {
        config: {
          auth: signed,
          errors: [...errors, 'UNKNOWN_PRODUCT', 'UNKNOWN_POLICY', 'QUANTITY_TOO_LARGE', 'ALREADY_EXISTS'],
        },
        schema: {
          tags,
          summary:
            'Orders from any store, signed per Standard Webhooks; the webhook-id header is the idempotency key',
          response: { 200: inboundAnswerSchema },
        },
      },
      async (request) => {
        const id = header(request, 'webhook-id');
        verifyStandardWebhook(
          deps.genericWebhookSecret,
          {
            id,
            timestamp: header(request, 'webhook-timestamp'),
            signature: header(request, 'webhook-signature'),
          },
          rawBodyOf(request),
          deps.clock.nowMs(),
        );
        return receiveGenericEvent(deps, id ?? '', request.body);
      },
    );
  };
