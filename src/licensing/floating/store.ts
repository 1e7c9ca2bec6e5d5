// SQL of leases (floating seats) and seat denials. A lease counts while status = 'active' and expires_at is
// ahead; every count reads the (license_id, status, expires_at, feature) index alone.
import { sql } from 'kysely';
import { inBatches } from '../../db/batches.js';
import { prepared } from '../../db/prepared.js';
import { type LeaseDenialsTable, type LeasesTable, leaseColumns } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

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

/** Seats held now in every pool, of these products only when given (index leases_reaper). */
export const countSeatsInUse = async (
  db: Executor,
  filter: { nowMs: number; productIds?: readonly string[] | undefined },
): Promise<number> => {
  let query = db
    .selectFrom('leases')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('leases.status', '=', 'active')
    .where('leases.expires_at', '>', filter.nowMs);
  const { productIds } = filter;
  if (productIds) {
    if (productIds.length === 0) return 0;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('licenses')
          .select('licenses.id')
          .whereRef('licenses.id', '=', 'leases.license_id')
          .where('licenses.product_id', 'in', productIds),
      ),
    );
  }
  return Number((await query.executeTakeFirst())?.count ?? 0);
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

/** Denials per pool in [fromMs, toMs). */
export const denialsByPool = async (
  db: Executor,
  fromMs: number,
  toMs: number,
): Promise<{ licenseId: string; feature: string; denials: number }[]> =>
  (
    await db
      .selectFrom('lease_denials')
      .select(['license_id', 'feature', (eb) => eb.fn.countAll<number>().as('denials')])
      .where('at', '>=', fromMs)
      .where('at', '<', toMs)
      .groupBy(['license_id', 'feature'])
      .execute()
  ).map((row) => ({ licenseId: row.license_id, feature: row.feature, denials: Number(row.denials) }));

/** What sizes the pools of these licenses: the license's and its policy's seats and features, its product's. */
export const poolSizing = (db: Executor, licenseIds: readonly string[]) =>
  inBatches(licenseIds, (batch) =>
    db
      .selectFrom('licenses')
      .innerJoin('policies', 'policies.id', 'licenses.policy_id')
      .innerJoin('products', 'products.id', 'licenses.product_id')
      .select([
        'licenses.id as license_id',
        'licenses.product_id',
        'products.code as product_code',
        'licenses.max_machines as license_max',
        'policies.max_machines as policy_max',
        'licenses.features as license_features',
        'policies.features as policy_features',
      ])
      .where('licenses.id', 'in', batch)
      .execute(),
  );

/** The seats of the floating features of these products, by product and code (null: unlimited). */
export const floatingFeatureSeats = (db: Executor, productIds: readonly string[]) =>
  inBatches(productIds, (batch) =>
    db
      .selectFrom('features')
      .select(['product_id', 'code', 'seats'])
      .where('kind', '=', 'floating')
      .where('product_id', 'in', batch)
      .execute(),
  );

/** lease_denials past retention. */
export const pruneDenials = async (db: Executor, beforeMs: number): Promise<void> => {
  await db.deleteFrom('lease_denials').where('at', '<', beforeMs).execute();
};

/** Live leases with who holds them (the machine's names, the license user's email), oldest first. */
export const liveHolders = (
  db: Executor,
  filter: {
    nowMs: number;
    licenseId?: string | undefined;
    feature?: string | undefined;
    /** The holder as named: the license user's email, else the machine's name, else its fingerprint (any case). */
    holder?: string | undefined;
    limit: number;
  },
) => {
  let query = db
    .selectFrom('leases')
    .innerJoin('machines', 'machines.id', 'leases.machine_id')
    .leftJoin('users', 'users.id', 'machines.user_id')
    .select([
      'leases.id',
      'leases.license_id',
      'leases.feature',
      'leases.fingerprint',
      'leases.checked_out_at',
      'leases.borrowed_until',
      'machines.name',
      'machines.hostname',
      'users.email',
    ])
    .where('leases.status', '=', 'active')
    .where('leases.expires_at', '>', filter.nowMs);
  if (filter.licenseId) query = query.where('leases.license_id', '=', filter.licenseId);
  if (filter.feature !== undefined) query = query.where('leases.feature', '=', filter.feature);
  const holder = filter.holder?.toLowerCase();
  if (holder !== undefined)
    query = query.where((eb) =>
      eb(eb.fn('lower', [eb.fn.coalesce('users.email', 'machines.name', 'leases.fingerprint')]), '=', holder),
    );
  return query.orderBy('leases.checked_out_at').orderBy('leases.id').limit(filter.limit).execute();
};

/** Denials in [from, to) per pool and holder, most first. */
export const denialsByHolder = async (
  db: Executor,
  filter: {
    licenseId?: string | undefined;
    feature?: string | undefined;
    fingerprint?: string | undefined;
    from: number;
    to: number;
    limit: number;
  },
) => {
  let query = db
    .selectFrom('lease_denials')
    .select([
      'license_id',
      'feature',
      'fingerprint',
      (eb) => eb.fn.countAll<number>().as('count'),
      (eb) => eb.fn.max('at').as('last_at'),
    ])
    .where('at', '>=', filter.from)
    .where('at', '<', filter.to)
    .groupBy(['license_id', 'feature', 'fingerprint'])
    .orderBy('count', 'desc')
    .orderBy('license_id')
    .orderBy('feature')
    .orderBy('fingerprint')
    .limit(filter.limit);
  if (filter.licenseId) query = query.where('license_id', '=', filter.licenseId);
  if (filter.feature !== undefined) query = query.where('feature', '=', filter.feature);
  if (filter.fingerprint) query = query.where('fingerprint', '=', filter.fingerprint);
  return (await query.execute()).map((row) => ({
    licenseId: row.license_id,
    feature: row.feature,
    fingerprint: row.fingerprint,
    count: Number(row.count),
    lastAt: Number(row.last_at),
  }));
};
