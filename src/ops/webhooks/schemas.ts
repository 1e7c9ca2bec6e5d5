// Webhook endpoint shapes (api.md "Webhooks").
import { z } from 'zod';
import { eventTypes } from '../../events/service.js';
import { listQuerySchema } from '../../http/pagination.js';

const eventsField = z
  .array(z.union([z.enum(eventTypes), z.literal('*')]))
  .min(1)
  .max(eventTypes.length + 1)
  .describe('Event types to receive, or ["*"] for every one');

export const createWebhookEndpointSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048),
  events: eventsField.default(['*']),
  description: z.string().trim().max(500).nullable().optional(),
  enabled: z.boolean().default(true),
});
export type CreateWebhookEndpoint = z.infer<typeof createWebhookEndpointSchema>;

export const updateWebhookEndpointSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    events: eventsField.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateWebhookEndpoint = z.infer<typeof updateWebhookEndpointSchema>;

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const createdWebhookEndpointSchema = webhookEndpointSchema
  .extend({
    secret: z.string().describe('whsec_… — shown once: verify deliveries with it (Standard Webhooks)'),
  })
  .meta({ id: 'CreatedWebhookEndpoint' });

export const webhookEndpointIdParams = z.object({ id: z.string().min(1).max(64) });
export const webhookEndpointListQuery = listQuerySchema({});

export const webhookAttemptSchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  statusCode: z.number().int().nullable().describe('null when no answer came'),
  latencyMs: z.number().int(),
  responseBody: z.string().nullable().describe('The first 2 KiB of the answer'),
  error: z.string().nullable(),
});

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    nextAttemptAt: z.string().nullable().describe('When a pending delivery is tried next'),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    attemptLog: z.array(webhookAttemptSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveryIdParams = z.object({ id: z.string().min(1).max(64) });
export const webhookDeliveryListQuery = listQuerySchema({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  eventType: z.enum(eventTypes).optional(),
});

export const webhookTestResultSchema = z
  .object({
    eventId: z.string().describe('The id of the webhook.test event sent (webhook-id)'),
    delivered: z.boolean().describe('Whether the endpoint answered 2xx'),
    statusCode: z.number().int().nullable().describe('null when no answer came'),
    latencyMs: z.number().int(),
    responseBody: z.string().nullable().describe('The first 2 KiB of the answer'),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookTestResult' });
