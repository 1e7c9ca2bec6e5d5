// Standard Webhooks signatures (api.md "Webhooks"): the secret is `whsec_<base64 secret bytes>`; a delivery carries
// webhook-id, webhook-timestamp (unix seconds) and webhook-signature `v1,<base64 HMAC-SHA256(secret bytes,
// id + "." + timestamp + "." + body)>`, signed by the specification's own library so receivers' libraries agree.
import { Webhook } from 'standardwebhooks';
import { secureRandomBytes } from '../../lib/random.js';

/** A new endpoint secret: 24 random bytes (the libraries accept 24–64). */
export const newWebhookSecret = (): string => `whsec_${secureRandomBytes(24).toString('base64')}`;

/** The headers a delivery of event `id` sends at `timestampSeconds`. */
export const webhookHeaders = (secret: string, id: string, timestampSeconds: number, body: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestampSeconds),
  'webhook-signature': new Webhook(secret).sign(id, new Date(timestampSeconds * 1000), body),
});
