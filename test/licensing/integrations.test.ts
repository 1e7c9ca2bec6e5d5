// Inbound store webhooks: Stripe events signed by Stripe's own library (stripe-node's test header, exactly what
// Stripe sends) and generic orders signed by the Standard Webhooks library; each event applied once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { verifyStandardWebhook, verifyStripeSignature } from '../../src/licensing/integrations/signatures.js';
import { newWebhookSecret } from '../../src/ops/webhooks/signature.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const stripeSecret = 'whsec_charter_test_endpoint_secret';

describe('inbound signature checks', () => {
  const now = Date.parse('2026-11-23T06:00:00Z');
  const body = '{"id":"evt_1"}';
  const header = (payload: string, timestamp = Math.floor(now / 1000), secret = stripeSecret) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

  it('a Stripe-Signature verifies for its body and secret, within five minutes, and with a rolled second secret', () => {
    verifyStripeSignature(stripeSecret, header(body), body, now);
    verifyStripeSignature(stripeSecret, header(body, Math.floor(now / 1000) - 299), body, now);
    const rolled = `${header(body, Math.floor(now / 1000), 'whsec_old')},v1=${header(body).split('v1=')[1]}`;
    verifyStripeSignature(stripeSecret, rolled, body, now);
    for (const [secret, signature, payload] of [
      [stripeSecret, header(body), '{"id":"evt_2"}'],
      ['whsec_other', header(body), body],
      [stripeSecret, header(body, Math.floor(now / 1000) - 301), body],
      [stripeSecret, undefined, body],
      [stripeSecret, 't=1,v0=abc', body],
      [undefined, header(body), body],
    ] as const) {
      assert.throws(
        () => verifyStripeSignature(secret, signature, payload, now),
        (error: { code?: string; message?: string }) =>
          error.code === 'INVALID_SIGNATURE' &&
          // Charter's words, never stripe-node's message (it may quote the header or the body).
          /^The webhook signature does not verify: [^\n]+$/.test(error.message ?? '') &&
          !(error.message ?? '').includes('stripe.com') &&
          (signature === undefined || !(error.message ?? '').includes(signature)),
      );
    }
    assert.throws(
      () => verifyStripeSignature(stripeSecret, header(body, Math.floor(now / 1000) - 301), body, now),
      /the timestamp is more than 300 s old/,
    );
  });

  it('a correctly signed Stripe body that is a thin event notification, not an event, answers VALIDATION_ERROR', () => {
    const thin =
      '{"id":"evt_thin","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered"}';
    assert.throws(
      () => verifyStripeSignature(stripeSecret, header(thin), thin, now),
      (error: { code?: string }) => error.code === 'VALIDATION_ERROR',
    );
  });

  it('a Standard Webhooks signature made by its library verifies, and fails for any change', () => {
    const secret = newWebhookSecret();
    const signature = new Webhook(secret).sign('msg_1', new Date(now), body);
    const headers = { id: 'msg_1', timestamp: String(Math.floor(now / 1000)), signature };
    verifyStandardWebhook(secret, headers, body, now);
    const refused = (run: () => void) =>
      assert.throws(run, (error: { code?: string }) => error.code === 'INVALID_SIGNATURE');
    refused(() => verifyStandardWebhook(secret, { ...headers, id: 'msg_2' }, body, now));
    refused(() => verifyStandardWebhook(secret, headers, '{}', now));
    refused(() => verifyStandardWebhook(newWebhookSecret(), headers, body, now));
    refused(() =>
      verifyStandardWebhook(secret, { ...headers, timestamp: String(Math.floor(now / 1000) + 1) }, body, now),
    );
    // Five minutes and a second later, the same signed request is stale.
    refused(() => verifyStandardWebhook(secret, headers, body, now + 301_000));
    refused(() => verifyStandardWebhook(undefined, headers, body, now));
    // Only the canonical decimal seconds the signer wrote.
    refused(() =>
      verifyStandardWebhook(secret, { ...headers, timestamp: `0${headers.timestamp}` }, body, now),
    );
    // A configured secret that is not whsec_<base64> refuses every request, and says which setting is wrong.
    assert.throws(
      () => verifyStandardWebhook('whsec_not base64!', headers, body, now),
      (error: { code?: string; message?: string }) =>
        error.code === 'INVALID_SIGNATURE' && /CHARTER_GENERIC_WEBHOOK_SECRET/.test(error.message ?? ''),
    );
  });
});

interface Answer {
  received: boolean;
  replayed: boolean;
  applied: boolean;
  orderId?: string;
  licenseIds?: string[];
  note?: string;
}

for (const dialect of dialects()) {
  describe(`store integrations (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let stripeApi: Server;
    const apiCalls: { url: string; headers: IncomingHttpHeaders }[] = [];
    const genericSecret = newWebhookSecret();
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      // Stripe's API, for the one call Charter makes to it (a session's line items), answered in Stripe's format.
      stripeApi = createServer((request, response) => {
        apiCalls.push({ url: request.url ?? '', headers: request.headers });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            object: 'list',
            data: [
              {
                id: 'li_1',
                object: 'item',
                quantity: 3,
                price: {
                  id: 'price_team',
                  object: 'price',
                  metadata: { charter_product: 'app', charter_policy: 'pro' },
                },
              },
            ],
            has_more: false,
          }),
        );
      });
      stripeApi.listen(0, '127.0.0.1');
      await once(stripeApi, 'listening');
      t = await withApp({
        dialect,
        config: {
          CHARTER_STRIPE_WEBHOOK_SECRET: stripeSecret,
          CHARTER_GENERIC_WEBHOOK_SECRET: genericSecret,
          CHARTER_STRIPE_API_KEY: 'sk_test_local',
          CHARTER_STRIPE_API_URL: `http://127.0.0.1:${(stripeApi.address() as AddressInfo).port}`,
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
      const product = await createProduct(t, admin, { code: 'app', name: 'App' });
      await createPolicy(t, admin, product.id, { code: 'pro', name: 'Pro', durationSeconds: 30 * 86400 });
    });
    after(async () => {
      stripeApi.close();
      await t.close();
    });

    const sendStripe = (event: Record<string, unknown>, options: { signature?: string } = {}) => {
      const payload = JSON.stringify(event);
      return t.app.inject({
        method: 'POST',
        url: '/v1/integrations/stripe/webhook',
        headers: {
          'content-type': 'application/json',
          'stripe-signature':
            options.signature ??
            Stripe.webhooks.generateTestHeaderString({
              payload,
              secret: stripeSecret,
              timestamp: Math.floor(t.clock.nowMs() / 1000),
            }),
        },
        payload,
      });
    };
    const stripeEvent = (id: string, type: string, object: Record<string, unknown>) => ({
      id,
      object: 'event',
      api_version: '2025-10-29.clover',
      created: Math.floor(t.clock.nowMs() / 1000),
      type,
      data: { object },
    });
    const session = (id: string, subscription: string | null, withLineItems = true) => ({
      id,
      object: 'checkout.session',
      mode: subscription ? 'subscription' : 'payment',
      customer_details: { email: `${id}@example.com`, name: 'Ada Buyer' },
      subscription,
      ...(withLineItems
        ? {
            line_items: {
              object: 'list',
              data: [
                {
                  quantity: 2,
                  price: { id: 'price_pro', metadata: { charter_product: 'app', charter_policy: 'pro' } },
                },
                { quantity: 1, price: { id: 'price_mug', metadata: {} } },
              ],
            },
          }
        : {}),
    });
    const license = async (id: string) =>
      (await call('GET', `/v1/licenses/${id}`)).json() as {
        status: string;
        expiresAt: string;
        customerId: string;
        metadata: Record<string, unknown>;
      };
    const licenseCount = async () => (await t.db.kysely.selectFrom('licenses').select('id').execute()).length;

    it('checkout.session.completed issues an order to the customer by email, keeping the subscription on each license; a replay is acknowledged and not applied', async () => {
      const event = stripeEvent('evt_checkout_1', 'checkout.session.completed', session('cs_1', 'sub_1'));
      const res = await sendStripe(event);
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json() as Answer;
      assert.deepEqual([answer.received, answer.replayed, answer.applied], [true, false, true]);
      assert.equal(answer.licenseIds?.length, 2);
      const order = (await call('GET', `/v1/orders/${answer.orderId}`)).json() as {
        externalId: string;
        customerId: string;
      };
      assert.equal(order.externalId, 'cs_1');
      const customer = (await call('GET', `/v1/customers/${order.customerId}`)).json() as { email: string };
      assert.equal(customer.email, 'cs_1@example.com');
      for (const id of answer.licenseIds ?? []) {
        const issued = await license(id);
        assert.equal(issued.metadata.stripeSubscriptionId, 'sub_1');
        assert.equal(issued.status, 'active');
      }
      const before = await licenseCount();
      const replay = await sendStripe(event);
      assert.equal(replay.statusCode, 200, replay.body);
      assert.deepEqual(replay.json(), { ...answer, replayed: true });
      assert.equal(await licenseCount(), before);
    });

    it('invoice.paid renews the subscription’s licenses (not its first invoice), customer.subscription.deleted suspends them', async () => {
      const issued = (
        await sendStripe(
          stripeEvent('evt_checkout_2', 'checkout.session.completed', session('cs_2', 'sub_2')),
        )
      ).json() as Answer;
      const ids = issued.licenseIds ?? [];
      const endBefore = (await license(ids[0] ?? '')).expiresAt;
      const first = (
        await sendStripe(
          stripeEvent('evt_invoice_first', 'invoice.paid', {
            object: 'invoice',
            billing_reason: 'subscription_create',
            parent: { subscription_details: { subscription: 'sub_2' } },
          }),
        )
      ).json() as Answer;
      assert.equal(first.applied, false);
      assert.equal((await license(ids[0] ?? '')).expiresAt, endBefore);

      const renewed = (
        await sendStripe(
          stripeEvent('evt_invoice_cycle', 'invoice.paid', {
            object: 'invoice',
            billing_reason: 'subscription_cycle',
            parent: { subscription_details: { subscription: 'sub_2' } },
          }),
        )
      ).json() as Answer;
      assert.deepEqual(renewed.licenseIds, [...ids].sort());
      for (const id of ids)
        assert.equal(Date.parse((await license(id)).expiresAt) - Date.parse(endBefore), 30 * 86400 * 1000);
      // Older API versions name the subscription on the invoice itself.
      const legacy = (
        await sendStripe(
          stripeEvent('evt_invoice_legacy', 'invoice.paid', {
            object: 'invoice',
            billing_reason: 'subscription_cycle',
            subscription: 'sub_2',
          }),
        )
      ).json() as Answer;
      assert.equal(legacy.applied, true);

      const cancelled = await sendStripe(
        stripeEvent('evt_sub_deleted', 'customer.subscription.deleted', {
          id: 'sub_2',
          object: 'subscription',
        }),
      );
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      for (const id of ids) assert.equal((await license(id)).status, 'suspended');
      const unknown = (
        await sendStripe(
          stripeEvent('evt_sub_unknown', 'customer.subscription.deleted', {
            id: 'sub_none',
            object: 'subscription',
          }),
        )
      ).json() as Answer;
      assert.equal(unknown.applied, false);
      assert.match(unknown.note ?? '', /No license belongs to subscription sub_none/);
    });

    it('a session without line_items has them read from Stripe’s API with the configured key', async () => {
      const res = await sendStripe(
        stripeEvent('evt_checkout_api', 'checkout.session.completed', session('cs_api', null, false)),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as Answer).licenseIds?.length, 3);
      const [request] = apiCalls;
      assert.equal(request?.url, '/v1/checkout/sessions/cs_api/line_items?limit=100');
      assert.equal(request?.headers.authorization, 'Bearer sk_test_local');
    });

    it('the same Stripe event delivered twenty times at once is applied once', async () => {
      const before = await licenseCount();
      const event = stripeEvent(
        'evt_checkout_race',
        'checkout.session.completed',
        session('cs_race', 'sub_race'),
      );
      const answers = await Promise.all(Array.from({ length: 20 }, () => sendStripe(event)));
      for (const res of answers) assert.equal(res.statusCode, 200, res.body);
      const replayed = answers.map((res) => (res.json() as Answer).replayed);
      assert.equal(replayed.filter((value) => !value).length, 1);
      assert.equal(await licenseCount(), before + 2);
    });

    it('a wrong, stale or missing Stripe signature answers 401 INVALID_SIGNATURE and applies nothing', async () => {
      const before = await licenseCount();
      const event = stripeEvent('evt_forged', 'checkout.session.completed', session('cs_forged', null));
      const payload = JSON.stringify(event);
      for (const signature of [
        Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' }),
        Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: stripeSecret,
          timestamp: Math.floor(t.clock.nowMs() / 1000) - 600,
        }),
        'garbage',
      ])
        expectError(await sendStripe(event, { signature }), 401, 'INVALID_SIGNATURE');
      expectError(
        await t.app.inject({ method: 'POST', url: '/v1/integrations/stripe/webhook', payload: event }),
        401,
        'INVALID_SIGNATURE',
      );
      assert.equal(await licenseCount(), before);
    });

    it('other Stripe events are acknowledged and not acted on', async () => {
      const res = await sendStripe(stripeEvent('evt_other', 'payment_intent.created', { id: 'pi_1' }));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as Answer).applied, false);
    });

    const sendGeneric = (id: string, body: unknown, secret = genericSecret) => {
      const payload = JSON.stringify(body);
      return t.app.inject({
        method: 'POST',
        url: '/v1/integrations/generic/webhook',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(t.clock.nowMs() / 1000)),
          'webhook-signature': new Webhook(secret).sign(id, t.clock.now(), payload),
        },
        payload,
      });
    };
    const genericOrder = (externalId: string, productCode = 'app') => ({
      type: 'order.created',
      data: {
        externalId,
        customer: { email: `${externalId}@example.com` },
        items: [{ productCode, policyCode: 'pro', quantity: 1 }],
      },
    });

    it('a generic order signed per Standard Webhooks is issued once per webhook-id', async () => {
      const res = await sendGeneric('msg_order_1', genericOrder('shop-1'));
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json() as Answer;
      assert.deepEqual([answer.applied, answer.replayed, answer.licenseIds?.length], [true, false, 1]);
      const before = await licenseCount();
      const replay = await sendGeneric('msg_order_1', genericOrder('shop-1'));
      assert.deepEqual(replay.json(), { ...answer, replayed: true });
      assert.equal(await licenseCount(), before);
      expectError(
        await sendGeneric('msg_order_2', genericOrder('shop-2'), newWebhookSecret()),
        401,
        'INVALID_SIGNATURE',
      );
      expectError(
        await sendGeneric('msg_order_3', { type: 'license.created', data: {} }),
        400,
        'VALIDATION_ERROR',
      );
    });

    it('a generic order that fails writes nothing, and its retry after the fix is applied', async () => {
      const before = await licenseCount();
      expectError(await sendGeneric('msg_order_4', genericOrder('shop-4', 'nope')), 422, 'UNKNOWN_PRODUCT');
      assert.equal(await licenseCount(), before);
      const retried = await sendGeneric('msg_order_4', genericOrder('shop-4'));
      assert.equal(retried.statusCode, 200, retried.body);
      assert.equal((retried.json() as Answer).replayed, false);
    });
  });
}
