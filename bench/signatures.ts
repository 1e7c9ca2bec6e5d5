// Webhook signatures, libraries against the hand-written code they replaced (`npx tsx bench/signatures.ts`):
// signing an outbound delivery (standardwebhooks), verifying a Stripe-Signature (stripe-node's constructEvent) and a
// Standard Webhooks signature, for bodies of 1 KiB, 17 KiB and 1 MiB. The old code lives here only, as the
// baseline: each case runs old and new in the same process, alternately, several rounds; prints µs/op per round,
// the medians and new/old.
import { createHmac, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import { verifyStandardWebhook, verifyStripeSignature } from '../src/licensing/integrations/signatures.js';
import { newWebhookSecret, webhookHeaders } from '../src/ops/webhooks/signature.js';

// The code before the libraries (src/ops/webhooks/signature.ts and src/licensing/integrations/signatures.ts), less
// its error messages: a refusal throws a plain Error.
const old = {
  webhookHeaders: (secret: string, id: string, timestampSeconds: number, body: string) => {
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
    const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': `v1,${mac}`,
    };
  },
  equalText: (a: string, b: string) => {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  },
  assertFresh: (timestampSeconds: number, nowMs: number) => {
    if (!Number.isInteger(timestampSeconds) || Math.abs(nowMs / 1000 - timestampSeconds) > 300)
      throw new Error('stale');
  },
  verifyStripeSignature: (secret: string, header: string, body: string, nowMs: number) => {
    const parts = header.split(',').map((part) => part.trim().split('='));
    const timestamp = parts.find(([name]) => name === 't')?.[1];
    const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
    if (!timestamp || signatures.length === 0) throw new Error('no t= or v1=');
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    if (!signatures.some((signature) => old.equalText(signature, expected))) throw new Error('no match');
    old.assertFresh(Number(timestamp), nowMs);
  },
  verifyStandardWebhook: (
    secret: string,
    headers: { id: string; timestamp: string; signature: string },
    body: string,
    nowMs: number,
  ) => {
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
    const expected = createHmac('sha256', key)
      .update(`${headers.id}.${headers.timestamp}.${body}`)
      .digest('base64');
    const matches = headers.signature
      .split(' ')
      .some((entry) => entry.startsWith('v1,') && old.equalText(entry.slice(3), expected));
    if (!matches) throw new Error('no match');
    old.assertFresh(Number(headers.timestamp), nowMs);
  },
};

const rounds = 7;
const nowMs = Date.parse('2026-11-23T06:00:00Z');
const nowSeconds = Math.floor(nowMs / 1000);
const secret = newWebhookSecret();
const stripeSecret = 'whsec_charter_bench_endpoint_secret';

/** A JSON event of exactly `bytes` (constructEvent parses what it verified), signed both ways. */
const signedEvent = (bytes: number) => {
  const eventOf = (note: string) =>
    JSON.stringify({
      id: 'evt_01JDX3V6Q8',
      object: 'event',
      type: 'license.created',
      createdAt: '2026-11-23T06:00:00.000Z',
      data: { object: { id: 'lic_01JDX3V6Q8', metadata: { note } } },
    });
  const body = eventOf('x'.repeat(bytes - eventOf('').length));
  if (Buffer.byteLength(body) !== bytes) throw new Error(`the body is not ${bytes} bytes`);
  const generic = old.webhookHeaders(secret, 'msg_1', nowSeconds, body);
  return {
    body,
    stripeHeader: Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: stripeSecret,
      timestamp: nowSeconds,
    }),
    genericHeaders: {
      id: generic['webhook-id'],
      timestamp: generic['webhook-timestamp'],
      signature: generic['webhook-signature'],
    },
  };
};

// Same answers before any timing: identical signatures, and both verifiers accept the same signed requests.
for (let index = 0; index < 100; index++) {
  const anySecret = newWebhookSecret();
  const payload = `${signedEvent(1024).body}${'é'.repeat(index)}`;
  const before = old.webhookHeaders(anySecret, `evt_${index}`, nowSeconds + index, payload);
  const after = webhookHeaders(anySecret, `evt_${index}`, nowSeconds + index, payload);
  if (JSON.stringify(before) !== JSON.stringify(after))
    throw new Error(`signatures differ for input ${index}`);
}

// 1 KiB: a typical event or order. 17 KiB: a license event carrying the most metadata allowed (16 KiB). 1 MiB: the
// largest inbound body accepted by default (CHARTER_BODY_LIMIT), which anyone may send to the inbound routes.
const sizes = [
  { label: '1 KiB', bytes: 1024 },
  { label: '17 KiB', bytes: 17 * 1024 },
  { label: '1 MiB', bytes: 1024 * 1024 },
];
const cases = sizes.flatMap(({ label, bytes }) => {
  const { body, stripeHeader, genericHeaders } = signedEvent(bytes);
  old.verifyStripeSignature(stripeSecret, stripeHeader, body, nowMs);
  verifyStripeSignature(stripeSecret, stripeHeader, body, nowMs);
  old.verifyStandardWebhook(secret, genericHeaders, body, nowMs);
  verifyStandardWebhook(secret, genericHeaders, body, nowMs);
  return [
    {
      name: `sign outbound (${label})`,
      bytes,
      old: () => old.webhookHeaders(secret, 'evt_1', nowSeconds, body),
      new: () => webhookHeaders(secret, 'evt_1', nowSeconds, body),
    },
    {
      name: `verify Stripe-Signature (${label})`,
      bytes,
      old: () => old.verifyStripeSignature(stripeSecret, stripeHeader, body, nowMs),
      new: () => verifyStripeSignature(stripeSecret, stripeHeader, body, nowMs),
    },
    {
      name: `verify Standard Webhooks (${label})`,
      bytes,
      old: () => old.verifyStandardWebhook(secret, genericHeaders, body, nowMs),
      new: () => verifyStandardWebhook(secret, genericHeaders, body, nowMs),
    },
  ];
});

const microsPerOp = (work: () => unknown, bytes: number) => {
  // About 20 MiB hashed per sample whatever the size: 20,000 ops of 1 KiB, 20 of 1 MiB.
  const opsPerRound = Math.max(20, Math.round((20_000 * 1024) / bytes));
  const started = performance.now();
  for (let op = 0; op < opsPerRound; op++) work();
  return ((performance.now() - started) * 1000) / opsPerRound;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const fixed = (value: number, digits = 2) => value.toFixed(digits);

const figures = cases.map((each) => {
  for (let warm = 0; warm < 2; warm++) {
    microsPerOp(each.old, each.bytes);
    microsPerOp(each.new, each.bytes);
  }
  const samples = { old: [] as number[], new: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer (or more fragmented) heap.
    const order = round % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
    for (const which of order) samples[which].push(microsPerOp(each[which], each.bytes));
  }
  const oldMedian = median(samples.old);
  const newMedian = median(samples.new);
  process.stdout.write(
    `${each.name}\n${samples.old
      .map(
        (value, round) =>
          `  round ${round + 1}: old ${fixed(value)} µs/op  new ${fixed(samples.new[round] ?? 0)} µs/op  new/old ${fixed((samples.new[round] ?? 0) / value)}`,
      )
      .join(
        '\n',
      )}\n  median:  old ${fixed(oldMedian)} µs/op  new ${fixed(newMedian)} µs/op  new/old ${fixed(newMedian / oldMedian)}\n\n`,
  );
  return {
    case: each.name,
    oldMicrosPerOp: Number(fixed(oldMedian)),
    newMicrosPerOp: Number(fixed(newMedian)),
    ratioNewToOld: Number(fixed(newMedian / oldMedian)),
    // The issue's bar for keeping our own code: more than 3x slower and more than 50 µs/op.
    tooSlow: newMedian / oldMedian > 3 && newMedian > 50,
  };
});
process.stdout.write(`${JSON.stringify({ node: process.version, rounds, figures }, null, 2)}\n`);
