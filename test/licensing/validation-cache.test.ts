// The validation cache (licensing/client/validation-cache.ts) through HTTP, on both engines: a validation answered
// from memory, every kind of change that must forget it (in this process, from another server process, from the
// CLI), time-derived state judged at each call, the size bound, and on PostgreSQL a lost listening connection and
// a change that lands while a read is running.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { feedApplicationName } from '../../src/db/change-feed.js';
import { readForValidation } from '../../src/licensing/client/store.js';
import { createValidationCache } from '../../src/licensing/client/validation-cache.js';
import { licenseKeyHash, normalizeLicenseKey } from '../../src/licensing/licenses/license-key.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { runCli, serveCli } from '../support/cli.js';
import { freshDatabase } from '../support/database.js';
import { activateMachine, createLicense, createProduct } from '../support/factories.js';
import { dialects, postgresUrl } from '../support/services.js';

type Result = {
  valid: boolean;
  code: string;
  license: { id: string; status: string; machinesCount: number; maxMachines: number | null } | null;
  machine: { id: string; status: string } | null;
};

/** What /metrics says of the cache: hits, misses, entries. */
const cacheStats = async (app: FastifyInstance, admin: string) => {
  const text = (await app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin) })).body;
  const figure = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    hits: figure('charter_validation_cache_hits_total'),
    misses: figure('charter_validation_cache_misses_total'),
    entries: figure('charter_validation_cache_entries'),
  };
};

for (const dialect of dialects()) {
  describe(`validation cache (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string; code: string };

    const call = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: bearer(admin), ...(payload ? { payload } : {}) });
    const validate = async (payload: Record<string, unknown>, app = t.app) => {
      const res = await app.inject({ method: 'POST', url: '/v1/client/validate', payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Result;
    };

    before(async () => {
      t = await withApp({
        dialect,
        // The longest backstop, so what these tests judge over hours is judged on what memory holds.
        config: {
          CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
          CHARTER_RATE_LIMIT_CLIENT_IP: 0,
          CHARTER_VALIDATION_CACHE_TTL_SECONDS: 86_400,
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'cached', name: 'Cached' });
    });
    after(() => t.close());

    it('a second validation of a key is answered from memory; each change it read is seen by the next one', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 3 } });
      const key = { licenseKey: license.key };
      const before = await cacheStats(t.app, admin);
      assert.equal((await validate(key)).code, 'VALID');
      assert.equal((await validate(key)).code, 'VALID');
      const after = await cacheStats(t.app, admin);
      assert.deepEqual([after.misses - before.misses, after.hits - before.hits], [1, 1]);

      // The license itself.
      assert.equal((await call('POST', `/v1/licenses/${license.id}/suspend`)).statusCode, 200);
      assert.equal((await validate(key)).code, 'LICENSE_SUSPENDED');
      assert.equal((await call('POST', `/v1/licenses/${license.id}/reinstate`)).statusCode, 200);
      assert.equal((await validate(key)).code, 'VALID');
      assert.equal((await call('PATCH', `/v1/licenses/${license.id}`, { maxMachines: 1 })).statusCode, 200);
      assert.equal((await validate(key)).license?.maxMachines, 1);
      // Its machines.
      await activateMachine(t, license.key, 'cached-a');
      assert.equal((await validate(key)).license?.machinesCount, 1);
      assert.equal((await validate({ ...key, fingerprint: 'cached-a' })).code, 'VALID');
      // The blocklist (any license).
      await call('POST', '/v1/blocklist', { fingerprint: 'cached-a', productId: product.id, reason: 'test' });
      assert.equal((await validate({ ...key, fingerprint: 'cached-a' })).code, 'DEVICE_BLOCKED');
      // Its product (any license).
      assert.equal(
        (await call('PATCH', `/v1/products/${product.id}`, { status: 'disabled' })).statusCode,
        200,
      );
      assert.equal((await validate(key)).code, 'PRODUCT_DISABLED');
      await call('PATCH', `/v1/products/${product.id}`, { status: 'active' });
      assert.equal((await validate(key)).code, 'VALID');
    });

    it('expiry and dead machines are judged at each validation, not remembered', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { heartbeatSeconds: 60, maxMachines: 2, durationSeconds: 3600 },
      });
      await activateMachine(t, license.key, 'beating');
      const withMachine = { licenseKey: license.key, fingerprint: 'beating' };
      assert.equal((await validate(withMachine)).machine?.status, 'active');
      assert.equal((await validate({ licenseKey: license.key })).license?.machinesCount, 1);
      const before = await cacheStats(t.app, admin);
      // Silent past 2× the heartbeat: dead, and no longer counted, though nothing was written.
      t.clock.advance(121_000);
      const dead = await validate(withMachine);
      assert.deepEqual([dead.code, dead.machine?.status], ['HEARTBEAT_DEAD', 'dead']);
      assert.equal((await validate({ licenseKey: license.key })).license?.machinesCount, 0);
      t.clock.advance(3600_000);
      const expired = await validate({ licenseKey: license.key });
      assert.deepEqual([expired.code, expired.license?.status], ['LICENSE_EXPIRED', 'expired']);
      // What holds a live-machine count is kept only until that machine would die, so both entries were read
      // again once it had; the expiry was judged on what memory held.
      const after = await cacheStats(t.app, admin);
      assert.deepEqual([after.hits - before.hits, after.misses - before.misses], [1, 2]);
    });

    it('maintenance ending is judged at each validation answered from memory', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: {
          durationSeconds: 3600,
          expirationStrategy: 'maintenance',
          consumption: { max: 10, allowNegative: false, allowOverage: false, resetPeriod: 'monthly' },
        },
      });
      const key = { licenseKey: license.key };
      const consumed = await t.app.inject({
        method: 'POST',
        url: '/v1/client/consume',
        payload: { ...key, amount: 3 },
      });
      assert.equal(consumed.statusCode, 200, consumed.body);
      type Shown = { status: string; maintenanceExpired: boolean; consumption: { used: number } };
      const shown = async () => (await validate(key)).license as unknown as Shown;
      const first = await shown();
      assert.deepEqual(
        [first.status, first.maintenanceExpired, first.consumption.used],
        ['active', false, 3],
      );
      const before = await cacheStats(t.app, admin);
      assert.deepEqual(await shown(), first, 'the same answer while nothing changed');
      // Past the end under the maintenance strategy: still active, its maintenance over.
      t.clock.advance(3600_000);
      const ended = await shown();
      assert.deepEqual([ended.status, ended.maintenanceExpired, ended.consumption.used], ['active', true, 3]);
      const after = await cacheStats(t.app, admin);
      assert.deepEqual([after.hits - before.hits, after.misses - before.misses], [2, 0]);
    });

    it('an entry older than CHARTER_VALIDATION_CACHE_TTL_SECONDS is read again', async () => {
      const short = await withApp({ dialect, config: { CHARTER_VALIDATION_CACHE_TTL_SECONDS: 1 } });
      try {
        const shortAdmin = (await createKey(short, ['admin'])).secret;
        const key = { licenseKey: (await createLicense(short, shortAdmin)).key };
        await validate(key, short.app);
        short.clock.advance(999);
        await validate(key, short.app);
        const held = await cacheStats(short.app, shortAdmin);
        short.clock.advance(1);
        await validate(key, short.app);
        const aged = await cacheStats(short.app, shortAdmin);
        assert.deepEqual([held.hits, held.misses, aged.hits, aged.misses], [1, 1, 1, 2]);
      } finally {
        await short.close();
      }
    });

    it("an answer from memory is written as one read anew is: compact JSON, keys in the schema's order", async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        license: { metadata: { note: 'quote " backslash \\ \u2028 é 😀' } },
        policy: { heartbeatSeconds: 60 },
      });
      await activateMachine(t, license.key, 'written \u2029 "fp"');
      const order = [
        'valid',
        'code',
        'message',
        'license',
        'machine',
        'checkedAt',
        'nonce',
        'signature',
        'kid',
      ];
      for (const payload of [
        { licenseKey: license.key },
        { licenseKey: license.key, fingerprint: 'written \u2029 "fp"' },
        { licenseKey: license.key, fingerprint: 'unknown "device"' },
        { licenseKey: license.key, nonce: 'nonce-"quoted"-1234' },
        { licenseKey: license.key, productCode: 'another' },
        { licenseKey: 'NOT-A-KEY "at all"' },
      ]) {
        for (const round of ['read', 'memory']) {
          const res = await t.app.inject({ method: 'POST', url: '/v1/client/validate', payload });
          assert.equal(res.statusCode, 200, res.body);
          const parsed = JSON.parse(res.body) as Record<string, unknown>;
          assert.equal(res.body, JSON.stringify(parsed), `${round}: ${JSON.stringify(payload)}`);
          const keys = Object.keys(parsed);
          assert.deepEqual(
            keys,
            order.filter((name) => keys.includes(name)),
            "keys in the schema's order",
          );
        }
      }
    });

    it('at most CHARTER_VALIDATION_CACHE_SIZE entries are kept; 0 turns the cache off', async () => {
      const small = await withApp({
        dialect,
        config: {
          CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
          CHARTER_RATE_LIMIT_CLIENT_IP: 0,
          CHARTER_VALIDATION_CACHE_SIZE: 2,
        },
      });
      const off = await withApp({ dialect, config: { CHARTER_VALIDATION_CACHE_SIZE: 0 } });
      try {
        const smallAdmin = (await createKey(small, ['admin'])).secret;
        const keys = await Promise.all(
          [1, 2, 3].map(async () => (await createLicense(small, smallAdmin)).key),
        );
        for (const licenseKey of keys)
          assert.equal((await validate({ licenseKey }, small.app)).code, 'VALID');
        assert.equal((await cacheStats(small.app, smallAdmin)).entries, 2);
        // A license with two entries (key, key and fingerprint) that loses the older one to the bound is still
        // forgotten whole by its next change.
        const shared = await createLicense(small, smallAdmin, { policy: { maxMachines: 2 } });
        await activateMachine(small, shared.key, 'evicted-fp');
        assert.equal((await validate({ licenseKey: shared.key }, small.app)).code, 'VALID');
        const withFingerprint = { licenseKey: shared.key, fingerprint: 'evicted-fp' };
        assert.equal((await validate(withFingerprint, small.app)).code, 'VALID');
        assert.equal((await validate({ licenseKey: keys[0] }, small.app)).code, 'VALID');
        const hitsBefore = (await cacheStats(small.app, smallAdmin)).hits;
        assert.equal((await validate(withFingerprint, small.app)).code, 'VALID');
        assert.equal((await cacheStats(small.app, smallAdmin)).hits, hitsBefore + 1);
        await small.app.inject({
          method: 'POST',
          url: `/v1/licenses/${shared.id}/suspend`,
          headers: bearer(smallAdmin),
        });
        assert.equal((await validate(withFingerprint, small.app)).code, 'LICENSE_SUSPENDED');

        const offAdmin = (await createKey(off, ['admin'])).secret;
        const licenseKey = (await createLicense(off, offAdmin)).key;
        assert.equal((await validate({ licenseKey }, off.app)).code, 'VALID');
        assert.equal((await validate({ licenseKey }, off.app)).code, 'VALID');
        const text = (await off.app.inject({ method: 'GET', url: '/metrics', headers: bearer(offAdmin) }))
          .body;
        assert.doesNotMatch(text, /charter_validation_cache/);
      } finally {
        await small.close();
        await off.close();
      }
    });

    it('a license suspended through one server process is refused by another within the bound (1 s; SQLite 5 ms)', async () => {
      const storage = await freshDatabase(dialect);
      // The other process runs on the real clock: this one too, so the license it makes is not dated elsewhere.
      const first = await withApp({
        dialect,
        storage,
        now: new Date(),
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0 },
      });
      const second = await serveCli(storage.serverEnv);
      try {
        const firstAdmin = (await createKey(first, ['admin'])).secret;
        const license = await createLicense(first, firstAdmin);
        const validateThere = async () => {
          const res = await fetch(`${second.url}/v1/client/validate`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ licenseKey: license.key }),
          });
          return ((await res.json()) as Result).code;
        };
        // The other process remembers the license as valid.
        assert.equal(await validateThere(), 'VALID');
        assert.equal(await validateThere(), 'VALID');
        const suspended = await first.app.inject({
          method: 'POST',
          url: `/v1/licenses/${license.id}/suspend`,
          headers: bearer(firstAdmin),
        });
        assert.equal(suspended.statusCode, 200);
        const started = performance.now();
        let code = await validateThere();
        while (code !== 'LICENSE_SUSPENDED' && performance.now() - started < 1000) {
          await sleep(5);
          code = await validateThere();
        }
        assert.equal(code, 'LICENSE_SUSPENDED', 'the other process still answered from before the change');
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
        await first.close();
      }
    });

    it('a license suspended by the CLI (another process) is refused by the server within the bound', async () => {
      const license = await createLicense(t, admin, { product: product.id });
      assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
      assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
      const storage = {
        CHARTER_DATA_DIR: t.config.dataDir,
        ...(dialect === 'postgres' ? { DATABASE_URL: withSearchPath(t.db.schema ?? 'public') } : {}),
      };
      const cli = await runCli(['licenses', 'suspend', license.id, '--json'], storage);
      assert.equal(cli.code, 0, cli.stderr);
      const started = performance.now();
      let code = (await validate({ licenseKey: license.key })).code;
      while (code !== 'LICENSE_SUSPENDED' && performance.now() - started < 1000) {
        await sleep(5);
        code = (await validate({ licenseKey: license.key })).code;
      }
      assert.equal(code, 'LICENSE_SUSPENDED');
    });

    if (dialect === 'sqlite') {
      it('a process that missed pruned log rows forgets everything it remembered', async () => {
        const license = await createLicense(t, admin, { product: product.id });
        const other = await createLicense(t, admin, { product: product.id });
        assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
        assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
        // Another process suspends the license, and its log row is pruned before this one read it.
        await t.db.kysely
          .updateTable('licenses')
          .set({ status: 'suspended' })
          .where('id', '=', license.id)
          .execute();
        await t.db.kysely.updateTable('licenses').set({ updated_at: 1 }).where('id', '=', other.id).execute();
        await t.db.kysely.deleteFrom('validation_changes').where('license_id', '=', license.id).execute();
        assert.equal((await validate({ licenseKey: license.key })).code, 'LICENSE_SUSPENDED');
      });
    }

    if (dialect === 'postgres') {
      it('while the listening connection is down nothing is answered from memory; once back the cache serves again', async () => {
        const license = await createLicense(t, admin, { product: product.id });
        assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
        assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
        const admin2 = new pg.Client({ connectionString: postgresUrl() });
        await admin2.connect();
        try {
          const listening = `from pg_stat_activity where application_name = '${feedApplicationName}'`;
          await admin2.query(`select pg_terminate_backend(pid) ${listening}`);
          // Gone, and its client told (the socket closes).
          while (Number((await admin2.query(`select count(*) as n ${listening}`)).rows[0].n) > 0)
            await sleep(10);
          await sleep(50);
          // Written by another process while nobody listens: no notification reaches this one.
          await admin2.query(`update ${t.db.schema}.licenses set status = 'suspended' where id = $1`, [
            license.id,
          ]);
          assert.equal((await validate({ licenseKey: license.key })).code, 'LICENSE_SUSPENDED');
          // Reconnected (after 1 s): validations are remembered again.
          const deadline = performance.now() + 5000;
          let stats = await cacheStats(t.app, admin);
          let hits = stats.hits;
          while (performance.now() < deadline) {
            await validate({ licenseKey: license.key });
            stats = await cacheStats(t.app, admin);
            if (stats.hits > hits) break;
            hits = stats.hits;
            await sleep(100);
          }
          assert.ok(stats.hits > hits, 'the cache never served again after the reconnection');
        } finally {
          await admin2.end();
        }
      });

      it('a change notified while a read is running is not remembered over', async () => {
        const license = await createLicense(t, admin, { product: product.id });
        const cache = createValidationCache(t.db, { capacity: 10, ttlMs: 60_000, log: t.app.log });
        assert.ok(cache);
        const other = new pg.Client({ connectionString: postgresUrl() });
        await other.connect();
        try {
          const keyHash = licenseKeyHash(normalizeLicenseKey(license.key));
          const now = t.clock.nowMs();
          // Let the cache's listening connection come up.
          await sleep(200);
          const stale = await cache.read(keyHash, undefined, now, async () => {
            const read = await readForValidation(t.db, keyHash, now, undefined);
            // Committed by another process after the read, and notified before the read returns.
            await other.query(`update ${t.db.schema}.licenses set status = 'suspended' where id = $1`, [
              license.id,
            ]);
            await sleep(200);
            return read;
          });
          assert.equal(stale?.license.status, 'active');
          const fresh = await cache.read(keyHash, undefined, now, () =>
            readForValidation(t.db, keyHash, now, undefined),
          );
          assert.equal(fresh?.license.status, 'suspended');
        } finally {
          await other.end();
          await cache.close();
        }
      });
    }
  });
}

const withSearchPath = (schema: string) => {
  const url = new URL(postgresUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
};
