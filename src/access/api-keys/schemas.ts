// API key shapes shared by routes, OpenAPI and the SDK.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { scopeSchema } from '../scopes.js';

export const apiKeyPrefix = 'ck_';
/** ck_ + base64url of 32 random bytes. */
export const apiKeyPattern = /^ck_[A-Za-z0-9_-]{43}$/;

const quotaSchema = z
  .strictObject({
    daily: z.number().int().min(1).optional(),
    monthly: z.number().int().min(1).optional(),
  })
  .refine((quota) => quota.daily !== undefined || quota.monthly !== undefined, 'set daily, monthly or both');

export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(scopeSchema).min(1).max(50),
  productIds: z
    .array(z.string().trim().min(1).max(100))
    .max(100)
    .nullable()
    .optional()
    .describe(
      'The products this credential is restricted to, each by id or code (answered as ids); null or absent: every product',
    ),
  readOnly: z.boolean().optional(),
  requireSignature: z.boolean().optional(),
  expiresAt: z.iso.datetime().nullable().optional(),
  rateLimit: z.number().int().min(1).max(1_000_000).nullable().optional(),
  quota: quotaSchema.nullable().optional(),
});

export type CreateApiKey = z.infer<typeof createApiKeySchema>;

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    keyPrefix: z.string().describe('The first characters of the secret, to recognise it'),
    scopes: z.array(scopeSchema),
    productIds: z.array(z.string()).nullable(),
    readOnly: z.boolean(),
    requireSignature: z.boolean(),
    rateLimit: z.number().nullable(),
    quota: z.object({ daily: z.number().optional(), monthly: z.number().optional() }).nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    createdBy: z.object({ type: z.string(), id: z.string().nullable() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ApiKey' });

export type ApiKey = z.infer<typeof apiKeySchema>;

export const createdApiKeySchema = apiKeySchema
  .extend({
    secret: z.string().describe('The key itself: shown once, never again'),
    signingSecret: z
      .string()
      .optional()
      .describe('With requireSignature: the HMAC secret that signs every request of this key; shown once'),
  })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyIdParams = z.object({ id: z.string().min(1).max(64) });

export const apiKeyListQuery = listQuerySchema({
  revoked: z.enum(['true', 'false']).optional(),
});
