// SQL of the lifecycle watch: licenses whose end (or end minus the notice) and machines whose heartbeat deadline
// fell inside a scan's window, read in (time, id) order by index.
import type { LicensesTable, MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export interface Window {
  /** Exclusive start: (at, afterId). */
  at: number;
  afterId: string;
  /** Inclusive end. */
  until: number;
  limit: number;
}

/** Live, unrevoked licenses whose expires_at (shifted by `shiftMs`) lies in the window, oldest first. */
export const licensesEndingIn = (db: Executor, window: Window, shiftMs: number): Promise<LicensesTable[]> =>
  db
    .selectFrom('licenses')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('expires_at', '>', window.at + shiftMs),
        eb.and([eb('expires_at', '=', window.at + shiftMs), eb('id', '>', window.afterId)]),
      ]),
    )
    .where('expires_at', '<=', window.until + shiftMs)
    .where('deleted_at', 'is', null)
    .where('status', '!=', 'revoked')
    .orderBy('expires_at')
    .orderBy('id')
    .limit(window.limit)
    .execute();

export const heartbeatSecondsInUse = async (db: Executor): Promise<number[]> =>
  (
    await db
      .selectFrom('policies')
      .select('heartbeat_seconds')
      .distinct()
      .where('heartbeat_seconds', 'is not', null)
      .execute()
  ).flatMap((row) => (row.heartbeat_seconds === null ? [] : [row.heartbeat_seconds]));

/**
 * Active machines under a policy with this heartbeat whose last sign of life lies in the window shifted back by
 * the grace (two heartbeats, machines/service.ts isDead): those that died in it.
 */
export const machinesLastSeenIn = (
  db: Executor,
  window: Window,
  heartbeatSeconds: number,
): Promise<MachinesTable[]> => {
  const graceMs = 2000 * heartbeatSeconds;
  return db
    .selectFrom('machines as m')
    .innerJoin('licenses as l', 'l.id', 'm.license_id')
    .innerJoin('policies as p', 'p.id', 'l.policy_id')
    .selectAll('m')
    .where('m.status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('m.last_seen_at', '>', window.at - graceMs),
        eb.and([eb('m.last_seen_at', '=', window.at - graceMs), eb('m.id', '>', window.afterId)]),
      ]),
    )
    .where('m.last_seen_at', '<=', window.until - graceMs)
    .where('p.heartbeat_seconds', '=', heartbeatSeconds)
    .where('l.deleted_at', 'is', null)
    .orderBy('m.last_seen_at')
    .orderBy('m.id')
    .limit(window.limit)
    .execute();
};
