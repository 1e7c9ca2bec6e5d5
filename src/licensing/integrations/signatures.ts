// Verifying inbound webhooks with each scheme's own library: Stripe's `Stripe-Signature` with stripe-node's
// webhooks.constructEvent, Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature, whsec_ base64
// secret) with the standardwebhooks signer. Both sign a timestamp, refused when older than 5 minutes (Standard
// Webhooks: or newer) so a captured request cannot be replayed later. A library's own message never reaches the
// answer: it may quote the header or the body, and a refusal says only which check failed.
import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { AppError } from '../../errors/app-error.js';

export const signatureToleranceSeconds = 300;

const refuse = (why: string) =>
  new AppError('INVALID_SIGNATURE', `The webhook signature does not verify: ${why}`);

// What stripe-node's StripeSignatureVerificationError messages mean, said in Charter's words.
const stripeRefusals: [libraryMessage: string, why: string][] = [
  ['No webhook payload', 'the body is empty'],
  ['Unable to extract timestamp', 'Stripe-Signature has no t= or v1='],
  ['No signatures found with expected scheme', 'Stripe-Signature has no t= or v1='],
  ['No signatures found matching', 'no v1 signature matches'],
  ['Timestamp outside the tolerance zone', `the timestamp is more than ${signatureToleranceSeconds} s old`],
];

/**
 * Throws INVALID_SIGNATURE unless `header` signs `body` (the bytes received) with `secret` within the tolerance
 * before `nowMs`. Stripe sends one v1 per active secret while a secret is being rolled: any may match.
 */
export const verifyStripeSignature = (
  secret: string | undefined,
  header: string | undefined,
  body: string,
  nowMs: number,
): void => {
  if (!secret) throw refuse('no Stripe endpoint secret is configured (CHARTER_STRIPE_WEBHOOK_SECRET)');
  if (!header) throw refuse('the Stripe-Signature header is missing');
  try {
    Stripe.webhooks.constructEvent(body, header, secret, signatureToleranceSeconds, undefined, nowMs);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      const known = stripeRefusals.find(([libraryMessage]) => error.message.startsWith(libraryMessage));
      throw refuse(known?.[1] ?? 'Stripe’s library refused it');
    }
    // Signed by Stripe, but a thin event notification (object v2.core.event), not the event this endpoint reads.
    throw new AppError('VALIDATION_ERROR', 'The signed body is not a Stripe event (object "event")');
  }
};

const secretOf = (secret: string) => {
  try {
    return new Webhook(secret);
  } catch {
    throw refuse('the configured secret (CHARTER_GENERIC_WEBHOOK_SECRET) is not whsec_<base64>');
  }
};

const equalText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Throws INVALID_SIGNATURE unless the Standard Webhooks headers sign `body` with `secret` within the tolerance of
 * `nowMs`. The library computes the signature; its verify() is not used because it reads the wall clock, and
 * freshness is judged by Charter's clock.
 */
export const verifyStandardWebhook = (
  secret: string | undefined,
  headers: { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined },
  body: string,
  nowMs: number,
): void => {
  if (!secret) throw refuse('no secret is configured (CHARTER_GENERIC_WEBHOOK_SECRET)');
  if (!headers.id || !headers.timestamp || !headers.signature)
    throw refuse('webhook-id, webhook-timestamp and webhook-signature are all required');
  const timestampSeconds = Number(headers.timestamp);
  if (!Number.isSafeInteger(timestampSeconds) || String(timestampSeconds) !== headers.timestamp)
    throw refuse('the timestamp is not unix seconds');
  const expected = secretOf(secret).sign(headers.id, new Date(timestampSeconds * 1000), body);
  // Space-separated `v1,<signature>` entries, one per secret while one is rotated.
  if (!headers.signature.split(' ').some((entry) => equalText(entry, expected)))
    throw refuse('no v1 signature matches');
  if (Math.abs(nowMs / 1000 - timestampSeconds) > signatureToleranceSeconds)
    throw refuse(`the timestamp is more than ${signatureToleranceSeconds} s from now`);
};
