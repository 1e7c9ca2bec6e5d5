// Customer mail as the API answers it: on an order (`notifications`) and at GET /v1/licenses/{id}/notifications.
import { z } from 'zod';
import { customerMailKinds } from '../../config.js';
import { listQuerySchema } from '../../http/pagination.js';

export const notificationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(customerMailKinds),
    to: z.string(),
    subject: z.string(),
    status: z.enum(['pending', 'sent', 'failed']).describe('failed: given up after its attempts'),
    attempts: z.number().int(),
    lastError: z.string().nullable().describe('What the mail server answered to the last failed attempt'),
    code: z
      .literal('NOTIFICATION_FAILED')
      .nullable()
      .describe('NOTIFICATION_FAILED once the mail is given up; null otherwise'),
    nextAttemptAt: z.string().nullable().describe('While pending: when it is tried (again)'),
    sentAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListQuery = listQuerySchema({});
export const licenseIdParams = z.object({ id: z.string().min(1).max(64) });
