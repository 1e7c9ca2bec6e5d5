// Product, bundle membership and feature shapes (api.md "Product", licensing.md "Bundles").
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { metadataSchema } from '../metadata.js';

export const productStatuses = ['active', 'disabled', 'archived'] as const;
/** A bundle's licenses cover its member products too (licensing.md "Bundles"); fixed at creation. */
export const productKinds = ['standard', 'bundle'] as const;
export type ProductKind = (typeof productKinds)[number];
/** Members a bundle may hold at most (each validation of a bundle license reads their codes). */
export const maxBundleMembers = 100;
export const productCodeSchema = z.string().regex(/^[a-z0-9-]{2,64}$/, 'must be 2–64 of a-z, 0-9 and -');

export const trialSchema = z.strictObject({
  enabled: z.boolean(),
  days: z.number().int().min(1).max(365),
  requireEmail: z.boolean(),
});
export const defaultTrial = { enabled: false, days: 14, requireEmail: false };

export const createProductSchema = z.strictObject({
  code: productCodeSchema,
  name: z.string().trim().min(1).max(200),
  status: z.enum(productStatuses).optional(),
  kind: z
    .enum(productKinds)
    .optional()
    .describe(
      "standard (default) or bundle: a bundle's licenses also cover its member products; never changes",
    ),
  licenseModel: z.enum(['key', 'user']).optional(),
  trial: trialSchema.optional(),
  metadata: metadataSchema.optional(),
});
export type CreateProduct = z.infer<typeof createProductSchema>;

export const updateProductSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    status: z.enum(productStatuses).optional(),
    licenseModel: z.enum(['key', 'user']).optional(),
    trial: trialSchema.optional(),
    metadata: metadataSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateProduct = z.infer<typeof updateProductSchema>;

export const productSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    status: z.enum(productStatuses),
    kind: z.enum(productKinds),
    licenseModel: z.enum(['key', 'user']),
    trial: trialSchema,
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });
export type Product = z.infer<typeof productSchema>;

export const productIdParams = z.object({ id: z.string().min(1).max(64) });
export const productListQuery = listQuerySchema({
  status: z.enum(productStatuses).optional(),
  kind: z.enum(productKinds).optional(),
  code: productCodeSchema.optional(),
});

/** PUT /v1/products/{id}/members: the bundle's whole member list, each product by id or code. */
export const setMembersSchema = z.strictObject({
  productIds: z
    .array(z.string().min(1).max(64))
    .max(maxBundleMembers)
    .describe(
      'The member products, each by id or code (standard products only); replaces the list. Repeats count once.',
    ),
});
export type SetMembers = z.infer<typeof setMembersSchema>;

export const productMembersSchema = z
  .object({
    data: z
      .array(productSchema)
      .describe('The member products the caller may see, by id; a license of the bundle covers each'),
  })
  .meta({ id: 'ProductMembers' });
export type ProductMembers = z.infer<typeof productMembersSchema>;

export const featureKinds = ['boolean', 'consumption', 'floating'] as const;

const featureBody = {
  name: z.string().trim().min(1).max(200),
  seats: z.number().int().min(1).max(1_000_000).nullable().optional(),
  maxConsumption: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
};

export const createFeatureSchema = z
  .strictObject({ code: productCodeSchema, kind: z.enum(featureKinds), ...featureBody })
  .superRefine((feature, ctx) => {
    if (feature.kind === 'floating' && !feature.seats) {
      ctx.addIssue({ code: 'custom', path: ['seats'], message: 'a floating feature needs seats' });
    }
    if (feature.kind !== 'floating' && feature.seats) {
      ctx.addIssue({ code: 'custom', path: ['seats'], message: 'only floating features have seats' });
    }
    if (feature.kind !== 'consumption' && feature.maxConsumption) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxConsumption'],
        message: 'only consumption features have maxConsumption',
      });
    }
  });
export type CreateFeature = z.infer<typeof createFeatureSchema>;

export const updateFeatureSchema = z
  .strictObject({
    name: featureBody.name.optional(),
    seats: featureBody.seats,
    maxConsumption: featureBody.maxConsumption,
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateFeature = z.infer<typeof updateFeatureSchema>;

export const featureSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(featureKinds),
    seats: z.number().nullable(),
    maxConsumption: z.number().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Feature' });
export type Feature = z.infer<typeof featureSchema>;

export const featureParams = z.object({
  id: z.string().min(1).max(64),
  featureId: z.string().min(1).max(64),
});
export const featureListQuery = listQuerySchema({ kind: z.enum(featureKinds).optional() });
