// The answer of an inbound store webhook.
import { z } from 'zod';

export const inboundAnswerSchema = z
  .object({
    received: z.literal(true),
    replayed: z.boolean().describe('true when this event id was applied before: it is not applied again'),
    eventId: z.string(),
    type: z.string(),
    applied: z.boolean().describe('false when the event asks nothing of Charter'),
    orderId: z.string().optional(),
    licenseIds: z.array(z.string()).optional(),
    note: z.string().optional(),
  })
  .meta({ id: 'IntegrationAnswer' });
