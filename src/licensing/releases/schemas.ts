// Release shapes (api.md "Release"; Client API `versions` and `installation-file`).
import semver from 'semver';
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { fingerprintField, licenseKeyField, productCodeField } from '../client/schemas.js';

export const channels = ['stable', 'beta'] as const;

const versionField = z
  .string()
  .trim()
  .max(100)
  .refine(
    (value) => semver.valid(value) === value,
    'must be a semantic version such as 2.4.1 or 3.0.0-beta.2',
  );

export const releaseFileSchema = z.strictObject({
  platform: z.string().trim().min(1).max(64).describe('e.g. windows-x64, macos-arm64, linux-x64'),
  url: z.url({ protocol: /^https?$/ }).max(2048),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

const filesField = z
  .array(releaseFileSchema)
  .max(50)
  .refine(
    (files) => new Set(files.map((file) => file.platform)).size === files.length,
    'one file per platform',
  );

export const createReleaseSchema = z.strictObject({
  productId: z.string().min(1).max(64).describe('The product id (prod_…) or code'),
  version: versionField,
  channel: z.enum(channels).default('stable'),
  publishedAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Default: now; a later time schedules it'),
  files: filesField.default([]),
  notes: z.string().max(20_000).nullable().optional(),
});
export type CreateRelease = z.infer<typeof createReleaseSchema>;

export const updateReleaseSchema = z
  .strictObject({
    channel: z.enum(channels).optional(),
    publishedAt: z.iso.datetime({ offset: true }).optional(),
    files: filesField.optional(),
    notes: z.string().max(20_000).nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateRelease = z.infer<typeof updateReleaseSchema>;

export const releaseSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    version: z.string(),
    channel: z.enum(channels),
    publishedAt: z.string(),
    files: z.array(releaseFileSchema),
    notes: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Release' });
export type Release = z.infer<typeof releaseSchema>;

export const releaseIdParams = z.object({ id: z.string().min(1).max(64) });
export const releaseListQuery = listQuerySchema({
  productId: z.string().min(1).max(64).optional(),
  channel: z.enum(channels).optional(),
});

export const versionsBodySchema = z.object({
  licenseKey: licenseKeyField,
  channel: z
    .enum(channels)
    .default('stable')
    .describe('stable (default): stable releases; beta: stable and beta'),
  fingerprint: fingerprintField.optional(),
  productCode: productCodeField
    .optional()
    .describe(
      "Whose releases: the license's product (default) or, for a bundle's license, one of its members",
    ),
});
export const installationFileBodySchema = z.object({
  licenseKey: licenseKeyField,
  platform: z.string().trim().min(1).max(64),
  version: versionField.optional().describe('Default: the latest the license may install'),
  channel: z.enum(channels).default('stable'),
  productCode: productCodeField
    .optional()
    .describe(
      "Whose releases: the license's product (default) or, for a bundle's license, one of its members",
    ),
});
export const installationFileSchema = z
  .object({
    version: z.string(),
    url: z.string(),
    sha256: z.string(),
    size: z.number(),
  })
  .meta({ id: 'InstallationFile' });
