// The outbox survives a crash: a `charter serve` process is killed (SIGKILL) while it is sending, and a restarted
// one delivers every event at least once; the deliveries it held in flight are sent again once their claims lapse.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { startCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';
import { type Receiver, startReceiver } from '../support/webhooks.js';

const until = async (condition: () => boolean | Promise<boolean>, what: string, limitMs = 60_000) => {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

for (const dialect of dialects()) {
  describe(`webhook delivery across a crash (${dialect})`, () => {
    let t: TestApp;
    let receiver: Receiver;
    let storage: TestDatabase;
    const servers: ChildProcess[] = [];

    before(async () => {
      storage = await freshDatabase(dialect);
      t = await withApp({
        dialect,
        storage,
        now: new Date(),
        config: { CHARTER_WEBHOOKS_ALLOW_PRIVATE: true },
      });
      receiver = await startReceiver();
    });
    after(async () => {
      for (const server of servers) if (server.exitCode === null) server.kill('SIGKILL');
      await receiver.close();
      await t.close();
    });

    const serve = () => {
      // The same storage and data directory (its key file opens the endpoint's sealed secret).
      const server = startCli(['serve'], {
        ...storage.serverEnv,
        PORT: '0',
        CHARTER_LOG_LEVEL: 'warn',
        CHARTER_WEBHOOKS_ALLOW_PRIVATE: 'true',
        CHARTER_WEBHOOK_SENDERS: '3',
        CHARTER_WEBHOOK_INTERVAL_MS: '50',
      });
      servers.push(server);
      return server;
    };

    it('a killed server loses no event: on restart every event is delivered at least once', async () => {
      const admin = (await createKey(t, ['admin'])).secret;
      const call = managementCalls(
        () => t,
        () => admin,
      );
      const endpoint = await call('POST', '/v1/webhook-endpoints', {
        url: receiver.url,
        events: ['customer.created'],
      });
      assert.equal(endpoint.statusCode, 201, endpoint.body);
      const count = 40;
      for (let i = 0; i < count; i++) {
        const res = await call('POST', '/v1/customers', { email: `crash${i}@example.com` });
        assert.equal(res.statusCode, 201, res.body);
      }
      const events = await t.db.kysely
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'customer.created')
        .execute();
      assert.equal(events.length, count);
      // Each answer takes 150 ms, so the kill lands with deliveries in flight.
      receiver.answer = () => ({ status: 200, delayMs: 150 });

      const first = serve();
      await until(() => receiver.received.length >= 8, 'the first deliveries');
      first.kill('SIGKILL');
      await once(first, 'close');
      const receivedBeforeKill = receiver.received.length;
      const left = await t.db.kysely
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      assert.ok(left.length > 0, 'the kill left deliveries to send');

      serve();
      const idsOf = () => new Set(receiver.received.map((request) => String(request.headers['webhook-id'])));
      await until(() => idsOf().size === count, 'every event to arrive');
      await until(
        async () =>
          (
            await t.db.kysely
              .selectFrom('webhook_deliveries')
              .select('id')
              .where('status', '!=', 'delivered')
              .execute()
          ).length === 0,
        'every delivery to be recorded as delivered',
      );
      assert.deepEqual([...idsOf()].sort(), events.map((event) => event.id).sort());
      assert.ok(receivedBeforeKill < receiver.received.length);
    });
  });
}
