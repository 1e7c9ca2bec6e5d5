// Machine shapes (api.md "Machine").
import { z } from 'zod';
import { listQuerySchema, recordFilter } from '../../http/pagination.js';

export const machineSchema = z
  .object({
    id: z.string(),
    licenseId: z.string(),
    fingerprint: z.string(),
    name: z.string().nullable(),
    hostname: z.string().nullable(),
    platform: z.string().nullable(),
    cores: z.number().nullable(),
    isVm: z.boolean(),
    userId: z.string().nullable(),
    status: z.enum(['active', 'dead', 'deactivated']),
    offline: z.boolean(),
    activatedAt: z.string(),
    lastSeenAt: z.string(),
    deactivatedAt: z.string().nullable(),
  })
  .meta({ id: 'Machine' });
export type Machine = z.infer<typeof machineSchema>;

export const machineIdParams = z.object({ id: z.string().min(1).max(64) });
export const machineListQuery = listQuerySchema({
  licenseId: recordFilter('A license id'),
  status: z.enum(['active', 'dead', 'deactivated']).optional(),
});
