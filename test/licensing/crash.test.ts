// kill -9 under load loses no acknowledged write, on both engines: a real `charter serve` takes activations,
// floating checkouts and releases, metered consumptions and orders from six concurrent clients, and is killed
// (SIGKILL) at a random moment, three times, restarting on the same storage each time. Then: every acknowledged
// activation, lease and order is there, the meter counts at least what was acknowledged and at most what was
// sent, no order is half-applied, and no seat stays held past its lease. A call the server died under may have
// committed or not: nothing is expected of it, and a later answer settles what it did.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { startCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createLicense, createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const crashes = 3;
const clients = 6;
const seats = 5;
const orderQuantity = 3;

const serve = async (env: Record<string, string>) => {
  const child = startCli(['serve'], {
    ...env,
    PORT: '0',
    CHARTER_LOG_LEVEL: 'info',
    CHARTER_RATE_LIMIT_CLIENT_KEY: '0',
    CHARTER_RATE_LIMIT_CLIENT_IP: '0',
    CHARTER_RATE_LIMIT_MANAGEMENT: '0',
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', () => reject(new Error(`server exited early: ${output}`)));
  });
  return { child, url };
};

interface Acknowledged {
  activations: Set<string>;
  /** Leases acknowledged and not released since (by fingerprint: the lease id). */
  leases: Map<string, string>;
  /**
   * Holders whose last checkout or release got no answer (the server died under it): it may have committed or not,
   * so their seat is unknown until an answer settles it. A release that commits and dies before its 204 is sent
   * is not a lost lease.
   */
  inDoubt: Map<string, { release: string } | { checkout: true }>;
  /** Calls the server answered in a way that contradicts an acknowledged write (a held lease it no longer knows). */
  contradictions: string[];
  consumedAcked: number;
  consumedSent: number;
  orders: Map<string, string>;
}

for (const dialect of dialects()) {
  describe(`kill -9 under load (${dialect})`, () => {
    let storage: TestDatabase;
    let t: TestApp;
    let admin: string;
    const keys: Record<'nodeLocked' | 'floating' | 'metered', { key: string; id: string }> = {} as never;
    const servers: ChildProcess[] = [];
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      storage = await freshDatabase(dialect);
      // The in-process app shares the storage (and the data dir's key file) for setup and checks; its clock starts
      // at the real now, as the servers' does.
      t = await withApp({ dialect, storage, now: new Date() });
      admin = (await createKey(t, ['admin'])).secret;
      const product = await createProduct(t, admin, { code: 'crash', name: 'Crash' });
      keys.nodeLocked = await createLicense(t, admin, {
        product: product.id,
        policy: { maxMachines: 1_000_000 },
      });
      keys.floating = await createLicense(t, admin, {
        product: product.id,
        policy: { floating: true, maxMachines: seats, leaseSeconds: 3600 },
      });
      keys.metered = await createLicense(t, admin, {
        product: product.id,
        policy: {
          consumption: {
            max: 1_000_000_000,
            allowNegative: false,
            allowOverage: false,
            resetPeriod: 'never',
          },
        },
      });
      // The policy the orders below buy, by code.
      await createPolicy(t, admin, product.id, { code: 'ord', name: 'ord' });
    });
    after(async () => {
      for (const server of servers) if (server.exitCode === null) server.kill('SIGKILL');
      await t.close();
      await storage.dispose();
    });

    it(`${crashes} kills at random moments lose no acknowledged write and half-apply no order`, async (context) => {
      const acked: Acknowledged = {
        activations: new Set(),
        leases: new Map(),
        inDoubt: new Map(),
        contradictions: [],
        consumedAcked: 0,
        consumedSent: 0,
        orders: new Map(),
      };
      let sequence = 0;
      let sent = 0;
      const post = async (url: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
        sent += 1;
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
      };

      /** One client: a mix of writes until the server dies under it. */
      const client = async (url: string, index: number, alive: () => boolean) => {
        while (alive()) {
          const n = ++sequence;
          try {
            switch (n % 4) {
              case 0: {
                const fingerprint = `act-${index}-${n}`;
                const res = await post(url, '/v1/client/activate', {
                  licenseKey: keys.nodeLocked.key,
                  fingerprint,
                });
                if (res.status === 201) acked.activations.add(fingerprint);
                break;
              }
              case 1: {
                const fingerprint = `seat-${index}`;
                const seat = { licenseKey: keys.floating.key, fingerprint };
                const held = acked.leases.get(fingerprint);
                if (held) {
                  acked.leases.delete(fingerprint);
                  acked.inDoubt.set(fingerprint, { release: held });
                  const res = await post(url, '/v1/client/release', seat);
                  if (res.status === 204) acked.inDoubt.delete(fingerprint);
                  else {
                    acked.contradictions.push(`release of held ${held}: ${res.status} ${res.body.code}`);
                    acked.leases.set(fingerprint, held);
                    acked.inDoubt.delete(fingerprint);
                  }
                } else {
                  // Also the way out of doubt: a checkout answers the seat this holder has, or a new one.
                  if (!acked.inDoubt.has(fingerprint)) acked.inDoubt.set(fingerprint, { checkout: true });
                  const res = await post(url, '/v1/client/checkout', seat);
                  const lease = res.body.lease as { id: string } | undefined;
                  if (res.status < 300 && lease) acked.leases.set(fingerprint, lease.id);
                  acked.inDoubt.delete(fingerprint);
                }
                break;
              }
              case 2: {
                const amount = 1 + (n % 5);
                acked.consumedSent += amount;
                const res = await post(url, '/v1/client/consume', { licenseKey: keys.metered.key, amount });
                if (res.status === 200) acked.consumedAcked += amount;
                break;
              }
              default: {
                const externalId = `ext-${dialect}-${n}`;
                const res = await post(
                  url,
                  '/v1/orders',
                  {
                    externalId,
                    customer: { email: `buyer${n}@example.com` },
                    items: [{ productCode: 'crash', policyCode: 'ord', quantity: orderQuantity }],
                  },
                  { authorization: `Bearer ${admin}`, 'idempotency-key': externalId },
                );
                if (res.status === 201) acked.orders.set(externalId, res.body.id as string);
              }
            }
          } catch {
            // The server died under the request: not acknowledged, so nothing is expected of it.
          }
        }
      };

      for (let round = 0; round < crashes; round++) {
        const server = await serve(storage.serverEnv);
        servers.push(server.child);
        let alive = true;
        const exited = new Promise((resolve) => server.child.on('close', resolve));
        const load = Array.from({ length: clients }, (_, index) => client(server.url, index, () => alive));
        await sleep(400 + Math.floor(Math.random() * 1200));
        server.child.kill('SIGKILL');
        await exited;
        alive = false;
        await Promise.all(load);
      }
      // A last start proves the storage opens after the kills (WAL replay, no lock left behind).
      const last = await serve(storage.serverEnv);
      servers.push(last.child);
      assert.equal((await fetch(`${last.url}/readyz`)).status, 200);
      last.child.kill('SIGTERM');

      assert.deepEqual(acked.contradictions, [], 'no answer contradicts an acknowledged lease');
      assert.ok(
        acked.activations.size > 0 && acked.orders.size > 0 && acked.consumedAcked > 0,
        'the load did work',
      );

      const machines = await t.db.kysely
        .selectFrom('machines')
        .select(['fingerprint', 'status'])
        .where('license_id', '=', keys.nodeLocked.id)
        .execute();
      const active = new Set(machines.filter((row) => row.status === 'active').map((row) => row.fingerprint));
      for (const fingerprint of acked.activations)
        assert.ok(active.has(fingerprint), `activation ${fingerprint} lost`);

      const meter = await t.db.kysely
        .selectFrom('meters')
        .select('used')
        .where('license_id', '=', keys.metered.id)
        .executeTakeFirstOrThrow();
      assert.ok(
        Number(meter.used) >= acked.consumedAcked,
        `meter ${meter.used} < acknowledged ${acked.consumedAcked}`,
      );
      assert.ok(Number(meter.used) <= acked.consumedSent, `meter ${meter.used} > sent ${acked.consumedSent}`);

      for (const [externalId, id] of acked.orders) {
        const order = await call('GET', `/v1/orders/${id}`);
        assert.equal(order.statusCode, 200, `order ${externalId} lost`);
        assert.equal((order.json() as { licenses: unknown[] }).licenses.length, orderQuantity);
      }
      // No order half-applied: every license of the order policy belongs to a whole order, and every order is whole.
      const orders = await t.db.kysely.selectFrom('orders').select('id').execute();
      const orderLicenses = await t.db.kysely
        .selectFrom('licenses')
        .innerJoin('policies', 'policies.id', 'licenses.policy_id')
        .select('licenses.id')
        .where('policies.code', '=', 'ord')
        .execute();
      assert.equal(orderLicenses.length, orders.length * orderQuantity);

      // Acknowledged leases are held; none past its end counts; once every lease has ended, all seats are free.
      const leases = await t.db.kysely
        .selectFrom('leases')
        .select(['id', 'fingerprint', 'status', 'expires_at'])
        .where('license_id', '=', keys.floating.id)
        .execute();
      const live = leases.filter(
        (row) => row.status === 'active' && Number(row.expires_at) > t.clock.nowMs(),
      );
      assert.ok(live.length <= seats, `${live.length} live leases for ${seats} seats`);
      // A release the server died under either committed (its lease is released) or did not (still held).
      let unansweredReleases = 0;
      for (const doubt of acked.inDoubt.values()) {
        if (!('release' in doubt)) continue;
        const row = leases.find((lease) => lease.id === doubt.release);
        assert.ok(row, `lease ${doubt.release} of an unanswered release is gone`);
        if (row.status === 'released') unansweredReleases += 1;
      }
      context.diagnostic(
        `crash ${dialect}: ${crashes} kills, ${sent} requests; acknowledged ${acked.activations.size} activations, ${acked.orders.size} orders, ${acked.consumedAcked} units, ${acked.leases.size} leases held; ${acked.inDoubt.size} seat calls unanswered, of which ${unansweredReleases} releases committed`,
      );
      for (const [fingerprint, id] of acked.leases)
        assert.ok(
          live.some((row) => row.id === id && row.fingerprint === fingerprint),
          `lease ${id} of ${fingerprint} lost`,
        );
      // The servers' clocks ran on after the app's fixed one started: two hours pass every lease's end.
      t.clock.advance(2 * 3600_000);
      for (let i = 0; i < seats; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/client/checkout',
          payload: { licenseKey: keys.floating.key, fingerprint: `after-${i}` },
        });
        assert.equal(res.statusCode, 201, `seat ${i} after every lease ended: ${res.body}`);
      }
    });
  });
}
