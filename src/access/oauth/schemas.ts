// OAuth client and token shapes.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { scopeSchema } from '../scopes.js';

export const clientSecretPattern = /^cs_[A-Za-z0-9_-]{43}$/;

export const createOauthClientSchema = z.strictObject({
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
  tokenTtlSeconds: z.number().int().min(60).max(86_400).optional(),
});
export type CreateOauthClient = z.infer<typeof createOauthClientSchema>;

export const oauthClientSchema = z
  .object({
    id: z.string(),
    clientId: z.string(),
    name: z.string(),
    scopes: z.array(scopeSchema),
    productIds: z.array(z.string()).nullable(),
    tokenTtlSeconds: z.number(),
    revokedAt: z.string().nullable(),
    createdBy: z.object({ type: z.string(), id: z.string().nullable() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'OAuthClient' });
export type OauthClient = z.infer<typeof oauthClientSchema>;

export const createdOauthClientSchema = oauthClientSchema
  .extend({
    clientSecret: z.string().describe('Shown once, never again'),
  })
  .meta({ id: 'CreatedOAuthClient' });

export const oauthClientIdParams = z.object({ id: z.string().min(1).max(64) });
export const oauthClientListQuery = listQuerySchema({ revoked: z.enum(['true', 'false']).optional() });

/** The token request as RFC 6749 §4.4 sends it (form fields or the same names in JSON). */
export const tokenRequestSchema = z.object({
  grant_type: z.string().min(1).max(100),
  client_id: z.string().max(100).optional(),
  client_secret: z.string().max(200).optional(),
  scope: z.string().max(2000).optional(),
});

export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string(),
  })
  .meta({ id: 'AccessToken' });
