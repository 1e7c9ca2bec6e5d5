// Audit entry shapes: the response object and the list query.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({
      type: z.enum(['operator', 'api_key', 'oauth_client', 'rule', 'system', 'anonymous', 'license_user']),
      id: z.string().nullable(),
      name: z.string().nullable(),
    }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).nullable(),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditActor = AuditEntry['actor'];

export const auditQuerySchema = listQuerySchema({
  actorId: z.string().min(1).max(100).optional(),
  targetId: z.string().min(1).max(320).optional(),
  action: z.string().min(1).max(100).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
});
