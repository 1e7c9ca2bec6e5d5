// Lease shapes (api.md "Client API": a lease is { id, licenseId, fingerprint, feature | null, expiresAt,
// borrowedUntil | null }) and the seat denial record.
import { z } from 'zod';
import { listQuerySchema, recordFilter } from '../../http/pagination.js';
import { productCodeSchema } from '../products/schemas.js';

export const leaseSchema = z
  .object({
    id: z.string(),
    licenseId: z.string(),
    machineId: z.string(),
    fingerprint: z.string(),
    feature: z.string().nullable().describe("The floating feature's code; null for the license's own seat"),
    status: z.enum(['active', 'released', 'expired']),
    checkedOutAt: z.string(),
    expiresAt: z.string(),
    borrowedUntil: z.string().nullable(),
    endedAt: z.string().nullable(),
  })
  .meta({ id: 'Lease' });
export type Lease = z.infer<typeof leaseSchema>;

export const leaseIdParams = z.object({ id: z.string().min(1).max(64) });
export const leaseListQuery = listQuerySchema({
  licenseId: recordFilter('A license id'),
  feature: productCodeSchema.optional().describe("A floating feature's code; omit for every pool"),
  fingerprint: z.string().min(1).max(255).optional(),
  state: z
    .enum(['live', 'ended', 'all'])
    .default('live')
    .describe('live (default): seats held now; ended: released or expired'),
});

export const denialSchema = z
  .object({
    id: z.string(),
    licenseId: z.string(),
    feature: z.string().nullable(),
    fingerprint: z.string(),
    seats: z.number(),
    inUse: z.number(),
    at: z.string(),
  })
  .meta({ id: 'Denial' });
export const denialListQuery = listQuerySchema({
  licenseId: recordFilter('A license id'),
});
