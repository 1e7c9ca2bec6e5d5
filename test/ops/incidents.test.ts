// Incidents through HTTP on both engines: each rule, driven by a fixed clock, opens its incident once (however
// often it is evaluated, by however many processes) and resolves it when the condition clears; operators
// acknowledge, resolve with a note and add notes; every change leaves a timeline entry, an audit entry and an event.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/db/connection.js';
import { newId } from '../../src/lib/random.js';
import { sampleCharterPools } from '../../src/monitor/charter-pools.js';
import { evaluateRule, type Rule } from '../../src/ops/incidents/engine.js';
import { checkoutHeldLongRule } from '../../src/ops/incidents/rules/checkout-held-long.js';
import { featureExpiringRule } from '../../src/ops/incidents/rules/feature-expiring.js';
import { featureSaturatedRule } from '../../src/ops/incidents/rules/feature-saturated.js';
import { licenseExpiringRule } from '../../src/ops/incidents/rules/license-expiring.js';
import { serverDownRule } from '../../src/ops/incidents/rules/server-down.js';
import { webhookFailingRule } from '../../src/ops/incidents/rules/webhook-failing.js';
import type { Incident } from '../../src/ops/incidents/schemas.js';
import { startIncidentWorker } from '../../src/ops/incidents/worker.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { activateMachine, createLicense, createProduct } from '../support/factories.js';
import { addMonitoredServer, standIn } from '../support/monitor.js';
import { dialects, postgresUrl } from '../support/services.js';
import { startReceiver, testWebhookWorker } from '../support/webhooks.js';

const hour = 3_600_000;

for (const dialect of dialects()) {
  describe(`incidents (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let dir: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const evaluate = (rule: Rule) => evaluateRule({ db: t.db, clock: t.clock }, rule);
    const incidentsOf = async (kind: string, subject?: string) =>
      (
        (
          await call(
            'GET',
            `/v1/incidents?kind=${kind}${subject ? `&subject=${encodeURIComponent(subject)}` : ''}`,
          )
        ).json() as { data: Incident[] }
      ).data;
    const eventsOf = async (type: string) =>
      t.db.kysely.selectFrom('events').select(['subject_id', 'data']).where('type', '=', type).execute();
    const auditOf = async (incidentId: string) =>
      (
        await t.db.kysely
          .selectFrom('audit_log')
          .select(['action', 'actor_type'])
          .where('target_id', '=', incidentId)
          .orderBy('id')
          .execute()
      ).map((row) => `${row.actor_type} ${row.action}`);

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'charter-incidents-'));
      const utility = standIn(dir);
      t = await withApp({
        dialect,
        config: {
          CHARTER_LMUTIL: utility.script,
          CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
          CHARTER_RATE_LIMIT_CLIENT_IP: 0,
          CHARTER_WEBHOOKS_ALLOW_PRIVATE: true,
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('license_server_down opens once after 3 failed polls, with timeline, audit and event, and resolves when a poll succeeds', async () => {
      const server = await addMonitoredServer(call, 'down.example', { name: 'eda' });
      const poll = () => call('POST', `/v1/monitor/servers/${server.id}/poll`);
      const rule = serverDownRule(3);
      await poll();
      await poll();
      assert.equal((await evaluate(rule)).opened, 0, 'two failures are not yet three');
      await poll();
      assert.equal((await evaluate(rule)).opened, 1);
      assert.equal((await evaluate(rule)).opened, 0, 'evaluated again: still one incident');
      const [incident] = await incidentsOf('license_server_down', server.id);
      assert.ok(incident);
      assert.deepEqual(
        [incident.status, incident.severity, incident.subject, incident.timeline.map((entry) => entry.type)],
        ['open', 'critical', { type: 'monitored_server', id: server.id }, ['opened']],
      );
      assert.equal(incident.timeline[0]?.actor.type, 'rule');
      assert.deepEqual(await auditOf(incident.id), ['rule incident.open']);
      assert.ok((await eventsOf('incident.opened')).some((event) => event.subject_id === incident.id));

      await call('PATCH', `/v1/monitor/servers/${server.id}`, { address: '27000@ok.example' });
      await poll();
      assert.equal((await evaluate(rule)).resolved, 1);
      const resolved = (await call('GET', `/v1/incidents/${incident.id}`)).json() as Incident;
      assert.deepEqual(
        [resolved.status, resolved.resolvedBy?.type, resolved.timeline.map((entry) => entry.type)],
        ['resolved', 'rule', ['opened', 'resolved']],
      );
      assert.ok((await eventsOf('incident.resolved')).some((event) => event.subject_id === incident.id));
    });

    it('an operator acknowledges, notes and resolves; anything else is 409 INVALID_TRANSITION naming the status', async () => {
      const server = await addMonitoredServer(call, 'down.example', { name: 'cad' });
      for (let index = 0; index < 3; index++) await call('POST', `/v1/monitor/servers/${server.id}/poll`);
      await evaluate(serverDownRule(3));
      const [incident] = await incidentsOf('license_server_down', server.id);
      assert.ok(incident);
      const acknowledged = await call('POST', `/v1/incidents/${incident.id}/acknowledge`);
      assert.equal(acknowledged.statusCode, 200, acknowledged.body);
      assert.equal((acknowledged.json() as Incident).status, 'acknowledged');
      assert.equal((acknowledged.json() as Incident).acknowledgedBy?.type, 'api_key');
      const again = expectError(
        await call('POST', `/v1/incidents/${incident.id}/acknowledge`),
        409,
        'INVALID_TRANSITION',
      );
      assert.match(again.message, /is acknowledged/);
      assert.equal(again.details?.currentStatus, 'acknowledged');

      // An acknowledged incident is the operator's: a successful poll does not resolve it.
      await call('PATCH', `/v1/monitor/servers/${server.id}`, { address: '27000@ok.example' });
      await call('POST', `/v1/monitor/servers/${server.id}/poll`);
      await evaluate(serverDownRule(3));
      assert.equal(
        ((await call('GET', `/v1/incidents/${incident.id}`)).json() as Incident).status,
        'acknowledged',
      );

      const noted = await call('POST', `/v1/incidents/${incident.id}/notes`, {
        message: 'vendor daemon restarted',
      });
      assert.equal(noted.statusCode, 201, noted.body);
      assert.equal(noted.headers.location, `/v1/incidents/${incident.id}`);
      const resolved = await call('POST', `/v1/incidents/${incident.id}/resolve`, {
        note: 'fixed the license path',
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      const body = resolved.json() as Incident;
      assert.deepEqual(body.timeline.map((entry) => [entry.type, entry.message]).slice(1), [
        ['acknowledged', `Acknowledged by ${body.acknowledgedBy?.name}`],
        ['note', 'vendor daemon restarted'],
        ['resolved', 'fixed the license path'],
      ]);
      const closed = expectError(
        await call('POST', `/v1/incidents/${incident.id}/resolve`),
        409,
        'INVALID_TRANSITION',
      );
      assert.match(closed.message, /is resolved/);
      assert.deepEqual(await auditOf(incident.id), [
        'rule incident.open',
        'api_key incident.acknowledge',
        'api_key incident.note',
        'api_key incident.resolve',
      ]);
      expectError(await call('POST', '/v1/incidents/inc_missing/acknowledge'), 404, 'NOT_FOUND');
      expectError(
        await call('POST', `/v1/incidents/${incident.id}/notes`, { message: '' }),
        400,
        'VALIDATION_ERROR',
      );
    });

    it('license_expiring opens for a license with an active machine ending within 14 days, and resolves when renewed', async () => {
      const license = await createLicense(t, admin, {
        license: { expiresAt: new Date(t.clock.nowMs() + 10 * 86_400_000).toISOString() },
      });
      const idle = await createLicense(t, admin, {
        license: { expiresAt: new Date(t.clock.nowMs() + 10 * 86_400_000).toISOString() },
      });
      await activateMachine(t, license.key, 'expiring-1');
      const rule = licenseExpiringRule(14);
      await evaluate(rule);
      const [incident] = await incidentsOf('license_expiring', license.id);
      assert.equal(incident?.status, 'open');
      assert.deepEqual(await incidentsOf('license_expiring', idle.id), [], 'no machine, no incident');
      await call('PATCH', `/v1/licenses/${license.id}`, {
        expiresAt: new Date(t.clock.nowMs() + 90 * 86_400_000).toISOString(),
      });
      assert.equal((await evaluate(rule)).resolved, 1);
      assert.equal((await incidentsOf('license_expiring', license.id))[0]?.status, 'resolved');
    });

    it('license_expiring reads past its pages: 1,203 licenses ending at the same instant each get one incident, and the next evaluation keeps them all', async () => {
      const endsAt = t.clock.nowMs() + 5 * 86_400_000;
      const first = await createLicense(t, admin, { license: { expiresAt: new Date(endsAt).toISOString() } });
      await activateMachine(t, first.key, 'paged-0');
      // The other 1,202 are copies of the first written straight to the table: the scale is the point, not the API.
      const row = await t.db.kysely
        .selectFrom('licenses')
        .selectAll()
        .where('id', '=', first.id)
        .executeTakeFirstOrThrow();
      const machine = await t.db.kysely
        .selectFrom('machines')
        .selectAll()
        .where('license_id', '=', first.id)
        .executeTakeFirstOrThrow();
      const ids: string[] = [];
      for (let n = 1; n < 1203; n++) ids.push(newId('lic', t.clock.nowMs() + n));
      for (let start = 0; start < ids.length; start += 200) {
        const part = ids.slice(start, start + 200);
        await t.db.kysely
          .insertInto('licenses')
          .values(part.map((id) => ({ ...row, id, key_hash: `paged-${id}`, key_sealed: `paged-${id}` })))
          .execute();
        await t.db.kysely
          .insertInto('machines')
          .values(
            part.map((id) => ({
              ...machine,
              id: newId('mach', t.clock.nowMs()) + id.slice(-4),
              license_id: id,
            })),
          )
          .execute();
      }
      const rule = licenseExpiringRule(14);
      const opened = await evaluate(rule);
      assert.equal(opened.opened, 1203);
      const open = async () =>
        Number(
          (
            await t.db.kysely
              .selectFrom('incidents')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('kind', '=', 'license_expiring')
              .where('status', '=', 'open')
              .where('subject_id', 'in', [first.id, ...ids])
              .executeTakeFirstOrThrow()
          ).n,
        );
      assert.equal(await open(), 1203, 'one incident per license');
      const again = await evaluate(rule);
      assert.deepEqual(
        [again.opened, again.resolved],
        [0, 0],
        'every open incident was read back, none resolved',
      );
      assert.equal(await open(), 1203);
    });

    it("feature_saturated opens when one of Charter's pools is full for the window, emits monitor.feature_saturated, and resolves after the window below 90 %", async () => {
      const license = await createLicense(t, admin, {
        policy: { floating: true, maxMachines: 1, leaseSeconds: 86_400 },
      });
      const pool = `charter/${license.id}/seats`;
      const rule = featureSaturatedRule(15);
      const seat = { licenseKey: license.key, fingerprint: 'busy-1' };
      assert.equal((await client('checkout', seat)).statusCode, 201);
      for (let minute = 0; minute <= 15; minute++) {
        await sampleCharterPools({ db: t.db, clock: t.clock });
        if (minute === 10) assert.equal((await evaluate(rule)).opened, 0, 'ten minutes are not the window');
        t.clock.advance(60_000);
      }
      await evaluate(rule);
      const [incident] = await incidentsOf('feature_saturated', pool);
      assert.equal(incident?.status, 'open');
      assert.equal(incident?.details.inUse, 1);
      assert.ok((await eventsOf('monitor.feature_saturated')).some((event) => event.subject_id === pool));

      assert.equal((await client('release', seat)).statusCode, 204);
      for (let minute = 0; minute <= 15; minute++) {
        await sampleCharterPools({ db: t.db, clock: t.clock });
        if (minute === 5) assert.equal((await evaluate(rule)).resolved, 0, 'five calm minutes hold it open');
        t.clock.advance(60_000);
      }
      assert.equal((await evaluate(rule)).resolved, 1);
    });

    it('webhook_failing opens when an endpoint failed its last 3 deliveries and resolves when one succeeds', async () => {
      const receiver = await startReceiver();
      const worker = testWebhookWorker(t);
      try {
        receiver.answer = () => ({ status: 500 });
        const endpoint = (
          await call('POST', '/v1/webhook-endpoints', {
            url: receiver.url,
            events: ['customer.created'],
          })
        ).json() as { id: string };
        const rule = webhookFailingRule(3);
        for (let index = 0; index < 3; index++) {
          await call('POST', '/v1/customers', { email: `hook-${index}@example.com` });
          await worker.runOnce();
        }
        assert.equal((await evaluate(rule)).opened, 1);
        assert.equal((await incidentsOf('webhook_failing', endpoint.id))[0]?.status, 'open');
        receiver.answer = () => ({ status: 204 });
        await call('POST', '/v1/customers', { email: 'hook-ok@example.com' });
        await worker.runOnce();
        assert.equal((await evaluate(rule)).resolved, 1);
      } finally {
        await receiver.close();
      }
    });

    it('feature_expiring opens when a monitored INCREMENT ends within 14 days, and resolves once it has ended', async () => {
      const server = await addMonitoredServer(call, 'ok.example', { name: 'expiring' });
      assert.equal((await call('POST', `/v1/monitor/servers/${server.id}/poll`)).statusCode, 200);
      const rule = featureExpiringRule(14);
      await evaluate(rule);
      assert.deepEqual(
        await incidentsOf('feature_expiring', `${server.id}/Virtuoso`),
        [],
        'ends on 2027-12-31',
      );
      t.clock.set(new Date('2027-12-25T00:00:00Z'));
      await evaluate(rule);
      const [incident] = await incidentsOf('feature_expiring', `${server.id}/Virtuoso`);
      assert.equal(incident?.status, 'open');
      assert.equal(incident?.details.endsOn, '2027-12-31');
      t.clock.set(new Date('2028-01-02T00:00:00Z'));
      assert.ok((await evaluate(rule)).resolved >= 1);
      assert.equal((await incidentsOf('feature_expiring', `${server.id}/Virtuoso`))[0]?.status, 'resolved');
    });

    it('checkout_held_long opens when one holder keeps a Charter seat past 12 hours, and resolves once it is released', async () => {
      t.clock.set(new Date('2026-11-22T10:30:45.123Z'));
      const license = await createLicense(t, admin, {
        policy: { floating: true, maxMachines: 2, leaseSeconds: 86_400 },
      });
      const seat = { licenseKey: license.key, fingerprint: 'night-owl' };
      const lease = ((await client('checkout', seat)).json() as { lease: { id: string } }).lease;
      const rule = checkoutHeldLongRule(12, {});
      t.clock.advance(11 * hour);
      await evaluate(rule);
      assert.deepEqual(await incidentsOf('checkout_held_long', lease.id), []);
      t.clock.advance(2 * hour);
      await evaluate(rule);
      assert.equal((await incidentsOf('checkout_held_long', lease.id))[0]?.status, 'open');
      assert.equal((await client('release', seat)).statusCode, 204);
      await evaluate(rule);
      assert.equal((await incidentsOf('checkout_held_long', lease.id))[0]?.status, 'resolved');
      // A per-feature setting overrides the default (a pool's feature part is `seats`).
      await client('checkout', seat);
      t.clock.advance(2 * hour);
      assert.equal((await evaluate(checkoutHeldLongRule(12, { seats: 1 }))).opened, 1);
    });

    it('filters by status, kind, severity and subject, and pages newest first', async () => {
      const open = (await call('GET', '/v1/incidents?status=open&limit=1')).json() as {
        data: Incident[];
        nextCursor: string | null;
      };
      assert.ok(open.data.every((incident) => incident.status === 'open'));
      const critical = (await call('GET', '/v1/incidents?severity=critical')).json() as { data: Incident[] };
      assert.ok(
        critical.data.length > 0 && critical.data.every((incident) => incident.severity === 'critical'),
      );
      expectError(await call('GET', '/v1/incidents?kind=nope'), 400, 'VALIDATION_ERROR');
      expectError(await call('GET', '/v1/incidents?bogus=1'), 400, 'INVALID_QUERY');
      const all = (await call('GET', '/v1/incidents?limit=200')).json() as { data: Incident[] };
      assert.deepEqual(
        all.data.map((incident) => incident.id),
        [...all.data.map((incident) => incident.id)].sort().reverse(),
      );
    });

    if (dialect === 'postgres') {
      it('of two processes running the incident worker one leads and evaluates; when it stops the other takes over', async () => {
        const product = await createProduct(t, admin);
        const license = await createLicense(t, admin, {
          product: product.id,
          license: { expiresAt: new Date(t.clock.nowMs() + 5 * 86_400_000).toISOString() },
        });
        await activateMachine(t, license.key, 'led');
        const other = openDatabase({
          dialect: 'postgres',
          url: postgresUrl(),
          searchPath: t.db.schema ?? '',
        });
        const log = { info: () => {}, warn: () => {} };
        const rules = [licenseExpiringRule(14)];
        const first = startIncidentWorker({ db: t.db, clock: t.clock, log }, rules, 100);
        const second = startIncidentWorker({ db: other, clock: t.clock, log }, rules, 100);
        const until = async (test: () => boolean | Promise<boolean>) => {
          for (let waited = 0; waited < 10_000; waited += 50) {
            if (await test()) return true;
            await sleep(50);
          }
          return false;
        };
        try {
          assert.ok(await until(() => first.isLeader() || second.isLeader()), 'one of them leads');
          assert.equal([first, second].filter((worker) => worker.isLeader()).length, 1, 'never both');
          assert.ok(
            await until(async () => (await incidentsOf('license_expiring', license.id)).length === 1),
          );
          const [leader, follower] = first.isLeader() ? [first, second] : [second, first];
          await leader.stop();
          assert.ok(await until(() => follower.isLeader()), 'the other takes over');
          assert.equal((await incidentsOf('license_expiring', license.id)).length, 1, 'still one incident');
        } finally {
          await first.stop();
          await second.stop();
          await other.close();
        }
      });

      it('two processes evaluating at once open one incident, never two', async () => {
        const product = await createProduct(t, admin);
        const license = await createLicense(t, admin, {
          product: product.id,
          license: { expiresAt: new Date(t.clock.nowMs() + 3 * 86_400_000).toISOString() },
        });
        await activateMachine(t, license.key, 'raced');
        const other = openDatabase({
          dialect: 'postgres',
          url: postgresUrl(),
          searchPath: t.db.schema ?? '',
        });
        try {
          const rule = licenseExpiringRule(14);
          const outcomes = await Promise.all(
            Array.from({ length: 6 }, (_, index) =>
              evaluateRule({ db: index % 2 === 0 ? t.db : other, clock: t.clock }, rule),
            ),
          );
          const rows = await t.db.kysely
            .selectFrom('incidents')
            .select('id')
            .where('subject_id', '=', license.id)
            .execute();
          assert.equal(rows.length, 1);
          assert.equal(
            outcomes.reduce((sum, outcome) => sum + outcome.opened, 0),
            1,
            'exactly one evaluation opened it',
          );
        } finally {
          await other.close();
        }
      });
    }
  });
}
