// charter webhooks list|deliveries|retry, run as a user runs it, on SQLite and PostgreSQL: a delivery of an event the
// CLI caused is listed, and `retry` really sends it, signed, to a local receiver: refused (exit 1
// NOTIFICATION_FAILED, the attempt logged), then accepted (delivered).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { systemAuditContext } from '../../src/access/audit/service.js';
import { systemClock } from '../../src/lib/clock.js';
import { createSealer, loadSecretKey } from '../../src/lib/sealing.js';
import { fanOutEvents } from '../../src/ops/webhooks/outbox.js';
import { createWebhookEndpoint } from '../../src/ops/webhooks/service.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';
import { type Receiver, startReceiver } from '../support/webhooks.js';

type Delivery = {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  attemptLog: { attempt: number; statusCode: number | null }[];
};

for (const dialect of dialects()) {
  describe(`charter webhooks (${dialect})`, () => {
    let storage: TestDatabase;
    let receiver: Receiver;
    let env: Record<string, string>;
    let endpoint: { id: string; secret: string };
    const cli = async (args: string[]) => {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };

    before(async () => {
      storage = await freshDatabase(dialect);
      receiver = await startReceiver();
      // The receiver listens on 127.0.0.1, an address the private-address guard refuses unless told otherwise.
      env = { ...storage.serverEnv, CHARTER_WEBHOOKS_ALLOW_PRIVATE: 'true', CHARTER_LOG_LEVEL: 'warn' };
      const sealer = createSealer(loadSecretKey({ secretKey: undefined, dataDir: storage.dataDir }));
      endpoint = await createWebhookEndpoint(
        { db: storage.db, clock: systemClock, sealer, allowPrivateTargets: true },
        { principal: undefined, audit: systemAuditContext('test') },
        { url: receiver.url, events: ['customer.created'], enabled: true, description: 'CRM' },
      );
    });
    after(async () => {
      await receiver.close();
      await storage.dispose();
    });

    it('lists the endpoints and a delivery of an event the CLI caused; retry sends it: refused, then delivered', async () => {
      assert.match(
        await cli(['webhooks', 'list']),
        new RegExp(`^${endpoint.id}\\s+${receiver.url}\\s+\\["customer.created"\\]\\s+true`, 'm'),
      );
      await cli(['customers', 'create', '--email', 'hooked@example.com']);
      // The server's outbox worker fans events out to deliveries; here the test does it, on the same storage.
      assert.equal(await fanOutEvents({ db: storage.db, clock: systemClock }), 1);
      const [pending, ...more] = JSON.parse(
        await cli(['webhooks', 'deliveries', endpoint.id, '--json']),
      ) as Delivery[];
      assert.equal(more.length, 0);
      assert.ok(pending);
      assert.deepEqual(
        [pending.eventType, pending.status, pending.attempts],
        ['customer.created', 'pending', 0],
      );
      assert.equal(receiver.received.length, 0, 'nothing is sent before the retry');

      receiver.answer = () => ({ status: 503, body: 'busy' });
      const refused = await runCli(['webhooks', 'retry', pending.id], env);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /NOTIFICATION_FAILED: The endpoint did not accept delivery .*: answered 503/,
      );
      assert.equal(receiver.received.length, 1);

      receiver.answer = () => ({ status: 204 });
      const table = await cli(['webhooks', 'retry', pending.id]);
      assert.match(table, /^status\s+delivered$/m);
      assert.match(table, /^attempt\s+at\s+statusCode\s+latencyMs\s+error$/m);
      assert.match(table, /^2\s+\S+\s+204\s/m);
      assert.equal(receiver.received.length, 2);
      const sent = receiver.received[1];
      assert.ok(sent);
      const body = new Webhook(endpoint.secret).verify(sent.body, sent.headers as Record<string, string>) as {
        id: string;
        type: string;
        data: { object: { email: string } };
      };
      assert.deepEqual(
        [body.id, body.type, body.data.object.email],
        [pending.eventId, 'customer.created', 'hooked@example.com'],
      );

      const [delivered] = JSON.parse(
        await cli(['webhooks', 'deliveries', endpoint.id, '--status', 'delivered', '--json']),
      ) as Delivery[];
      assert.deepEqual(
        delivered?.attemptLog.map((attempt) => [attempt.attempt, attempt.statusCode]),
        [
          [1, 503],
          [2, 204],
        ],
      );
      const table2 = await cli(['webhooks', 'deliveries', endpoint.id]);
      assert.match(table2, new RegExp(`^${pending.id}\\s+customer.created\\s+delivered\\s+2\\s+204\\s`, 'm'));
      const missing = await runCli(['webhooks', 'retry', 'whd_nope'], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /NOT_FOUND/);
      const badStatus = await runCli(['webhooks', 'deliveries', endpoint.id, '--status', 'lost'], env);
      assert.match(badStatus.stderr, /--status must be one of pending, delivered, failed/);
    });
  });
}
