// Webhook endpoint shapes (api.md "Webhooks").
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { eventTypes } from '../events/service.js';

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

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const createdWebhookEndpointSchema = webhookEndpointSchema.extend({
  secret: z.string().describe('whsec_… — shown once: verify deliveries with it (Standard Webhooks)'),
});

export const webhookEndpointIdParams = z.object({ id: z.string().min(1).max(64) });
export const webhookEndpointListQuery = listQuerySchema({});
