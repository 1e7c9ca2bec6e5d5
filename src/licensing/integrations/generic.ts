// The generic store integration (api.md "Webhooks", inbound): any shop that signs per Standard Webhooks sends
// `{ "type": "order.created", "data": <a POST /v1/orders body> }`; the webhook-id header is the idempotency key.
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { createOrderSchema } from '../orders/schemas.js';
import { createOrderIn } from '../orders/service.js';
import { type InboundAnswer, type IntegrationDeps, integrationCaller, receiveOnce } from './service.js';

const provider = 'generic';

const genericEventSchema = z.strictObject({
  type: z.literal('order.created'),
  data: createOrderSchema,
});

export const receiveGenericEvent = async (
  deps: IntegrationDeps,
  webhookId: string,
  body: unknown,
): Promise<InboundAnswer> => {
  const parsed = genericEventSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError('VALIDATION_ERROR', 'The event is not { type: "order.created", data: <an order> }', {
      location: 'body',
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map(String),
        message: issue.message,
        code: issue.code,
      })),
    });
  }
  const event = parsed.data;
  return receiveOnce(deps, { provider, id: webhookId, type: event.type }, async (tx) => {
    const order = await createOrderIn(deps, tx, integrationCaller(provider), event.data);
    return { applied: true, orderId: order.id, licenseIds: order.licenses.map((license) => license.id) };
  });
};
