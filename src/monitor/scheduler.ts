// The monitor's scheduler: every tick, the enabled servers whose next poll is due are polled (the poller keeps at
// most CHARTER_MONITOR_CONCURRENCY at once and one per server; a hung utility holds its own slot only). Each poll
// sets the next one `pollSeconds` ahead, ±10 % jitter so servers added together drift apart.
//
// With several processes on PostgreSQL only one polls: the leader, which holds a session advisory lock on a
// connection of its own (db/leadership.ts). When the leader dies its connection closes, the lock goes with it, and
// another process takes it at its next try (every `leaderRetryMs`, 15 s by default: well within a minute). On
// SQLite, one process owns the database and leads. The leader also samples Charter's own pools (charter-pools.ts)
// and rolls the history up and prunes it (usage/history.ts).
import type { Database } from '../db/connection.js';
import { holdLeadership } from '../db/leadership.js';
import { background } from '../lib/background.js';
import type { Clock } from '../lib/clock.js';
import { poolSampleMs, sampleCharterPools } from './charter-pools.js';
import type { Poller } from './poller.js';
import { dueServers, updateServerRow } from './servers/store.js';
import { maintainHistory } from './usage/history.js';

/**
 * The advisory lock's key: "char" (db/leadership.ts pairs it with the hash of the schema Charter's tables live in,
 * so Charter installations sharing one PostgreSQL database in different schemas each have their own leader).
 */
const leaderLockKey = 0x63686172;

export interface SchedulerDeps {
  db: Database;
  clock: Clock;
  poller: Poller;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  /** Uniform in [0, 1): the jitter. */
  draw: () => number;
}

export const createMonitorScheduler = (
  deps: SchedulerDeps,
  options: { tickMs: number; leaderRetryMs?: number } = { tickMs: 1000 },
) => {
  const lead = holdLeadership(deps.db, {
    key: leaderLockKey,
    retryMs: options.leaderRetryMs ?? 15_000,
    onLead: () => deps.log.info({}, 'monitor: this process leads polling'),
    onConnectionLost: (error) =>
      deps.log.warn({ err: error }, 'monitor: the leadership connection failed; trying again'),
  });

  let lastMaintenance = Number.NEGATIVE_INFINITY;
  let lastPoolSample = Number.NEGATIVE_INFINITY;

  /** Starts every due poll this process is not already running; answers the polls started. */
  const startDue = async () => {
    if (!lead.isLeader()) return [];
    // Hourly rollups and retention, by the leader, at most every ten minutes.
    // Neither job's failure keeps the due polls from starting.
    if (deps.clock.nowMs() - lastMaintenance >= 600_000) {
      lastMaintenance = deps.clock.nowMs();
      await maintainHistory(deps).catch((error: unknown) =>
        deps.log.warn({ err: error }, 'monitor: rolling the history up failed'),
      );
    }
    // Charter's own pools, once a minute (charter-pools.ts keeps the pace across processes).
    if (deps.clock.nowMs() - lastPoolSample >= poolSampleMs) {
      lastPoolSample = deps.clock.nowMs();
      await sampleCharterPools(deps).catch((error: unknown) =>
        deps.log.warn({ err: error }, 'monitor: sampling Charter’s pools failed'),
      );
    }
    const nowMs = deps.clock.nowMs();
    const started = [];
    for (const server of await dueServers(deps.db.kysely, nowMs)) {
      if (deps.poller.isPolling(server.id)) continue;
      // Pushed ahead now, so a slow poll is not started again; the poll's own record sets the real next time.
      const jittered = Math.round(server.poll_seconds * 1000 * (0.9 + 0.2 * deps.draw()));
      await updateServerRow(deps.db.kysely, server.id, { next_poll_at: nowMs + jittered });
      started.push(
        deps.poller.poll({ ...server }).catch((error: unknown) => {
          deps.log.warn({ err: error, serverId: server.id }, 'monitor: a poll could not be recorded');
        }),
      );
    }
    return started;
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      background('monitor schedule', startDue)
        .catch((error: unknown) => deps.log.warn({ err: error }, 'monitor: scheduling failed'))
        .finally(schedule);
    }, options.tickMs);
    timer.unref();
  };

  return {
    /** For tests: start the due polls and wait for them. */
    runDue: async () => {
      await Promise.all(await startDue());
    },
    isLeader: () => lead.isLeader(),
    start: schedule,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await lead.stop();
    },
  };
};
