// Policy shapes (api.md "Policy"): the rules a license follows.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { metadataSchema } from '../metadata.js';
import { productCodeSchema } from '../products/schemas.js';

const count = z.number().int().min(1).max(1_000_000);
const seconds = z
  .number()
  .int()
  .min(1)
  .max(100 * 365 * 86_400);

export const maxDeactivationsSchema = z.strictObject({ count: count, periodSeconds: seconds });
export const consumptionRuleSchema = z.strictObject({
  max: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  allowNegative: z.boolean(),
  allowOverage: z.boolean(),
  resetPeriod: z.enum(['never', 'daily', 'weekly', 'monthly', 'yearly']),
});
export const policyFeatureSchema = z.strictObject({
  code: productCodeSchema,
  seats: count.optional(),
  maxConsumption: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const rules = {
  name: z.string().trim().min(1).max(200),
  durationSeconds: seconds.nullable(),
  floating: z.boolean(),
  maxMachines: count.nullable(),
  maxUsers: count.nullable(),
  maxActivationsPerUser: count.nullable(),
  maxTransfers: z.number().int().min(0).max(1_000_000).nullable(),
  maxDeactivations: maxDeactivationsSchema.nullable(),
  expirationBasis: z.enum(['issue', 'activation']),
  expirationStrategy: z.enum(['restrict', 'maintenance']),
  allowVm: z.boolean(),
  allowOffline: z.boolean(),
  allowBorrow: z.boolean(),
  maxBorrowSeconds: seconds.nullable(),
  leaseSeconds: z
    .number()
    .int()
    .min(30)
    .max(30 * 86_400),
  heartbeatSeconds: z
    .number()
    .int()
    .min(10)
    .max(30 * 86_400)
    .nullable(),
  consumption: consumptionRuleSchema.nullable(),
  features: z.array(policyFeatureSchema).max(200),
  licenseFileTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 86_400),
  requireDeviceKey: z
    .boolean()
    .describe(
      'Activation must register a device key (deviceKey); every later Client API call about the machine is signed with it',
    ),
  metadata: metadataSchema,
  allowPasswordChange: z
    .boolean()
    .describe('Whether license users of its licenses may change their own password (user-based products)'),
};

export const policyDefaults = {
  durationSeconds: null,
  floating: false,
  maxMachines: 1,
  maxUsers: null,
  maxActivationsPerUser: null,
  maxTransfers: null,
  maxDeactivations: null,
  expirationBasis: 'issue' as const,
  expirationStrategy: 'restrict' as const,
  allowVm: true,
  allowOffline: false,
  allowBorrow: false,
  maxBorrowSeconds: null,
  leaseSeconds: 3600,
  heartbeatSeconds: null,
  consumption: null,
  features: [],
  licenseFileTtlSeconds: 604_800,
  requireDeviceKey: false,
  metadata: {},
  allowPasswordChange: true,
};

/** Rules that hold between fields, for create and for the merged result of an update. */
export const checkPolicyRules = (policy: z.infer<z.ZodObject<typeof rules>>, ctx: z.RefinementCtx) => {
  if (policy.floating && policy.maxMachines === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxMachines'],
      message: 'a floating policy needs its seat count in maxMachines',
    });
  }
  if (policy.floating && policy.allowOffline) {
    ctx.addIssue({
      code: 'custom',
      path: ['allowOffline'],
      message: 'floating licenses never allow offline activation',
    });
  }
  if (policy.allowBorrow && !policy.floating) {
    ctx.addIssue({ code: 'custom', path: ['allowBorrow'], message: 'only floating seats can be borrowed' });
  }
  if (policy.allowBorrow && policy.maxBorrowSeconds === null) {
    ctx.addIssue({ code: 'custom', path: ['maxBorrowSeconds'], message: 'borrowing needs maxBorrowSeconds' });
  }
  const codes = policy.features.map((feature) => feature.code);
  if (new Set(codes).size !== codes.length) {
    ctx.addIssue({ code: 'custom', path: ['features'], message: 'a feature code appears twice' });
  }
};

export const policyRulesSchema = z.object(rules);
export type PolicyRules = z.infer<typeof policyRulesSchema>;

export const createPolicySchema = z
  .strictObject({
    productId: z.string().min(1).max(64).describe('The product id (prod_…) or code'),
    code: productCodeSchema,
    ...Object.fromEntries(Object.entries(rules).map(([key, schema]) => [key, schema.optional()])),
    name: rules.name,
  })
  .transform(
    (input) => ({ ...policyDefaults, ...input }) as PolicyRules & { productId: string; code: string },
  )
  .superRefine(checkPolicyRules);
export type CreatePolicy = z.infer<typeof createPolicySchema>;

export const updatePolicySchema = z
  .strictObject(
    Object.fromEntries(Object.entries(rules).map(([key, schema]) => [key, schema.optional()])) as {
      [K in keyof typeof rules]: z.ZodOptional<(typeof rules)[K]>;
    },
  )
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdatePolicy = z.infer<typeof updatePolicySchema>;

export const policySchema = policyRulesSchema
  .extend({
    id: z.string(),
    productId: z.string(),
    code: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Policy' });
export type Policy = z.infer<typeof policySchema>;

export const policyIdParams = z.object({ id: z.string().min(1).max(64) });
export const policyListQuery = listQuerySchema({
  productId: z.string().min(1).max(64).optional(),
  code: productCodeSchema.optional(),
  floating: z.enum(['true', 'false']).optional(),
});
