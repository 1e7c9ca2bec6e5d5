// Charter's own floating pools through the monitor's routes (server "charter"): current use with seats,
// utilization, today's peak and FLOATING_NOT_AVAILABLE denials; who holds the seats; the usage series from the
// per-minute samples, and from hourly rollups once the samples are gone; seat denials pruned after 90 days.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleCharterPools } from '../../src/monitor/charter-pools.js';
import { maintainHistory, type UsagePoint } from '../../src/monitor/usage/history.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

interface FeatureRow {
  serverId: string;
  feature: string;
  vendor: string | null;
  issued: number | null;
  inUse: number;
  utilization: number | null;
  peakToday: number;
  denialsToday: number;
}

for (const dialect of dialects()) {
  describe(`Charter's own pools in the monitor (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let license: { id: string; key: string };
    const start = Date.parse('2026-11-23T10:00:00Z');
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const sample = () => sampleCharterPools({ db: t.db, clock: t.clock });
    const features = async (query = '?serverId=charter') => {
      const res = await call('GET', `/v1/monitor/features${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { data: FeatureRow[] }).data;
    };
    const usage = async (query: string) => {
      const res = await call('GET', `/v1/monitor/usage?serverId=charter&${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { bucket: string; data: UsagePoint[] };
    };

    before(async () => {
      t = await withApp({
        dialect,
        now: new Date(start),
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      const product = await createProduct(t, admin, { code: 'cad', name: 'CAD' });
      assert.equal(
        (
          await call('POST', `/v1/products/${product.id}/features`, {
            code: 'render',
            name: 'Render',
            kind: 'floating',
            seats: 1,
          })
        ).statusCode,
        201,
      );
      license = await createLicense(t, admin, {
        product: product.id,
        policy: {
          floating: true,
          maxMachines: 2,
          leaseSeconds: 3600,
          features: [{ code: 'render', seats: 3 }],
        },
      });
    });
    after(() => t.close());

    it('lists each pool holding seats with its seats, utilization, today’s peak and FLOATING_NOT_AVAILABLE denials', async () => {
      assert.deepEqual(await features(), [], 'no pool has been used yet');
      for (const fingerprint of ['fp-a', 'fp-b'])
        assert.equal(
          (
            await client('checkout', {
              licenseKey: license.key,
              fingerprint,
              name: `${fingerprint}-workstation`,
              hostname: `${fingerprint}.local`,
            })
          ).statusCode,
          201,
        );
      expectError(
        await client('checkout', { licenseKey: license.key, fingerprint: 'fp-c' }),
        422,
        'FLOATING_NOT_AVAILABLE',
      );
      assert.equal(
        (await client('features/render/checkout', { licenseKey: license.key, fingerprint: 'fp-a' }))
          .statusCode,
        201,
      );

      const rows = await features();
      assert.deepEqual(
        rows.map((row) => [row.serverId, row.feature, row.vendor, row.issued, row.inUse, row.utilization]),
        [
          // The entitlement's 3 seats, not the product feature's 1.
          ['charter', `${license.id}/render`, 'cad', 3, 1, 33.33],
          ['charter', `${license.id}/seats`, 'cad', 2, 2, 100],
        ],
      );
      const seats = rows.find((row) => row.feature.endsWith('/seats'));
      assert.equal(seats?.peakToday, 2);
      assert.equal(seats?.denialsToday, 1, 'the refused checkout of fp-c');
      // Without serverId, monitored servers' features and Charter's pools together.
      assert.deepEqual(await features(''), rows);
      const denials = await call('GET', '/v1/monitor/denials?serverId=charter');
      assert.deepEqual(
        (
          denials.json() as { data: { serverId: string; feature: string; user: string; count: number }[] }
        ).data.map((row) => [row.serverId, row.feature, row.user, row.count]),
        [['charter', `${license.id}/seats`, 'fp-c', 1]],
      );
    });

    it('answers who holds the seats now as sessions of server charter', async () => {
      const res = await call('GET', `/v1/monitor/sessions?serverId=charter&feature=${license.id}/seats`);
      assert.equal(res.statusCode, 200, res.body);
      const sessions = (
        res.json() as {
          data: { serverId: string; feature: string; user: string; host: string; count: number }[];
        }
      ).data;
      assert.deepEqual(
        sessions.map((session) => [
          session.serverId,
          session.feature,
          session.user,
          session.host,
          session.count,
        ]),
        [
          ['charter', `${license.id}/seats`, 'fp-a-workstation', 'fp-a.local', 1],
          ['charter', `${license.id}/seats`, 'fp-b-workstation', 'fp-b.local', 1],
        ],
      );
      const byUser = await call('GET', '/v1/monitor/sessions?serverId=charter&user=FP-B-WORKSTATION');
      assert.deepEqual(
        (byUser.json() as { data: { user: string }[] }).data.map((session) => session.user),
        ['fp-b-workstation'],
      );
    });

    it('samples the pools once a minute; a pool absent from a sample counts as none in use in the averages', async () => {
      // 10:00: 2 seats and 1 render seat held, and the denial of fp-c.
      assert.equal(await sample(), true);
      assert.equal(await sample(), false, 'a minute has not passed');
      t.clock.set(start + 60_000);
      assert.equal(
        (await client('release', { licenseKey: license.key, fingerprint: 'fp-b' })).statusCode,
        204,
      );
      assert.equal(await sample(), true); // 10:01: 1 seat, 1 render seat
      t.clock.set(start + 120_000);
      // fp-a's render seat goes with its license seat.
      assert.equal(
        (await client('release', { licenseKey: license.key, fingerprint: 'fp-a' })).statusCode,
        204,
      );
      assert.equal(await sample(), true); // 10:02: nothing held, no sample rows
      t.clock.set(start + 180_000);
      assert.equal(await sample(), true); // 10:03: nothing held
      t.clock.set(start + 300_000);

      const polls = await call('GET', '/v1/monitor/polls?serverId=charter');
      assert.deepEqual(
        (polls.json() as { data: { outcome: string }[] }).data.map((poll) => poll.outcome),
        ['ok', 'ok', 'ok', 'ok'],
      );
      // The poll history of license servers leaves them out unless asked for by name.
      const everyServer = await call('GET', '/v1/monitor/polls');
      assert.deepEqual((everyServer.json() as { data: unknown[] }).data, []);
      const range = `from=${new Date(start).toISOString()}&to=${new Date(start + 300_000).toISOString()}&bucket=5m`;
      const seats = await usage(`feature=${license.id}/seats&${range}`);
      // (2 + 1 + 0 + 0) / 4 polls.
      assert.deepEqual(seats.data, [
        { at: '2026-11-23T10:00:00.000Z', inUseAvg: 0.75, inUseMax: 2, issued: 2, denials: 1 },
      ]);
      const all = await usage(range);
      // Every pool summed: (3 + 2 + 0 + 0) / 4.
      assert.deepEqual(all.data, [
        { at: '2026-11-23T10:00:00.000Z', inUseAvg: 1.25, inUseMax: 3, issued: 5, denials: 1 },
      ]);
      const today = await features();
      assert.deepEqual(
        today.map((row) => [row.feature, row.inUse, row.peakToday, row.denialsToday]),
        [
          [`${license.id}/render`, 0, 1, 0],
          [`${license.id}/seats`, 0, 2, 1],
        ],
        'pools used today stay listed at zero',
      );
    });

    it('reads the same series from hourly rollups once the raw samples are past their 30 days', async () => {
      t.clock.set(start + 31 * 86_400_000);
      await maintainHistory({ db: t.db, clock: t.clock });
      const range = `from=${new Date(start).toISOString()}&to=${new Date(start + 3_600_000).toISOString()}&bucket=hour`;
      assert.deepEqual((await usage(`feature=${license.id}/seats&${range}`)).data, [
        { at: '2026-11-23T10:00:00.000Z', inUseAvg: 0.75, inUseMax: 2, issued: 2, denials: 1 },
      ]);
      assert.deepEqual((await usage(range)).data, [
        // Summed over pools: the most held at once (10:00), from the rollups' totals row.
        { at: '2026-11-23T10:00:00.000Z', inUseAvg: 1.25, inUseMax: 3, issued: 5, denials: 1 },
      ]);
    });

    it('keeps seat denials 90 days', async () => {
      const denials = async () =>
        ((await call('GET', `/v1/leases/denials?licenseId=${license.id}`)).json() as { data: unknown[] }).data
          .length;
      assert.equal(await denials(), 1);
      t.clock.set(start + 91 * 86_400_000);
      await maintainHistory({ db: t.db, clock: t.clock });
      assert.equal(await denials(), 0);
    });

    it('answers 404 for a server that does not exist, and refuses a caller without monitor:read', async () => {
      expectError(await call('GET', '/v1/monitor/usage?serverId=srv_missing'), 404, 'NOT_FOUND');
      expectError(await call('GET', '/v1/monitor/features?serverId=srv_missing'), 404, 'NOT_FOUND');
      expectError(await call('GET', '/v1/monitor/sessions?serverId=srv_missing'), 404, 'NOT_FOUND');
      const other = (await createKey(t, ['licenses:read'])).secret;
      for (const url of [
        '/v1/monitor/features?serverId=charter',
        '/v1/monitor/sessions?serverId=charter',
        '/v1/monitor/usage?serverId=charter',
        '/v1/monitor/denials?serverId=charter',
      ])
        expectError(
          await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${other}` } }),
          403,
          'AUTH_INSUFFICIENT',
        );
    });
  });
}
