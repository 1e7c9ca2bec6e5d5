// License shapes (api.md "License").
import { z } from 'zod';
import { listQuerySchema, recordFilter } from '../../http/pagination.js';
import { metadataSchema } from '../metadata.js';
import { policyFeatureSchema } from '../policies/schemas.js';

export const licenseStatuses = ['active', 'suspended', 'revoked', 'expired'] as const;
export type LicenseStatus = (typeof licenseStatuses)[number];

export const createLicenseSchema = z.strictObject({
  policyId: z.string().min(1).max(64),
  productId: z.string().min(1).max(64).optional().describe("Checked against the policy's product when given"),
  customerId: z.string().min(1).max(320).nullable().optional(),
  key: z
    .string()
    .trim()
    .min(8)
    .max(128)
    .optional()
    .describe('Supply your own key (e.g. when migrating); else one is generated'),
  startsAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime().nullable().optional(),
  trial: z.boolean().optional(),
  maxMachines: z.number().int().min(1).max(1_000_000).nullable().optional(),
  features: z.array(policyFeatureSchema).max(200).nullable().optional(),
  metadata: metadataSchema.optional(),
});
export type CreateLicense = z.infer<typeof createLicenseSchema>;

export const updateLicenseSchema = z
  .strictObject({
    expiresAt: z.iso.datetime().nullable().optional(),
    maxMachines: z.number().int().min(1).max(1_000_000).nullable().optional(),
    features: z.array(policyFeatureSchema).max(200).nullable().optional(),
    metadata: metadataSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateLicense = z.infer<typeof updateLicenseSchema>;

export const licenseSchema = z
  .object({
    id: z.string(),
    key: z.string().optional().describe('The full key, for callers with licenses:read'),
    keyPrefix: z.string(),
    productId: z.string(),
    policyId: z.string(),
    customerId: z.string().nullable(),
    status: z.enum(licenseStatuses),
    startsAt: z.string(),
    expiresAt: z.string().nullable(),
    maintenanceExpired: z.boolean(),
    trial: z.boolean(),
    maxMachines: z
      .number()
      .nullable()
      .describe("The effective limit: the license override, else the policy's"),
    machinesCount: z.number(),
    transfersCount: z.number(),
    consumption: z.object({ used: z.number(), max: z.number(), periodStartsAt: z.string() }).nullable(),
    features: z.array(policyFeatureSchema),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'License' });
export type License = z.infer<typeof licenseSchema>;

export const licenseIdParams = z.object({ id: z.string().min(1).max(64) });
export const transferSchema = z.strictObject({ customerId: z.string().min(1).max(320) });

export const licenseListQuery = listQuerySchema({
  status: z.enum(licenseStatuses).optional(),
  productId: recordFilter('A product by id or code'),
  policyId: recordFilter('A policy by id or code (a code used by several products needs productId too)'),
  customerId: recordFilter('A customer by id or email', 320),
  key: z.string().min(1).max(128).optional().describe('The whole license key'),
  keyPrefix: z
    .string()
    .trim()
    .min(1)
    .max(16)
    .optional()
    .describe("The key's first group (`keyPrefix` of a license), as a support call quotes it"),
});

export const licenseCountsQuery = z.strictObject({
  productId: recordFilter('A product by id or code'),
  policyId: recordFilter('A policy by id or code (a code used by several products needs productId too)'),
  customerId: recordFilter('A customer by id or email', 320),
});

export const licenseCountsSchema = z
  .object({
    active: z.number().int(),
    suspended: z.number().int(),
    revoked: z.number().int(),
    expired: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: 'LicenseCounts' });
