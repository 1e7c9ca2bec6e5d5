// The incident worker: the leader among processes (db/leadership.ts; SQLite's one process always leads) evaluates
// every rule each interval. A follower evaluates nothing; when the leader goes, another takes over.
import type { Database } from '../../db/connection.js';
import { holdLeadership } from '../../db/leadership.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { type EngineDeps, evaluateRules, type Rule } from './engine.js';

/** The advisory lock's key: "inci". */
const leaderLockKey = 0x696e6369;

export const startIncidentWorker = (
  deps: {
    db: Database;
    clock: Clock;
    log: { warn(object: object, message: string): void; info(object: object, message: string): void };
    /** Runs first in each evaluation (pending actions past their end are marked expired). */
    beforeEach?: () => Promise<unknown>;
    notify?: EngineDeps['notify'];
  },
  rules: readonly Rule[],
  intervalMs: number,
) => {
  const leadership = holdLeadership(deps.db, {
    key: leaderLockKey,
    retryMs: Math.min(intervalMs, 5000),
    onLead: () => deps.log.info({}, 'incident rules: this process evaluates them'),
    onConnectionLost: (error) =>
      deps.log.warn({ err: error }, 'incident rules: the leader connection was lost; trying again'),
  });
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (!leadership.isLeader()) return;
    running = running
      .then(() =>
        background('incident rules', async () => {
          await deps.beforeEach?.();
          await evaluateRules(deps, rules);
        }),
      )
      .catch((error: unknown) =>
        deps.log.warn({ err: error }, 'incident evaluation failed; retrying next interval'),
      );
  }, intervalMs);
  timer.unref();
  return {
    isLeader: () => leadership.isLeader(),
    stop: async () => {
      clearInterval(timer);
      await running;
      await leadership.stop();
    },
  };
};
