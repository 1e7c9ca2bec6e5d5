// Outbound delivery through a real local receiver: signed bodies the standardwebhooks library verifies, the retry
// schedule, per-attempt logs, order per subject, manual retry, disabling, and one send per delivery across workers.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { sendWebhook } from '../../src/ops/webhooks/sender.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';
import { type Receiver, startReceiver, testWebhookWorker } from '../support/webhooks.js';

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  attemptLog: {
    attempt: number;
    statusCode: number | null;
    latencyMs: number;
    responseBody: string | null;
  }[];
}

describe('the webhook sender', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  it('gives up on an answer that takes longer than its limit', async () => {
    receiver.answer = () => 'hang';
    const outcome = await sendWebhook({
      url: receiver.url,
      headers: {},
      body: '{}',
      allowPrivate: true,
      timeoutMs: 200,
    });
    assert.equal(outcome.statusCode, null);
    assert.match(outcome.error ?? '', /timed out/);
    assert.ok(outcome.latencyMs >= 190, String(outcome.latencyMs));
  });

  it('does not follow redirects', async () => {
    receiver.answer = () => ({ status: 302, location: `${receiver.url}/elsewhere` });
    const outcome = await sendWebhook({ url: receiver.url, headers: {}, body: '{}', allowPrivate: true });
    assert.equal(outcome.statusCode, 302);
    assert.equal(receiver.received.length, 1);
  });

  it('keeps the first 2 KiB of the answer', async () => {
    receiver.answer = () => ({ status: 200, body: 'x'.repeat(100_000) });
    const outcome = await sendWebhook({ url: receiver.url, headers: {}, body: '{}', allowPrivate: true });
    assert.equal(outcome.statusCode, 200);
    assert.equal(outcome.body?.length, 2048);
  });

  it('refuses internal targets at send time, by address and by name, without connecting', async () => {
    const byAddress = await sendWebhook({ url: receiver.url, headers: {}, body: '{}', allowPrivate: false });
    assert.match(byAddress.error ?? '', /^refused: 127\.0\.0\.1 is an internal address/);
    const byName = await sendWebhook({
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      headers: {},
      body: '{}',
      allowPrivate: false,
    });
    assert.match(byName.error ?? '', /refused: localhost resolves to .*internal address/);
    assert.equal(receiver.received.length, 0);
  });
});

for (const dialect of dialects()) {
  describe(`webhook deliveries (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let receiver: Receiver;
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      // The receiver's library checks the signed timestamp against its own clock: the fixed clock starts now.
      t = await withApp({ dialect, now: new Date(), config: { CHARTER_WEBHOOKS_ALLOW_PRIVATE: true } });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());
    beforeEach(async () => {
      receiver = await startReceiver();
    });
    afterEach(async () => {
      await receiver.close();
      // Each test starts without endpoints, so earlier tests' deliveries stay out of its way.
      const list = (await call('GET', '/v1/webhook-endpoints?limit=200')).json() as {
        data: { id: string }[];
      };
      for (const endpoint of list.data) await call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    });

    const addEndpoint = async (events: string[] = ['*']) => {
      const res = await call('POST', '/v1/webhook-endpoints', { url: receiver.url, events });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; secret: string };
    };
    let customers = 0;
    const addCustomer = async () => {
      customers += 1;
      const res = await call('POST', '/v1/customers', {
        email: `buyer${customers}@example.com`,
        name: 'Buyer',
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; email: string };
    };
    const deliveriesOf = async (endpointId: string) => {
      const res = await call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { data: Delivery[] }).data;
    };

    it('delivers a change to each subscribed endpoint, signed so the standardwebhooks library verifies it', async () => {
      const endpoint = await addEndpoint(['customer.created']);
      const other = await addEndpoint(['license.created']);
      const customer = await addCustomer();
      const changedAt = t.clock.now().toISOString();
      t.clock.advance(1);
      const late = await addEndpoint(['*']);
      const worker = testWebhookWorker(t);
      assert.deepEqual(await worker.runOnce(), { fannedOut: 1, sent: 1 });
      assert.equal(receiver.received.length, 1);
      const [request] = receiver.received;
      assert.ok(request);
      const payload = new Webhook(endpoint.secret).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }) as { id: string; type: string; createdAt: string; data: { object: { id: string; email: string } } };
      assert.equal(request.headers['content-type'], 'application/json');
      assert.match(payload.id, /^evt_/);
      assert.equal(request.headers['webhook-id'], payload.id);
      assert.equal(request.headers['webhook-timestamp'], String(Math.floor(t.clock.nowMs() / 1000)));
      assert.equal(payload.type, 'customer.created');
      assert.equal(payload.createdAt, changedAt);
      assert.deepEqual([payload.data.object.id, payload.data.object.email], [customer.id, customer.email]);
      const [delivery] = await deliveriesOf(endpoint.id);
      assert.equal(delivery?.status, 'delivered');
      assert.equal(delivery?.eventId, payload.id);
      assert.deepEqual(
        delivery?.attemptLog.map((attempt) => [attempt.attempt, attempt.statusCode]),
        [[1, 204]],
      );
      // Not subscribed, or created after the event: nothing for them.
      assert.deepEqual(await deliveriesOf(other.id), []);
      assert.deepEqual(await deliveriesOf(late.id), []);
      assert.deepEqual(await worker.runOnce(), { fannedOut: 0, sent: 0 });
    });

    it('a receiver answering 500 three times then 200 gets exactly one successful delivery, logged after three failures', async () => {
      const endpoint = await addEndpoint(['customer.created']);
      receiver.answer = (_request, index) =>
        index < 3 ? { status: 500, body: `busy ${index}` } : { status: 200, body: 'ok' };
      await addCustomer();
      const worker = testWebhookWorker(t);
      const waits: number[] = [];
      await worker.runOnce();
      for (let round = 0; round < 3; round++) {
        const [delivery] = await deliveriesOf(endpoint.id);
        assert.equal(delivery?.status, 'pending');
        const next = Date.parse(delivery?.nextAttemptAt ?? '');
        waits.push(next - t.clock.nowMs());
        // Not due yet: nothing is sent early.
        assert.equal((await worker.runOnce()).sent, 0);
        t.clock.set(next);
        await worker.runOnce();
      }
      const [delivery] = await deliveriesOf(endpoint.id);
      assert.equal(delivery?.status, 'delivered');
      assert.deepEqual(
        delivery?.attemptLog.map((attempt) => [attempt.statusCode, attempt.responseBody]),
        [
          [500, 'busy 0'],
          [500, 'busy 1'],
          [500, 'busy 2'],
          [200, 'ok'],
        ],
      );
      assert.equal(receiver.received.length, 4);
      assert.equal(new Set(receiver.received.map((request) => request.headers['webhook-id'])).size, 1);
      // Exponential: each wait three times the one before (the jitter drawn at its middle here).
      assert.deepEqual(
        waits.map((wait) => Math.round(wait / 1000)),
        [79, 237, 711],
      );
      assert.equal((await worker.runOnce()).sent, 0);
    });

    it('after 8 failed attempts over 24 h a delivery fails and its endpoint is disabled; a manual retry still sends it', async () => {
      const endpoint = await addEndpoint(['customer.created']);
      receiver.answer = () => ({ status: 503 });
      await addCustomer();
      const worker = testWebhookWorker(t);
      const firstAt = t.clock.nowMs();
      await worker.runOnce();
      for (let attempt = 2; attempt <= 8; attempt++) {
        const [delivery] = await deliveriesOf(endpoint.id);
        t.clock.set(Date.parse(delivery?.nextAttemptAt ?? ''));
        await worker.runOnce();
      }
      const [failed] = await deliveriesOf(endpoint.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.attempts, 8);
      assert.equal(failed?.nextAttemptAt, null);
      assert.equal(Math.round((t.clock.nowMs() - firstAt) / 3600_000), 24);
      const disabled = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).json() as {
        enabled: boolean;
        disabledReason: string | null;
      };
      assert.equal(disabled.enabled, false);
      assert.match(disabled.disabledReason ?? '', /failed all 8 attempts/);
      // A disabled endpoint gets no new deliveries.
      await addCustomer();
      await worker.runOnce();
      assert.equal((await deliveriesOf(endpoint.id)).length, 1);
      assert.equal(receiver.received.length, 8);

      const refused = expectError(
        await call('POST', `/v1/webhook-deliveries/${failed?.id}/retry`),
        502,
        'NOTIFICATION_FAILED',
      );
      assert.equal((refused.details as { delivery: Delivery }).delivery.attempts, 9);
      receiver.answer = () => ({ status: 200 });
      const retried = await call('POST', `/v1/webhook-deliveries/${failed?.id}/retry`);
      assert.equal(retried.statusCode, 200, retried.body);
      const delivered = retried.json() as Delivery;
      assert.deepEqual(
        [delivered.status, delivered.attempts, delivered.lastStatusCode],
        ['delivered', 10, 200],
      );
      assert.equal((await call('GET', `/v1/webhook-deliveries/${failed?.id}`)).json().status, 'delivered');
      expectError(await call('POST', '/v1/webhook-deliveries/whd_missing/retry'), 404, 'NOT_FOUND');
    });

    it('a subject’s deliveries keep their order: a later event waits while an earlier one is retried', async () => {
      const endpoint = await addEndpoint(['customer.created', 'customer.updated']);
      const customer = await addCustomer();
      // The first customer's creation is refused once; everything else is accepted.
      let refused = false;
      receiver.answer = (request) => {
        const body = JSON.parse(request.body) as { type: string; data: { object: { id: string } } };
        if (refused || body.type !== 'customer.created' || body.data.object.id !== customer.id)
          return { status: 204 };
        refused = true;
        return { status: 500 };
      };
      const patched = await call('PATCH', `/v1/customers/${customer.id}`, { name: 'Renamed' });
      assert.equal(patched.statusCode, 200, patched.body);
      const unrelated = await addCustomer();
      const worker = testWebhookWorker(t);
      await worker.runOnce();
      const typesOf = () =>
        receiver.received.map((request) => {
          const body = JSON.parse(request.body) as { type: string; data: { object: { id: string } } };
          return `${body.type}:${body.data.object.id === customer.id ? 'first' : 'other'}`;
        });
      // The first customer's update waits behind its creation; the other customer is not held up (the two
      // customers' deliveries go out side by side, in either order).
      assert.deepEqual(typesOf().sort(), ['customer.created:first', 'customer.created:other']);
      const waiting = (await deliveriesOf(endpoint.id)).find(
        (delivery) => delivery.eventType === 'customer.updated',
      );
      assert.deepEqual([waiting?.status, waiting?.attempts], ['pending', 0]);
      t.clock.advance(24 * 3600 * 1000);
      await worker.runOnce();
      assert.deepEqual(typesOf().slice(2), ['customer.created:first', 'customer.updated:first']);
      assert.ok(unrelated.id);
    });

    it('an endpoint answering 410 Gone is disabled at once, and its delivery fails without retries', async () => {
      const endpoint = await addEndpoint(['customer.created']);
      receiver.answer = () => ({ status: 410 });
      await addCustomer();
      await testWebhookWorker(t).runOnce();
      const [delivery] = await deliveriesOf(endpoint.id);
      assert.deepEqual([delivery?.status, delivery?.attempts], ['failed', 1]);
      const after = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).json() as {
        enabled: boolean;
        disabledReason: string;
      };
      assert.equal(after.enabled, false);
      assert.match(after.disabledReason, /410 Gone/);
    });

    it('a 429, 502, 503 or 504 with Retry-After is tried again no earlier than it asks', async () => {
      const endpoint = await addEndpoint(['customer.created']);
      for (const status of [429, 503]) {
        receiver.answer = () => ({ status, headers: { 'retry-after': '3600' } });
        await addCustomer();
        await testWebhookWorker(t).runOnce();
      }
      const waits = (await deliveriesOf(endpoint.id)).map((delivery) =>
        Math.round((Date.parse(delivery.nextAttemptAt ?? '') - t.clock.nowMs()) / 1000),
      );
      assert.deepEqual(waits, [3600, 3600], 'an hour, not the schedule’s 79 s');
      // An HTTP-date works too, and a 500's Retry-After is not honoured.
      const later = new Date(t.clock.nowMs() + 7200_000).toUTCString();
      receiver.answer = () => ({ status: 502, headers: { 'retry-after': later } });
      await addCustomer();
      await testWebhookWorker(t).runOnce();
      receiver.answer = () => ({ status: 500, headers: { 'retry-after': '3600' } });
      await addCustomer();
      await testWebhookWorker(t).runOnce();
      const all = await deliveriesOf(endpoint.id);
      const waitOf = (status: number) =>
        Math.round(
          (Date.parse(all.find((delivery) => delivery.lastStatusCode === status)?.nextAttemptAt ?? '') -
            t.clock.nowMs()) /
            1000,
        );
      assert.ok(Math.abs(waitOf(500) - 79) <= 1, `a 500 keeps the schedule: ${waitOf(500)}`);
      assert.ok(Math.abs(waitOf(502) - 7200) <= 2, `an HTTP-date: ${waitOf(502)}`);
    });

    it('POST /v1/webhook-endpoints/{id}/test sends a signed webhook.test the standardwebhooks library verifies, and shows the answer', async () => {
      // The receiver's library checks the signed timestamp against its own clock.
      t.clock.set(new Date());
      const endpoint = await addEndpoint(['customer.created']);
      receiver.answer = () => ({ status: 202, body: 'pong' });
      const res = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as {
        eventId: string;
        delivered: boolean;
        statusCode: number;
        responseBody: string;
      };
      assert.deepEqual([body.delivered, body.statusCode, body.responseBody], [true, 202, 'pong']);
      const [request] = receiver.received;
      assert.ok(request);
      const payload = new Webhook(endpoint.secret).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }) as { id: string; type: string };
      assert.deepEqual([payload.id, payload.type], [body.eventId, 'webhook.test']);
      assert.deepEqual(await deliveriesOf(endpoint.id), [], 'a test is not queued or retried');
      receiver.answer = () => ({ status: 500 });
      const failed = (await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test`)).json() as {
        delivered: boolean;
        statusCode: number;
      };
      assert.deepEqual([failed.delivered, failed.statusCode], [false, 500]);
      expectError(await call('POST', '/v1/webhook-endpoints/whe_missing/test'), 404, 'NOT_FOUND');
    });

    it('a redirect is a failed attempt and is not followed', async () => {
      const endpoint = await addEndpoint(['customer.created']);
      receiver.answer = () => ({ status: 301, location: 'http://127.0.0.1:1/elsewhere' });
      await addCustomer();
      await testWebhookWorker(t).runOnce();
      const [delivery] = await deliveriesOf(endpoint.id);
      assert.deepEqual([delivery?.status, delivery?.lastStatusCode], ['pending', 301]);
      assert.equal(receiver.received.length, 1);
    });

    it('several workers at once send each delivery exactly once', async () => {
      await addEndpoint(['customer.created']);
      for (let i = 0; i < 30; i++) await addCustomer();
      receiver.answer = () => ({ status: 200 });
      const workers = [testWebhookWorker(t), testWebhookWorker(t), testWebhookWorker(t)];
      const passes = await Promise.all(workers.map((worker) => worker.runOnce()));
      assert.equal(
        passes.reduce((sum, pass) => sum + pass.sent, 0),
        30,
      );
      const ids = receiver.received.map((request) => String(request.headers['webhook-id']));
      assert.equal(ids.length, 30);
      assert.equal(new Set(ids).size, 30);
    });

    it('deliveries and retries are refused to a credential without webhooks scopes', async () => {
      const endpoint = await addEndpoint();
      const reader = (await createKey(t, ['licenses:read'])).secret;
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/webhook-endpoints/${endpoint.id}/deliveries`,
        headers: { authorization: `Bearer ${reader}` },
      });
      expectError(res, 403, 'AUTH_INSUFFICIENT');
      expectError(await call('GET', '/v1/webhook-endpoints/whe_missing/deliveries'), 404, 'NOT_FOUND');
    });
  });
}
