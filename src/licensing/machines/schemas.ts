// Machine shapes (api.md "Machine").
import { z } from 'zod';
import { listQuerySchema, recordFilter } from '../../http/pagination.js';
import { licenseStatuses } from '../licenses/schemas.js';

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
    deviceKey: z
      .object({
        sha256: z.string().describe("Hex SHA-256 of the device key's SPKI (DER)"),
        certificateSha256: z
          .string()
          .nullable()
          .describe('Hex SHA-256 of the X.509 certificate that carried the key (DER), when one did'),
      })
      .nullable()
      .describe('The device key every Client API call about this machine is signed with; null: none'),
  })
  .meta({ id: 'Machine' });
export type Machine = z.infer<typeof machineSchema>;

export const machineIdParams = z.object({ id: z.string().min(1).max(64) });
export const machineListQuery = listQuerySchema({
  licenseId: recordFilter('A license id'),
  status: z.enum(['active', 'dead', 'deactivated']).optional(),
  fingerprint: z.string().min(1).max(255).optional().describe('Machines with exactly this fingerprint'),
});

/**
 * A license active on a device, as POST /v1/client/device-licenses answers it to a caller who may know no more
 * than a fingerprint: no key, no customer, no metadata (docs/licensing.md "Device licenses").
 */
export const deviceLicenseSchema = z
  .object({
    licenseId: z.string(),
    productCode: z.string(),
    status: z.enum(licenseStatuses),
    trial: z.boolean(),
    startsAt: z.string(),
    expiresAt: z.string().nullable(),
    machineId: z.string().describe("This device's machine on the license"),
    activatedAt: z.string(),
  })
  .meta({ id: 'DeviceLicense' });
export type DeviceLicense = z.infer<typeof deviceLicenseSchema>;
