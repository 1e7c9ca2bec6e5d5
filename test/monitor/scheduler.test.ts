// The monitor's scheduler: due servers polled every pollSeconds with jitter, at most CHARTER_MONITOR_CONCURRENCY at
// once, and on PostgreSQL one leading process among several, replaced when it stops.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createPoller } from '../../src/monitor/poller.js';
import { createMonitorScheduler } from '../../src/monitor/scheduler.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { freshDatabase } from '../support/database.js';
import { addMonitoredServer, standIn } from '../support/monitor.js';
import { dialects } from '../support/services.js';

const quiet = { warn: () => {}, info: () => {} };

for (const dialect of dialects()) {
  describe(`monitor scheduler (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let dir: string;
    let utility: ReturnType<typeof standIn>;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const schedulerFor = (concurrency: number, draw = () => 0.5, leaderRetryMs = 15_000) => {
      const poller = createPoller({
        db: t.db,
        clock: t.clock,
        utilities: { lmutil: utility.script, rlmutil: utility.script },
        concurrency,
        logDir: undefined,
        log: quiet,
      });
      const scheduler = createMonitorScheduler(
        { db: t.db, clock: t.clock, poller, log: quiet, draw },
        { tickMs: 1000, leaderRetryMs },
      );
      made.push(scheduler);
      return scheduler;
    };
    // Stopped after each test, passed or failed: a leader left running would hold its connection (and the lock).
    const made: { stop(): Promise<void> }[] = [];
    afterEach(async () => {
      await Promise.all(made.splice(0).map((scheduler) => scheduler.stop()));
    });
    const isLeaderSoon = async (scheduler: { isLeader(): boolean }) => {
      for (let waited = 0; waited < 5000 && !scheduler.isLeader(); waited += 20) await sleep(20);
      return scheduler.isLeader();
    };

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'charter-scheduler-'));
      utility = standIn(dir);
      t = await withApp({
        dialect,
        now: new Date('2026-11-23T10:00:00Z'),
        config: { CHARTER_LMUTIL: utility.script },
      });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const addServer = (host: string, extra: Record<string, unknown> = {}) =>
      addMonitoredServer(call, host, extra);
    const pollsOf = async (id: string) =>
      ((await call('GET', `/v1/monitor/polls?serverId=${id}`)).json() as { data: unknown[] }).data.length;

    it('polls each enabled server when due, then again pollSeconds later (±10 % jitter); never a disabled one', async () => {
      const scheduler = schedulerFor(4, () => 1);
      assert.ok(await isLeaderSoon(scheduler));
      const first = await addServer('ok.example', { pollSeconds: 60 });
      const off = await addServer('ok.example', { enabled: false });
      await scheduler.runDue();
      assert.deepEqual([await pollsOf(first.id), await pollsOf(off.id)], [1, 0]);
      await scheduler.runDue();
      assert.equal(await pollsOf(first.id), 1, 'not due again yet');
      // draw 1 is the top of the jitter: 66 s.
      t.clock.advance(65_000);
      await scheduler.runDue();
      assert.equal(await pollsOf(first.id), 1);
      t.clock.advance(1_000);
      await scheduler.runDue();
      assert.equal(await pollsOf(first.id), 2);
      await scheduler.stop();
      await call('DELETE', `/v1/monitor/servers/${first.id}`);
      await call('DELETE', `/v1/monitor/servers/${off.id}`);
    });

    it('the leader samples Charter’s own pools once a minute, as polls of server charter', async () => {
      const scheduler = schedulerFor(4);
      assert.ok(await isLeaderSoon(scheduler));
      // The last sample (of an earlier test's scheduler: the pace is kept in the database) a minute back.
      t.clock.advance(60_000);
      const before = await pollsOf('charter');
      await scheduler.runDue();
      await scheduler.runDue();
      assert.equal(await pollsOf('charter'), before + 1, 'not again within the minute');
      t.clock.advance(60_000);
      await scheduler.runDue();
      assert.equal(await pollsOf('charter'), before + 2);
    });

    it('runs at most CHARTER_MONITOR_CONCURRENCY utilities at once', async () => {
      const scheduler = schedulerFor(2);
      assert.ok(await isLeaderSoon(scheduler));
      const servers = [];
      for (let index = 0; index < 5; index++) servers.push(await addServer(`busy${index}.example`));
      await scheduler.runDue();
      let running = 0;
      let most = 0;
      for (const line of readFileSync(path.join(dir, 'busy.log'), 'utf8').trim().split('\n')) {
        running += line.startsWith('start') ? 1 : -1;
        most = Math.max(most, running);
      }
      assert.equal(most, 2);
      for (const server of servers) assert.equal(await pollsOf(server.id), 1);
      await scheduler.stop();
      for (const server of servers) await call('DELETE', `/v1/monitor/servers/${server.id}`);
    });

    if (dialect === 'postgres') {
      it('one process leads polling; when it stops, another takes over', async () => {
        const first = schedulerFor(2, () => 0.5, 50);
        assert.ok(await isLeaderSoon(first));
        const second = schedulerFor(2, () => 0.5, 50);
        await sleep(200);
        assert.equal(second.isLeader(), false);
        const server = await addServer('ok.example');
        await second.runDue();
        assert.equal(await pollsOf(server.id), 0, 'a follower does not poll');
        await first.stop();
        assert.ok(await isLeaderSoon(second));
        await second.runDue();
        assert.equal(await pollsOf(server.id), 1);
        await second.stop();
      });

      it('installations in different schemas of one database each have their own leader', async () => {
        const other = await freshDatabase('postgres');
        try {
          const here = schedulerFor(2, () => 0.5, 50);
          const poller = createPoller({
            db: other.db,
            clock: t.clock,
            utilities: { lmutil: utility.script, rlmutil: utility.script },
            concurrency: 1,
            logDir: undefined,
            log: quiet,
          });
          const there = createMonitorScheduler(
            { db: other.db, clock: t.clock, poller, log: quiet, draw: () => 0.5 },
            { tickMs: 1000, leaderRetryMs: 50 },
          );
          made.push(there);
          assert.ok(await isLeaderSoon(here));
          assert.ok(await isLeaderSoon(there));
          await there.stop();
        } finally {
          await other.dispose();
        }
      });

      it('a leader whose database connection is cut stops leading, leads again on a new connection, and leaves no dead connection in the pool', async () => {
        const scheduler = schedulerFor(2, () => 0.5, 50);
        assert.ok(await isLeaderSoon(scheduler));
        const holder = async () =>
          (
            await sql<{
              pid: number;
            }>`select pid from pg_locks where locktype = 'advisory' and classid = ${0x63686172} and objid = hashtext(current_schema())::oid and granted`.execute(
              t.db.kysely,
            )
          ).rows[0]?.pid;
        const before = await holder();
        assert.ok(before);
        await sql`select pg_terminate_backend(${before})`.execute(t.db.kysely);
        let after: number | undefined;
        for (let waited = 0; waited < 5000; waited += 20) {
          after = await holder();
          if (after && after !== before && scheduler.isLeader()) break;
          await sleep(20);
        }
        assert.ok(after && after !== before, 'the lock is held again, by another connection');
        assert.equal(scheduler.isLeader(), true);
        // The dead connection was destroyed, not handed back to the pool: queries filling every idle connection
        // never meet it.
        await Promise.all(Array.from({ length: 10 }, () => sql`select 1`.execute(t.db.kysely)));
        await scheduler.stop();
      });
    }
  });
}
