// Signing key shapes (api.md "Signing keys"): the same view for /v1/signing-keys and the public /v1/public-keys.
import { z } from 'zod';

export const signingKeyStatusSchema = z.enum(['active', 'verify_only', 'retired']);

export const signingKeyViewSchema = z
  .object({
    kid: z.string().describe('The key id (sk_…), named in signatures and license files'),
    algorithm: z.literal('Ed25519'),
    publicKey: z.string().describe('base64 of the SPKI DER public key'),
    status: signingKeyStatusSchema.describe(
      'active signs and verifies; verify_only verifies what it signed; retired does neither',
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SigningKey' });
export type SigningKeyView = z.infer<typeof signingKeyViewSchema>;

export const signingKeyListSchema = z.object({
  data: z.array(signingKeyViewSchema),
  nextCursor: z.null().describe('Every key is in one page'),
});

export const publicKeyListSchema = z
  .object({
    data: z.array(signingKeyViewSchema.omit({ updatedAt: true })),
  })
  .meta({ id: 'PublicKeys' });

export const kidParams = z.object({ kid: z.string().regex(/^sk_[0-9A-Z]{26}$/) });
