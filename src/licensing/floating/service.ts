// Floating seats: leases in a pool (a floating license's seats, or a floating feature's), granted, extended,
// borrowed, released and expired. The Client API calls these inside its transaction, with the license row locked
// (PostgreSQL FOR UPDATE; SQLite's single writer), so a pool never holds more live leases than seats.
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { LeasesTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent, emitEvents } from '../../events/service.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { getLicenseRowOrThrow } from '../licenses/service.js';
import { canSeeProduct, visibleProducts } from '../visibility.js';
import type { Lease } from './schemas.js';
import {
  countLiveLeases,
  countSeatsInUse,
  endLiveLeases,
  expireLapsedLeases,
  extendLease,
  extendLiveLeases,
  findHeldLease,
  findLease,
  insertDenial,
  insertLease,
  listDenials,
  listLeases,
  updateLeaseRow,
} from './store.js';

export const isLive = (row: Pick<LeasesTable, 'status' | 'expires_at'>, nowMs: number) =>
  row.status === 'active' && row.expires_at > nowMs;

export const toLease = (row: LeasesTable, nowMs: number): Lease => ({
  id: row.id,
  licenseId: row.license_id,
  machineId: row.machine_id,
  fingerprint: row.fingerprint,
  feature: row.feature === '' ? null : row.feature,
  // A lease past its end is expired at once, before the reaper writes it so.
  status: row.status === 'active' && row.expires_at <= nowMs ? 'expired' : (row.status as Lease['status']),
  checkedOutAt: new Date(row.checked_out_at).toISOString(),
  expiresAt: new Date(row.expires_at).toISOString(),
  borrowedUntil: isoOrNull(row.borrowed_until),
  endedAt: isoOrNull(row.status === 'active' && row.expires_at <= nowMs ? row.expires_at : row.ended_at),
});

/** A pool of seats: the license's own (feature '') or a floating feature's; seats null = unlimited. */
export interface SeatPool {
  licenseId: string;
  productId: string;
  feature: string;
  seats: number | null;
}

export type SeatGrant =
  | { granted: true; lease: LeasesTable; created: boolean; inUse: number }
  | { granted: false; seats: number; inUse: number };

const leaseEvent = (
  type: 'lease.checked_out' | 'lease.released' | 'lease.expired',
  row: LeasesTable,
  nowMs: number,
) => ({
  type,
  subject: { type: 'lease', id: row.id },
  licenseId: row.license_id,
  object: toLease(row, nowMs),
});

/**
 * Grants the holder a seat in the pool for `leaseMs`, or extends the one it holds. A full pool answers a denial,
 * recorded (lease_denials, lease.denied) in the same transaction: the caller turns it into FLOATING_NOT_AVAILABLE
 * after the commit, so the record stays.
 */
export const leaseSeat = async (
  tx: Executor,
  pool: SeatPool,
  holder: { fingerprint: string; machineId: string },
  leaseMs: number,
  nowMs: number,
  /** The holder's active lease and the pool's live count, when the caller's read has them already. */
  known?: { held: LeasesTable | undefined; inUse: number },
): Promise<SeatGrant> => {
  const held = known ? known.held : await findHeldLease(tx, pool.licenseId, pool.feature, holder.fingerprint);
  if (held && isLive(held, nowMs)) {
    const extended = {
      ...held,
      machine_id: holder.machineId,
      expires_at: Math.max(held.expires_at, nowMs + leaseMs),
      updated_at: nowMs,
    };
    await extendLease(tx, extended);
    return {
      granted: true,
      lease: extended,
      created: false,
      inUse: known ? known.inUse : await countLiveLeases(tx, pool.licenseId, pool.feature, nowMs),
    };
  }
  if (held) await expireLeases(tx, [held], nowMs);
  // A lapsed lease is not counted, so expiring it leaves the count as read.
  const inUse = known ? known.inUse : await countLiveLeases(tx, pool.licenseId, pool.feature, nowMs);
  if (pool.seats !== null && inUse >= pool.seats) {
    const denial = {
      id: newId('den', nowMs),
      license_id: pool.licenseId,
      product_id: pool.productId,
      feature: pool.feature,
      fingerprint: holder.fingerprint,
      seats: pool.seats,
      in_use: inUse,
      at: nowMs,
    };
    await insertDenial(tx, denial);
    await emitEvent(tx, nowMs, {
      type: 'lease.denied',
      subject: { type: 'license', id: pool.licenseId },
      licenseId: pool.licenseId,
      object: toDenial(denial),
    });
    return { granted: false, seats: pool.seats, inUse };
  }
  const lease: LeasesTable = {
    id: newId('lease', nowMs),
    license_id: pool.licenseId,
    product_id: pool.productId,
    machine_id: holder.machineId,
    fingerprint: holder.fingerprint,
    feature: pool.feature,
    status: 'active',
    checked_out_at: nowMs,
    expires_at: nowMs + leaseMs,
    borrowed_until: null,
    ended_at: null,
    updated_at: nowMs,
  };
  await insertLease(tx, lease);
  await emitEvent(tx, nowMs, leaseEvent('lease.checked_out', lease, nowMs));
  return { granted: true, lease, created: true, inUse: inUse + 1 };
};

export const floatingNotAvailable = (pool: SeatPool, seats: number, inUse: number) => {
  const of = pool.feature === '' ? `license ${pool.licenseId}` : `feature ${pool.feature}`;
  return new AppError(
    'FLOATING_NOT_AVAILABLE',
    seats === 1
      ? `The only seat of ${of} is in use; retry later`
      : `All ${seats} seats of ${of} are in use; retry later`,
    // errors.md names both pairs: the limit codes' { limit, used } and the floating table's { seats, inUse }.
    { limit: seats, used: inUse, seats, inUse, ...(pool.feature === '' ? {} : { feature: pool.feature }) },
  );
};

const expireLeases = async (tx: Executor, rows: LeasesTable[], nowMs: number) => {
  for (const row of rows) {
    await updateLeaseRow(tx, row.id, { status: 'expired', ended_at: row.expires_at, updated_at: nowMs });
  }
  await emitEvents(
    tx,
    nowMs,
    rows.map((row) =>
      leaseEvent('lease.expired', { ...row, status: 'expired', ended_at: row.expires_at }, nowMs),
    ),
  );
};

const seatFirst = (a: LeasesTable, b: LeasesTable) =>
  a.feature === b.feature ? 0 : a.feature === '' ? -1 : b.feature === '' ? 1 : a.feature < b.feature ? -1 : 1;

/** Heartbeat: every live lease of the holder runs `leaseMs` from now (a borrowed one keeps its later end). */
export const extendHolderLeases = async (
  tx: Executor,
  licenseId: string,
  fingerprint: string,
  leaseMs: number,
  nowMs: number,
) => (await extendLiveLeases(tx, licenseId, fingerprint, leaseMs, nowMs)).sort(seatFirst);

/** Ends leases as released (an operator's release). */
export const releaseLeases = async (tx: Executor, rows: LeasesTable[], nowMs: number) => {
  for (const row of rows) {
    await updateLeaseRow(tx, row.id, { status: 'released', ended_at: nowMs, updated_at: nowMs });
  }
  await emitReleased(
    tx,
    rows.map((row) => ({ ...row, status: 'released', ended_at: nowMs })),
    nowMs,
  );
};

const emitReleased = (tx: Executor, rows: LeasesTable[], nowMs: number) =>
  emitEvents(
    tx,
    nowMs,
    rows.map((row) => leaseEvent('lease.released', row, nowMs)),
  );

/**
 * Releases a holder's live leases on a license: one pool's (`feature`), or every one (its seat and feature seats)
 * when `feature` is undefined. Answers the released leases.
 */
export const releaseHolderLeases = async (
  tx: Executor,
  holder: { licenseId: string; fingerprint: string; feature?: string | undefined },
  nowMs: number,
) => {
  const released = await endLiveLeases(tx, holder, 'released', nowMs);
  await emitReleased(tx, released, nowMs);
  return released;
};

/** Borrow: the seat is kept, without heartbeats, until `untilMs` (never shortened by it). */
export const borrowLease = async (tx: Executor, row: LeasesTable, untilMs: number, nowMs: number) => {
  const expiresAt = Math.max(row.expires_at, untilMs);
  await updateLeaseRow(tx, row.id, { expires_at: expiresAt, borrowed_until: untilMs, updated_at: nowMs });
  return { ...row, expires_at: expiresAt, borrowed_until: untilMs, updated_at: nowMs };
};

/** Releases every live lease of a machine's fingerprint on its license (the machine was deactivated). */
export const releaseLeasesOfHolder = (tx: Executor, licenseId: string, fingerprint: string, nowMs: number) =>
  releaseHolderLeases(tx, { licenseId, fingerprint }, nowMs);

/** The reaper's pass: marks lapsed leases expired and emits lease.expired, in batches. Answers how many. */
export const reapLapsedLeases = async ({ db, clock }: { db: Database; clock: Clock }, batch = 500) => {
  let total = 0;
  for (;;) {
    const nowMs = clock.nowMs();
    const expired = await transaction(db, async (tx) => {
      const rows = await expireLapsedLeases(tx, nowMs, batch);
      await emitEvents(
        tx,
        nowMs,
        rows.map((row) => leaseEvent('lease.expired', row, nowMs)),
      );
      return rows.length;
    });
    total += expired;
    if (expired < batch) return total;
  }
};

/** Runs the reaper every `intervalMs` until stopped; a failed pass is logged and the next one retries. */
export const startLeaseReaper = (
  deps: { db: Database; clock: Clock; log: { warn(object: object, message: string): void } },
  intervalMs: number,
) => {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = background('lease reaper', () => reapLapsedLeases(deps)).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'lease reaper pass failed; retrying next interval');
    });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
};

const toDenial = (row: {
  id: string;
  license_id: string;
  feature: string;
  fingerprint: string;
  seats: number;
  in_use: number;
  at: number;
}) => ({
  id: row.id,
  licenseId: row.license_id,
  feature: row.feature === '' ? null : row.feature,
  fingerprint: row.fingerprint,
  seats: row.seats,
  inUse: row.in_use,
  at: new Date(row.at).toISOString(),
});

interface LeaseDeps {
  db: Database;
  clock: Clock;
}

/** GET /v1/leases: who holds seats now (state=live), or the history. */
export const leasePage = async (
  { db, clock }: LeaseDeps,
  caller: Caller,
  query: {
    limit: number;
    cursor?: string | undefined;
    licenseId?: string | undefined;
    feature?: string | undefined;
    fingerprint?: string | undefined;
    state: 'live' | 'ended' | 'all';
  },
) => {
  if (query.licenseId !== undefined) await getLicenseRowOrThrow(db.kysely, caller.principal, query.licenseId);
  const nowMs = clock.nowMs();
  return readPage(
    query,
    (window) =>
      listLeases(db.kysely, {
        nowMs,
        after: window.after,
        licenseId: query.licenseId,
        feature: query.feature,
        fingerprint: query.fingerprint,
        productIds: visibleProducts(caller.principal),
        state: query.state,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toLease(row, nowMs)),
  );
};

const visibleLeaseOrThrow = async (db: Executor, caller: Caller, id: string) => {
  const row = await findLease(db, id);
  if (!row || !canSeeProduct(caller.principal, row.product_id))
    throw new AppError('NOT_FOUND', `No lease ${id}`);
  return row;
};

export const getLease = async ({ db, clock }: LeaseDeps, caller: Caller, id: string) =>
  toLease(await visibleLeaseOrThrow(db.kysely, caller, id), clock.nowMs());

/** DELETE /v1/leases/{id}: an operator frees a seat now. Releasing an ended lease changes nothing. */
export const forceReleaseLease = async (
  { db, clock }: LeaseDeps,
  caller: Caller,
  id: string,
): Promise<void> => {
  await transaction(db, (tx) => forceReleaseLeaseIn({ clock }, tx, caller, id));
};

/** forceReleaseLease inside the caller's transaction (an approved action); answers whether it was live. */
export const forceReleaseLeaseIn = async (
  { clock }: Pick<LeaseDeps, 'clock'>,
  tx: Executor,
  caller: Caller,
  id: string,
): Promise<boolean> => {
  const row = await visibleLeaseOrThrow(tx, caller, id);
  const nowMs = clock.nowMs();
  if (!isLive(row, nowMs)) return false;
  await releaseLeases(tx, [row], nowMs);
  await recordAudit(tx, clock, caller.audit, {
    action: 'lease.release',
    target: { type: 'lease', id },
    changes: { status: ['active', 'released'] },
  });
  return true;
};

/** GET /v1/leases/denials: every refused checkout (time, license, feature, fingerprint). */
export const denialPage = async (
  { db }: LeaseDeps,
  caller: Caller,
  query: { limit: number; cursor?: string | undefined; licenseId?: string | undefined },
) => {
  if (query.licenseId !== undefined) await getLicenseRowOrThrow(db.kysely, caller.principal, query.licenseId);
  return readPage(
    query,
    (window) =>
      listDenials(db.kysely, {
        licenseId: query.licenseId,
        productIds: visibleProducts(caller.principal),
        after: window.after,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toDenial(row)),
  );
};

/** Seats held now across every pool, of these products only when given (the usage report's `seatsInUse`). */
export const seatsInUse = (
  db: Executor,
  filter: { nowMs: number; productIds?: readonly string[] | undefined },
) => countSeatsInUse(db, filter);
