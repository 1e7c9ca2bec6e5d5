// SQL of leases (floating seats) and seat denials. A lease counts while status = 'active' and expires_at is
// ahead; every count reads the (license_id, status, expires_at, feature) index alone.
import { sql } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { LeaseDenialsTable, LeasesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/** Every column of a lease, in table order (the Client API's seat read selects them too). */
export const leaseColumns = [
  'id',
  'license_id',
  'product_id',
  'machine_id',
  'fingerprint',
  'feature',
  'status',
  'checked_out_at',
  'expires_at',
  'borrowed_until',
  'ended_at',
  'updated_at',
] as const satisfies readonly (keyof LeasesTable)[];

// The statements of every checkout, built once (db/prepared.ts).
const insertLeaseRow = prepared<LeasesTable>(leaseColumns, (db, row) => db.insertInto('leases').values(row));
const insertDenialRow = prepared<LeaseDenialsTable>(
  ['id', 'license_id', 'product_id', 'feature', 'fingerprint', 'seats', 'in_use', 'at'],
  (db, row) => db.insertInto('lease_denials').values(row),
);
const extendLeaseRow = prepared<{ id: string; machine_id: string; expires_at: number; updated_at: number }>(
  ['id', 'machine_id', 'expires_at', 'updated_at'],
  (db, row) =>
    db
      .updateTable('leases')
      .set({ machine_id: row.machine_id, expires_at: row.expires_at, updated_at: row.updated_at })
      .where('id', '=', row.id),
);

export const insertLease = async (db: Executor, row: LeasesTable): Promise<void> => {
  await insertLeaseRow(db, row);
};

/** A repeated checkout: the lease runs on, for the machine that holds it now. */
export const extendLease = async (
  db: Executor,
  row: { id: string; machine_id: string; expires_at: number; updated_at: number },
): Promise<void> => {
  await extendLeaseRow(db, row);
};

export const updateLeaseRow = async (
  db: Executor,
  id: string,
  patch: Partial<LeasesTable>,
): Promise<void> => {
  await db.updateTable('leases').set(patch).where('id', '=', id).execute();
};

export const findLease = (db: Executor, id: string): Promise<LeasesTable | undefined> =>
  db.selectFrom('leases').selectAll().where('id', '=', id).executeTakeFirst();

/** The active row of a holder in a pool, live or lapsed (a lapsed one waits for the reaper). */
export const findHeldLease = (
  db: Executor,
  licenseId: string,
  feature: string,
  fingerprint: string,
): Promise<LeasesTable | undefined> =>
  db
    .selectFrom('leases')
    .selectAll()
    .where('license_id', '=', licenseId)
    .where('feature', '=', feature)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'active')
    .executeTakeFirst();

export const countLiveLeases = async (
  db: Executor,
  licenseId: string,
  feature: string,
  nowMs: number,
): Promise<number> => {
  const row = await db
    .selectFrom('leases')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('license_id', '=', licenseId)
    .where('feature', '=', feature)
    .where('status', '=', 'active')
    .where('expires_at', '>', nowMs)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};

export const listLeases = (
  db: Executor,
  filter: {
    nowMs: number;
    after?: string | undefined;
    licenseId?: string | undefined;
    feature?: string | undefined;
    fingerprint?: string | undefined;
    productIds?: readonly string[] | undefined;
    /** live: holding a seat now (the default view); ended: released or expired, history. */
    state: 'live' | 'ended' | 'all';
    limit: number;
  },
): Promise<LeasesTable[]> => {
  let query = db.selectFrom('leases').selectAll();
  if (filter.productIds) {
    const ids = filter.productIds;
    query = query.where((eb) => (ids.length ? eb('product_id', 'in', ids) : eb.lit(false)));
  }
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.licenseId) query = query.where('license_id', '=', filter.licenseId);
  if (filter.feature !== undefined) query = query.where('feature', '=', filter.feature);
  if (filter.fingerprint) query = query.where('fingerprint', '=', filter.fingerprint);
  if (filter.state === 'live')
    query = query.where('status', '=', 'active').where('expires_at', '>', filter.nowMs);
  if (filter.state === 'ended')
    query = query.where((eb) => eb.or([eb('status', '!=', 'active'), eb('expires_at', '<=', filter.nowMs)]));
  return query.orderBy('id').limit(filter.limit).execute();
};

/**
 * Marks up to `limit` lapsed leases expired and answers them. Each row flips once: on PostgreSQL a second
 * reaper's UPDATE re-checks `status = 'active'` after the first commits and skips the row.
 */
export const expireLapsedLeases = async (
  db: Executor,
  nowMs: number,
  limit: number,
): Promise<LeasesTable[]> => {
  const lapsed = db
    .selectFrom('leases')
    .select('id')
    .where('status', '=', 'active')
    .where('expires_at', '<=', nowMs)
    .orderBy('expires_at')
    .limit(limit);
  return db
    .updateTable('leases')
    .set({ status: 'expired', ended_at: sql<number>`expires_at`, updated_at: nowMs })
    .where('id', 'in', lapsed)
    .where('status', '=', 'active')
    .returningAll()
    .execute();
};

export const insertDenial = async (db: Executor, row: LeaseDenialsTable): Promise<void> => {
  await insertDenialRow(db, row);
};

export const listDenials = (
  db: Executor,
  filter: {
    licenseId?: string | undefined;
    productIds?: readonly string[] | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<LeaseDenialsTable[]> => {
  let query = db.selectFrom('lease_denials').selectAll();
  if (filter.productIds) {
    const ids = filter.productIds;
    query = query.where((eb) => (ids.length ? eb('product_id', 'in', ids) : eb.lit(false)));
  }
  if (filter.licenseId) query = query.where('license_id', '=', filter.licenseId);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

/** Every live lease of a holder on a license runs at least `leaseMs` from now; answers them as updated. */
export const extendLiveLeases = (
  db: Executor,
  licenseId: string,
  fingerprint: string,
  leaseMs: number,
  nowMs: number,
): Promise<LeasesTable[]> => {
  const end = nowMs + leaseMs;
  return db
    .updateTable('leases')
    .set({
      expires_at: sql<number>`case when expires_at > ${end} then expires_at else ${end} end`,
      updated_at: nowMs,
    })
    .where('license_id', '=', licenseId)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'active')
    .where('expires_at', '>', nowMs)
    .returningAll()
    .execute();
};

/** Ends a holder's live leases on a license (one pool's, or all with `feature` undefined); answers them as ended. */
export const endLiveLeases = (
  db: Executor,
  filter: { licenseId: string; fingerprint: string; feature?: string | undefined },
  status: 'released',
  nowMs: number,
): Promise<LeasesTable[]> => {
  let query = db
    .updateTable('leases')
    .set({ status, ended_at: nowMs, updated_at: nowMs })
    .where('license_id', '=', filter.licenseId)
    .where('fingerprint', '=', filter.fingerprint)
    .where('status', '=', 'active')
    .where('expires_at', '>', nowMs);
  if (filter.feature !== undefined) query = query.where('feature', '=', filter.feature);
  return query.returningAll().execute();
};

/** Seats held now, per pool (license and feature; '' is the license's own seats). */
export const liveSeatsByPool = async (
  db: Executor,
  nowMs: number,
): Promise<{ licenseId: string; feature: string; inUse: number }[]> =>
  (
    await db
      .selectFrom('leases')
      .select(['license_id', 'feature', (eb) => eb.fn.countAll<number>().as('in_use')])
      .where('status', '=', 'active')
      .where('expires_at', '>', nowMs)
      .groupBy(['license_id', 'feature'])
      .execute()
  ).map((row) => ({ licenseId: row.license_id, feature: row.feature, inUse: Number(row.in_use) }));
