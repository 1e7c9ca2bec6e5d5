// Verifying inbound webhooks: Stripe's `Stripe-Signature` (t=…,v1=… : hex HMAC-SHA256 of `t.body` keyed with the
// endpoint secret as given) and Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature with a
// whsec_ base64 secret). Both sign a timestamp, refused outside ±5 minutes so a captured request cannot be
// replayed later; comparisons are constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';

export const signatureToleranceSeconds = 300;

const equalText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const refuse = (why: string) =>
  new AppError('INVALID_SIGNATURE', `The webhook signature does not verify: ${why}`);

const assertFresh = (timestampSeconds: number, nowMs: number) => {
  if (!Number.isInteger(timestampSeconds)) throw refuse('the timestamp is not a number');
  if (Math.abs(nowMs / 1000 - timestampSeconds) > signatureToleranceSeconds)
    throw refuse(`the timestamp is more than ${signatureToleranceSeconds} s from now`);
};

/** Throws INVALID_SIGNATURE unless `header` signs `body` with `secret` within the tolerance. */
export const verifyStripeSignature = (
  secret: string | undefined,
  header: string | undefined,
  body: string,
  nowMs: number,
): void => {
  if (!secret) throw refuse('no Stripe endpoint secret is configured (CHARTER_STRIPE_WEBHOOK_SECRET)');
  if (!header) throw refuse('the Stripe-Signature header is missing');
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = parts.find(([name]) => name === 't')?.[1];
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  if (!timestamp || signatures.length === 0) throw refuse('Stripe-Signature has no t= or v1=');
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  // Stripe sends one v1 per active secret while a secret is being rolled: any may match.
  if (!signatures.some((signature) => equalText(signature, expected)))
    throw refuse('no v1 signature matches');
  assertFresh(Number(timestamp), nowMs);
};

/** Throws INVALID_SIGNATURE unless the Standard Webhooks headers sign `body` with `secret` within the tolerance. */
export const verifyStandardWebhook = (
  secret: string | undefined,
  headers: { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined },
  body: string,
  nowMs: number,
): void => {
  if (!secret) throw refuse('no secret is configured (CHARTER_GENERIC_WEBHOOK_SECRET)');
  if (!headers.id || !headers.timestamp || !headers.signature)
    throw refuse('webhook-id, webhook-timestamp and webhook-signature are all required');
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers.id}.${headers.timestamp}.${body}`)
    .digest('base64');
  // Space-separated `v1,<signature>` entries, one per secret while one is rotated.
  const matches = headers.signature
    .split(' ')
    .some((entry) => entry.startsWith('v1,') && equalText(entry.slice(3), expected));
  if (!matches) throw refuse('no v1 signature matches');
  assertFresh(Number(headers.timestamp), nowMs);
};
