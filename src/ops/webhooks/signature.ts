// Standard Webhooks signatures (api.md "Webhooks"): the secret is `whsec_<base64 secret bytes>`; a delivery carries
// webhook-id, webhook-timestamp (unix seconds) and webhook-signature `v1,<base64 HMAC-SHA256(secret bytes,
// id + "." + timestamp + "." + body)>`, so receivers verify with the specification's published libraries.
import { createHmac } from 'node:crypto';
import { secureRandomBytes } from '../../lib/random.js';

const prefix = 'whsec_';

/** A new endpoint secret: 24 random bytes (the libraries accept 24–64). */
export const newWebhookSecret = (): string => `${prefix}${secureRandomBytes(24).toString('base64')}`;

export const webhookSignature = (
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string => {
  const key = Buffer.from(secret.startsWith(prefix) ? secret.slice(prefix.length) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
};

/** The headers a delivery of event `id` sends at `timestampSeconds`. */
export const webhookHeaders = (secret: string, id: string, timestampSeconds: number, body: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestampSeconds),
  'webhook-signature': webhookSignature(secret, id, timestampSeconds, body),
});
