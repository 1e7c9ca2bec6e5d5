// Every domain emits its events (api.md's list) in the transaction of the change, and a subscribed endpoint
// receives them in order per license: read here through a real receiver, as a vendor's system would.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { scanLifecycle } from '../../src/licensing/lifecycle/service.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { createLicense, createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';
import { type Receiver, startReceiver, testWebhookWorker } from '../support/webhooks.js';

interface Received {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
}

for (const dialect of dialects()) {
  describe(`domain events (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let receiver: Receiver;
    let product: { id: string };
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);

    before(async () => {
      t = await withApp({ dialect, config: { CHARTER_WEBHOOKS_ALLOW_PRIVATE: true } });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'ev', name: 'Events' });
    });
    after(() => t.close());
    beforeEach(async () => {
      receiver = await startReceiver();
      const res = await call('POST', '/v1/webhook-endpoints', { url: receiver.url, events: ['*'] });
      assert.equal(res.statusCode, 201, res.body);
    });
    afterEach(async () => {
      await receiver.close();
      const list = (await call('GET', '/v1/webhook-endpoints')).json() as { data: { id: string }[] };
      for (const endpoint of list.data) await call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    });

    const delivered = async (): Promise<Received[]> => {
      await testWebhookWorker(t).runOnce();
      return receiver.received.map((request) => JSON.parse(request.body) as Received);
    };

    it('a license’s life arrives in order: created, updated, machine activated and deactivated, suspended, reinstated, renewed, transferred, revoked, deleted', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { durationSeconds: 30 * 86400 },
      });
      const customer = (await call('POST', '/v1/customers', { email: 'owner@example.com' })).json() as {
        id: string;
      };
      assert.equal((await call('PATCH', `/v1/licenses/${license.id}`, { maxMachines: 3 })).statusCode, 200);
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'fp-ev-1' })).statusCode,
        201,
      );
      assert.equal(
        (await client('deactivate', { licenseKey: license.key, fingerprint: 'fp-ev-1' })).statusCode,
        204,
      );
      for (const action of ['suspend', 'reinstate', 'renew'])
        assert.equal((await call('POST', `/v1/licenses/${license.id}/${action}`)).statusCode, 200, action);
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/transfer`, { customerId: customer.id })).statusCode,
        200,
      );
      assert.equal((await call('POST', `/v1/licenses/${license.id}/revoke`)).statusCode, 200);
      assert.equal((await call('DELETE', `/v1/licenses/${license.id}`)).statusCode, 204);

      const events = await delivered();
      const ofLicense = events.filter(
        (event) => event.data.object.id === license.id || event.data.object.licenseId === license.id,
      );
      assert.deepEqual(
        ofLicense.map((event) => event.type),
        [
          'license.created',
          'license.updated',
          'machine.activated',
          'machine.deactivated',
          'license.suspended',
          'license.reinstated',
          'license.renewed',
          'license.transferred',
          'license.revoked',
          'license.deleted',
        ],
      );
      assert.ok(events.some((event) => event.type === 'customer.created'));
      const created = ofLicense[0]?.data.object ?? {};
      assert.equal(created.keyPrefix, license.keyPrefix);
      // Events are kept as plain JSON and go to every endpoint: the key itself stays sealed.
      assert.equal(created.key, undefined);
      assert.ok(!receiver.received.some((request) => request.body.includes(license.key)));
      assert.equal(
        ofLicense.find((event) => event.type === 'license.suspended')?.data.object.status,
        'suspended',
      );
      assert.equal(
        ofLicense.find((event) => event.type === 'machine.deactivated')?.data.object.status,
        'deactivated',
      );
    });

    it('time emits license.expiring_soon a week before the end, license.expired at it, and machine.heartbeat_dead once', async () => {
      await scanLifecycle(t);
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { durationSeconds: 10 * 86400, heartbeatSeconds: 600 },
      });
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'fp-hb' })).statusCode,
        201,
      );
      const typesFor = async () =>
        (await delivered())
          .filter(
            (event) => event.data.object.id === license.id || event.data.object.licenseId === license.id,
          )
          .map((event) => event.type);
      assert.deepEqual(await typesFor(), ['license.created', 'machine.activated']);

      // Two heartbeat intervals without a sign of life: dead, once.
      t.clock.advance(1200 * 1000 + 1);
      assert.equal((await scanLifecycle(t)).heartbeatDead, 1);
      assert.equal((await scanLifecycle(t)).heartbeatDead, 0);
      t.clock.advance(3 * 86400 * 1000);
      await scanLifecycle(t);
      t.clock.advance(7 * 86400 * 1000);
      await scanLifecycle(t);
      await scanLifecycle(t);
      assert.deepEqual(await typesFor(), [
        'license.created',
        'machine.activated',
        'machine.heartbeat_dead',
        'license.expiring_soon',
        'license.expired',
      ]);
      const [dead] = (await delivered()).filter((event) => event.type === 'machine.heartbeat_dead');
      assert.equal(dead?.data.object.status, 'dead');
    });

    it('an activation refused for the machine limit emits license.machine_limit_reached, and the refusal still answers 422', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 1 } });
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'first' })).statusCode,
        201,
      );
      const refused = await client('activate', { licenseKey: license.key, fingerprint: 'second' });
      assert.equal(refused.statusCode, 422, refused.body);
      const events = await t.db.kysely
        .selectFrom('events')
        .select('data')
        .where('type', '=', 'license.machine_limit_reached')
        .where('license_id', '=', license.id)
        .execute();
      assert.equal(events.length, 1);
      const object = JSON.parse(events[0]?.data ?? '{}') as {
        license: { id: string; key?: string };
        fingerprint: string;
        limit: number;
        used: number;
      };
      assert.deepEqual(
        [object.license.id, object.fingerprint, object.limit, object.used],
        [license.id, 'second', 1, 1],
      );
      assert.equal(object.license.key, undefined, 'events never carry the key');
      const machines = await t.db.kysely
        .selectFrom('machines')
        .select('id')
        .where('license_id', '=', license.id)
        .execute();
      assert.equal(machines.length, 1, 'the refused machine was not written');
      await delivered();
    });

    it('license.expiring_soon comes as many days ahead as configured, once per end: again after a renewal', async () => {
      const deps = { ...t, expiryNoticeMs: 20 * 86_400_000 };
      await scanLifecycle(deps);
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { durationSeconds: 30 * 86400 },
      });
      const notices = async () =>
        (
          await t.db.kysely
            .selectFrom('events')
            .select('id')
            .where('type', '=', 'license.expiring_soon')
            .where('license_id', '=', license.id)
            .execute()
        ).length;
      t.clock.advance(9 * 86_400_000);
      await scanLifecycle(deps);
      assert.equal(await notices(), 0, '21 days before the end');
      t.clock.advance(2 * 86_400_000);
      await scanLifecycle(deps);
      await scanLifecycle(deps);
      assert.equal(await notices(), 1, '19 days before the end, once');
      assert.equal((await call('POST', `/v1/licenses/${license.id}/renew`)).statusCode, 200);
      t.clock.advance(30 * 86_400_000);
      await scanLifecycle(deps);
      assert.equal(await notices(), 2, 'the renewed term has its own notice');
      await delivered(); // the next test counts what it delivers itself
    });

    it('an order emits customer.created, license.created for each license, and order.created', async () => {
      const policy = await createPolicy(t, admin, product.id, { name: 'Order' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { authorization: `Bearer ${admin}`, 'idempotency-key': `order-events-${dialect}` },
        payload: {
          externalId: `ext-events-${dialect}`,
          customer: { email: 'orders@example.com' },
          items: [{ productCode: 'ev', policyCode: policy.code, quantity: 2 }],
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const types = (await delivered()).map((event) => event.type);
      assert.deepEqual(types.sort(), [
        'customer.created',
        'license.created',
        'license.created',
        'order.created',
      ]);
    });
  });
}
