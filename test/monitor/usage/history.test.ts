// Usage history: samples per poll, read back downsampled into 5-minute, hourly and daily buckets, and rolled up
// hourly so a range older than the 30 days of raw samples still answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { maintainHistory, type UsagePoint } from '../../../src/monitor/usage/history.js';
import { createKey } from '../../support/access.js';
import { type TestApp, withApp } from '../../support/app.js';
import { managementCalls } from '../../support/calls.js';
import { expectError } from '../../support/expect-error.js';
import { standIn } from '../../support/monitor.js';
import { dialects } from '../../support/services.js';

for (const dialect of dialects()) {
  describe(`monitor usage history (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let dir: string;
    const start = Date.parse('2026-11-23T10:00:00Z');
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'charter-history-'));
      const utility = standIn(dir);
      t = await withApp({ dialect, now: new Date(start), config: { CHARTER_LMUTIL: utility.script } });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers every bucket of the range from the samples, then from hourly rollups once samples are gone', async () => {
      const server = (
        await call('POST', '/v1/monitor/servers', {
          name: 'varying',
          kind: 'flexlm',
          address: '27000@varying.example',
        })
      ).json() as { id: string };
      // In use 1, 2, 3 in the first five minutes, 4 ten minutes later.
      for (const offset of [0, 60_000, 120_000, 600_000]) {
        t.clock.set(start + offset);
        assert.equal((await call('POST', `/v1/monitor/servers/${server.id}/poll`)).statusCode, 200);
      }
      t.clock.set(start + 3_600_000);
      const range = `from=${new Date(start).toISOString()}&to=${new Date(start + 900_000).toISOString()}`;
      const fiveMinutes = (
        await call('GET', `/v1/monitor/usage?serverId=${server.id}&feature=Virtuoso&${range}&bucket=5m`)
      ).json() as { bucket: string; data: UsagePoint[] };
      assert.deepEqual(
        fiveMinutes.data.map((point) => [
          point.at.slice(11, 16),
          point.inUseAvg,
          point.inUseMax,
          point.issued,
        ]),
        [
          ['10:00', 2, 3, 10],
          ['10:05', null, null, null],
          ['10:10', 4, 4, 10],
        ],
      );
      const hourly = (
        await call(
          'GET',
          `/v1/monitor/usage?serverId=${server.id}&from=${new Date(start).toISOString()}&to=${new Date(start + 3_600_000).toISOString()}&bucket=hour`,
        )
      ).json() as { data: UsagePoint[] };
      assert.deepEqual(
        hourly.data.map((point) => [point.inUseAvg, point.inUseMax]),
        [[2.5, 4]],
      );

      // A month on: the raw samples are past their 30 days, and the hourly rollup answers instead.
      t.clock.set(start + 31 * 86_400_000);
      await maintainHistory(t);
      const samplesLeft = await t.db.kysely.selectFrom('monitor_samples').select('at').execute();
      assert.equal(samplesLeft.length, 0);
      const old = (
        await call(
          'GET',
          `/v1/monitor/usage?serverId=${server.id}&feature=Virtuoso&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&bucket=day`,
        )
      ).json() as { data: UsagePoint[] };
      assert.deepEqual(
        old.data.map((point) => [point.inUseAvg, point.inUseMax, point.issued]),
        [[2.5, 4, 10]],
      );
    });

    it('summed over features, a series keeps the highest total at once, from samples and from rollups alike', async () => {
      const base = Date.parse('2027-01-04T10:00:00Z');
      const server = (
        await call('POST', '/v1/monitor/servers', {
          name: 'seesaw',
          kind: 'flexlm',
          address: '27000@seesaw.example',
        })
      ).json() as { id: string };
      // Alpha 2 and Beta 0, then Alpha 0 and Beta 2: 2 in use at every poll, each feature's highest 2.
      for (const offset of [0, 60_000]) {
        t.clock.set(base + offset);
        assert.equal((await call('POST', `/v1/monitor/servers/${server.id}/poll`)).statusCode, 200);
      }
      const summed = async () =>
        (
          (
            await call(
              'GET',
              `/v1/monitor/usage?serverId=${server.id}&from=${new Date(base).toISOString()}&to=${new Date(base + 3_600_000).toISOString()}&bucket=hour`,
            )
          ).json() as { data: UsagePoint[] }
        ).data.map((point) => [point.inUseAvg, point.inUseMax, point.issued]);
      t.clock.set(base + 3_600_000);
      assert.deepEqual(await summed(), [[2, 2, 4]]);
      t.clock.set(base + 31 * 86_400_000);
      await maintainHistory(t);
      assert.deepEqual(await summed(), [[2, 2, 4]], 'not 4: the sum of each feature’s highest');
    });

    it('an hour half past the 30 days of samples is read from its rollup alone, never counted twice', async () => {
      const base = Date.parse('2027-03-01T10:00:00Z');
      const server = (
        await call('POST', '/v1/monitor/servers', {
          name: 'varying again',
          kind: 'flexlm',
          address: '27000@varying.example',
        })
      ).json() as { id: string };
      const inUse: number[] = [];
      for (const offset of [600_000, 2_400_000]) {
        t.clock.set(base + offset);
        const poll = await call('POST', `/v1/monitor/servers/${server.id}/poll`);
        inUse.push(
          (poll.json() as { snapshot: { features: { inUse: number }[] } }).snapshot.features[0]?.inUse ?? 0,
        );
      }
      // 30 days back from now is 10:30: the 10:10 sample is pruned, the 10:40 one kept, and 10:00's rollup has both.
      t.clock.set(base + 30 * 86_400_000 + 1_800_000);
      await maintainHistory(t);
      const hour = (
        await call(
          'GET',
          `/v1/monitor/usage?serverId=${server.id}&feature=Virtuoso&from=${new Date(base).toISOString()}&to=${new Date(base + 3_600_000).toISOString()}&bucket=hour`,
        )
      ).json() as { data: UsagePoint[] };
      assert.deepEqual(
        hour.data.map((point) => [point.inUseAvg, point.inUseMax]),
        [[((inUse[0] ?? 0) + (inUse[1] ?? 0)) / 2, Math.max(...inUse)]],
      );
    });

    it('a range with too many buckets, or backwards, answers 400 INVALID_QUERY; an unknown server 404', async () => {
      const server = (
        await call('POST', '/v1/monitor/servers', { name: 'q', kind: 'flexlm', address: '27000@ok.example' })
      ).json() as { id: string };
      expectError(
        await call(
          'GET',
          `/v1/monitor/usage?serverId=${server.id}&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=5m`,
        ),
        400,
        'INVALID_QUERY',
      );
      expectError(
        await call(
          'GET',
          `/v1/monitor/usage?serverId=${server.id}&from=2026-03-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
        ),
        400,
        'INVALID_QUERY',
      );
      expectError(await call('GET', '/v1/monitor/usage?serverId=srv_missing'), 404, 'NOT_FOUND');
      expectError(await call('GET', '/v1/monitor/usage'), 400, 'VALIDATION_ERROR');
    });
  });
}
