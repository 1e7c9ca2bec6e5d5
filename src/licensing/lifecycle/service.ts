// The lifecycle watch: events that no request causes, because time does. license.expired when a license's end
// passes, license.expiring_soon some days before (seven unless configured), machine.heartbeat_dead when a machine misses its heartbeat
// grace (two intervals). Each scan keeps a mark in job_marks and reads only what crossed the line since, in the
// same transaction as its events, so each is emitted once, by one process, and none is skipped across restarts.
// Marks start when the watch first ran on this database (the `lifecycle.start` mark): licenses that ended before
// that do not emit, and a scan added later (a policy with a new heartbeat interval) starts from there too.
// license.expiring_soon of an active license queues its customer's license_expiring mail in the same transaction.
import type { CustomerMailKind } from '../../config.js';
import type { Database } from '../../db/connection.js';
import { transaction } from '../../db/transaction.js';
import { lockJobMark, setJobMark } from '../../events/service.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { notifyLicenseExpiring } from '../customer-mail/service.js';
import { emitLicenseEvent } from '../licenses/present.js';
import { emitMachineEvent } from '../machines/machine.js';
import { heartbeatSecondsInUse, licensesEndingIn, machinesLastSeenIn } from './store.js';

/** license.expiring_soon comes this long before the end unless configured (CHARTER_EXPIRY_NOTICE_DAYS). */
export const defaultNoticeMs = 7 * 86_400_000;

interface LifecycleDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  /** How long before a license's end license.expiring_soon is emitted: once per end, so once per renewal. */
  expiryNoticeMs?: number;
  /** The customer mail turned on (license_expiring). */
  customerMail?: readonly CustomerMailKind[] | undefined;
}

const batch = 500;
// Sorts after every id, so a finished window's mark excludes all rows at its instant.
const afterAll = '~';

/** One bounded step of one scan: answers how many rows it emitted for (a full batch: call again). */
const scanStep = async <Row extends { id: string }>(
  deps: LifecycleDeps,
  name: string,
  read: (
    tx: Parameters<Parameters<typeof transaction>[1]>[0],
    window: { at: number; afterId: string; until: number; limit: number },
  ) => Promise<Row[]>,
  markOf: (row: Row) => number,
  emit: (tx: Parameters<Parameters<typeof transaction>[1]>[0], row: Row) => Promise<void>,
  startedAt: number,
): Promise<number> =>
  transaction(deps.db, async (tx) => {
    const nowMs = deps.clock.nowMs();
    const mark = await lockJobMark(tx, deps.db.dialect, name, startedAt);
    if (mark.at > nowMs) return 0;
    const rows = await read(tx, { ...mark, until: nowMs, limit: batch });
    for (const row of rows) await emit(tx, row);
    const last = rows.at(-1);
    await setJobMark(
      tx,
      name,
      rows.length === batch && last
        ? { at: markOf(last), afterId: last.id }
        : { at: nowMs, afterId: afterAll },
    );
    return rows.length;
  });

const drain = async (step: () => Promise<number>) => {
  let total = 0;
  for (;;) {
    const done = await step();
    total += done;
    if (done < batch) return total;
  }
};

/** Runs every scan up to now; answers how many events each emitted. */
export const scanLifecycle = async (deps: LifecycleDeps) => {
  const { at: startedAt } = await transaction(deps.db, (tx) =>
    lockJobMark(tx, deps.db.dialect, 'lifecycle.start', deps.clock.nowMs()),
  );
  const expired = await drain(() =>
    scanStep(
      deps,
      'license.expired',
      (tx, window) => licensesEndingIn(tx, window, 0),
      (row) => row.expires_at ?? 0,
      (tx, row) => emitLicenseEvent(deps, tx, 'license.expired', row),
      startedAt,
    ),
  );
  const noticeMs = deps.expiryNoticeMs ?? defaultNoticeMs;
  const expiringSoon = await drain(() =>
    scanStep(
      deps,
      'license.expiring_soon',
      (tx, window) => licensesEndingIn(tx, window, noticeMs),
      (row) => (row.expires_at ?? 0) - noticeMs,
      async (tx, row) => {
        await emitLicenseEvent(deps, tx, 'license.expiring_soon', row);
        if (row.status === 'active') await notifyLicenseExpiring(deps, tx, row);
      },
      startedAt,
    ),
  );
  let heartbeatDead = 0;
  for (const seconds of await heartbeatSecondsInUse(deps.db.kysely)) {
    heartbeatDead += await drain(() =>
      scanStep(
        deps,
        `machine.heartbeat_dead:${seconds}`,
        (tx, window) => machinesLastSeenIn(tx, window, seconds),
        (row) => row.last_seen_at + 2000 * seconds,
        (tx, row) => emitMachineEvent(tx, 'machine.heartbeat_dead', row, seconds, deps.clock.nowMs()),
        startedAt,
      ),
    );
  }
  return { expired, expiringSoon, heartbeatDead };
};

export const startLifecycleWatch = (
  deps: LifecycleDeps & { log: { warn(object: object, message: string): void } },
  intervalMs: number,
) => {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = background('lifecycle scan', () => scanLifecycle(deps)).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'lifecycle watch pass failed; retrying next interval');
    });
  }, intervalMs);
  timer.unref();
  // The first pass sets the marks, so what ends from now on is watched even if the process stops soon.
  running = scanLifecycle(deps).catch(() => {});
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
};
