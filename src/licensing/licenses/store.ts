// SQL of licenses (and the machine counts shown with them).
import { sql } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import { prepared } from '../../db/prepared.js';
import type { LicensesTable } from '../../db/schema.js';
import { type Executor, forUpdate } from '../../db/transaction.js';

export const insertLicense = async (db: Executor, row: LicensesTable): Promise<void> => {
  await db.insertInto('licenses').values(row).execute();
};

export const findLicense = (db: Executor, id: string): Promise<LicensesTable | undefined> =>
  db.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst();

export const findLicenseByKeyHash = (db: Executor, keyHash: string): Promise<LicensesTable | undefined> =>
  db.selectFrom('licenses').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();

export interface LicenseMatch {
  productId?: string | undefined;
  productIds?: readonly string[] | undefined;
  policyId?: string | undefined;
  customerId?: string | undefined;
  keyHash?: string | undefined;
  /** The key's first group, in each spelling a typed one may stand for. */
  keyPrefixes?: readonly string[] | undefined;
  status?: string | undefined;
  nowMs: number;
}

export interface LicenseFilter extends LicenseMatch {
  after?: string | undefined;
  limit: number;
}

/** The live licenses matching the filter, unordered: what the list pages through and the count counts. */
const matchingLicenses = (db: Executor, filter: LicenseMatch) => {
  let query = db.selectFrom('licenses').where('licenses.deleted_at', 'is', null);
  if (filter.productId) query = query.where('licenses.product_id', '=', filter.productId);
  if (filter.productIds) {
    query =
      filter.productIds.length === 0
        ? query.where(({ lit }) => lit(false))
        : query.where('licenses.product_id', 'in', filter.productIds);
  }
  if (filter.policyId) query = query.where('licenses.policy_id', '=', filter.policyId);
  if (filter.customerId) query = query.where('licenses.customer_id', '=', filter.customerId);
  if (filter.keyHash) query = query.where('licenses.key_hash', '=', filter.keyHash);
  if (filter.keyPrefixes) query = query.where('licenses.key_prefix', 'in', filter.keyPrefixes);
  if (filter.status === 'revoked' || filter.status === 'suspended')
    query = query.where('licenses.status', '=', filter.status);
  if (filter.status === 'expired' || filter.status === 'active') {
    // Mirrors effectiveStatus: an ended license under `restrict` is expired; under `maintenance` it stays active.
    const nowMs = filter.nowMs;
    const expired = filter.status === 'expired';
    query = query
      .innerJoin('policies', 'policies.id', 'licenses.policy_id')
      .where('licenses.status', '=', 'active')
      .where((eb) => {
        const ended = eb.and([
          eb('licenses.expires_at', 'is not', null),
          eb('licenses.expires_at', '<=', nowMs),
        ]);
        const restricted = eb('policies.expiration_strategy', '=', 'restrict');
        return expired ? eb.and([ended, restricted]) : eb.or([eb.not(ended), eb.not(restricted)]);
      });
  }
  return query;
};

export const listLicenses = (db: Executor, filter: LicenseFilter): Promise<LicensesTable[]> => {
  let query = matchingLicenses(db, filter).selectAll('licenses');
  if (filter.after) query = query.where('licenses.id', '>', filter.after);
  return query.orderBy('licenses.id').limit(filter.limit).execute();
};

export const countLicenses = async (db: Executor, filter: LicenseMatch): Promise<number> => {
  const row = await matchingLicenses(db, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};

/**
 * Live licenses by effective status: revoked and suspended as stored; an `active` one whose end has passed under a
 * `restrict` policy counts as expired (effectiveStatus). Two index reads, never the table: stored statuses from
 * licenses_status_counts, and the ended ones through licenses_expiry, which holds few rows past now.
 */
export const countLicensesByStatus = async (
  db: Executor,
  filter: Omit<LicenseMatch, 'status'>,
): Promise<Record<'active' | 'suspended' | 'revoked' | 'expired', number>> => {
  const stored = await matchingLicenses(db, filter)
    .select((eb) => ['licenses.status as status', eb.fn.countAll<number | string>().as('count')])
    .groupBy('licenses.status')
    .execute();
  const ended = await matchingLicenses(db, { ...filter, status: 'expired' })
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirst();
  const counts = { active: 0, suspended: 0, revoked: 0, expired: Number(ended?.count ?? 0) };
  for (const row of stored) {
    if (row.status === 'active') counts.active += Number(row.count);
    else if (row.status === 'suspended' || row.status === 'revoked') counts[row.status] += Number(row.count);
  }
  counts.active -= counts.expired;
  return counts;
};

// A license's first activation writes one of these (licenses/term.ts): built once (db/prepared.ts). The term's
// end is set only when the first use starts it, so the expiry indexes are touched only then.
const recordFirstUseRow = prepared<{ id: string; first_activated_at: number }>(
  ['id', 'first_activated_at'],
  (db, row) =>
    db.updateTable('licenses').set({ first_activated_at: row.first_activated_at }).where('id', '=', row.id),
);
const startTermRow = prepared<{ id: string; first_activated_at: number; expires_at: number }>(
  ['id', 'first_activated_at', 'expires_at'],
  (db, row) =>
    db
      .updateTable('licenses')
      .set({ first_activated_at: row.first_activated_at, expires_at: row.expires_at })
      .where('id', '=', row.id),
);

/** Records a license's first use, and the end of a term that starts with it. */
export const recordFirstUse = async (
  db: Executor,
  id: string,
  firstActivatedAt: number,
  expiresAt?: number,
): Promise<void> => {
  if (expiresAt === undefined) await recordFirstUseRow(db, { id, first_activated_at: firstActivatedAt });
  else await startTermRow(db, { id, first_activated_at: firstActivatedAt, expires_at: expiresAt });
};

export const updateLicenseRow = async (
  db: Executor,
  id: string,
  patch: Partial<LicensesTable>,
): Promise<void> => {
  await db.updateTable('licenses').set(patch).where('id', '=', id).execute();
};

/** Machines that count against each license's limit: active, and not dead (silent past 2× the policy's heartbeat). */
export const countLiveMachines = async (
  db: Executor,
  licenseIds: readonly string[],
  nowMs: number,
): Promise<Map<string, number>> => {
  if (licenseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('machines')
    .innerJoin('licenses', 'licenses.id', 'machines.license_id')
    .innerJoin('policies', 'policies.id', 'licenses.policy_id')
    .select((eb) => ['machines.license_id', eb.fn.countAll<number>().as('count')])
    .where('machines.license_id', 'in', licenseIds)
    .where('machines.status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('policies.heartbeat_seconds', 'is', null),
        // Column arithmetic compared with the parameter, so PostgreSQL types the parameter as bigint.
        eb(
          sql<number>`${sql.ref('machines.last_seen_at')} + 2000 * ${sql.ref('policies.heartbeat_seconds')}`,
          '>',
          nowMs,
        ),
      ]),
    )
    .groupBy('machines.license_id')
    .execute();
  return new Map(rows.map((row) => [row.license_id, Number(row.count)]));
};

export const licensesOfOrder = (db: Executor, orderId: string): Promise<LicensesTable[]> =>
  db.selectFrom('licenses').selectAll().where('order_id', '=', orderId).orderBy('id').execute();

/** How many licenses each of these orders issued (deleted ones included: the order issued them). */
export const licenseCountsOfOrders = async (
  db: Executor,
  orderIds: readonly string[],
): Promise<Map<string, number>> => {
  if (orderIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('licenses')
    .select(['order_id', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
    .where('order_id', 'in', orderIds)
    .groupBy('order_id')
    .execute();
  return new Map(rows.map((row) => [row.order_id ?? '', Number(row.count)]));
};

/** The license row locked for a read-check-write (FOR UPDATE on PostgreSQL; SQLite's writer lock holds it). */
export const lockLicenseRow = (
  db: Executor,
  dialect: DialectName,
  id: string,
): Promise<LicensesTable | undefined> =>
  forUpdate(db.selectFrom('licenses').selectAll().where('id', '=', id), dialect).executeTakeFirst();

/**
 * Active licenses whose end falls in (fromMs, untilMs] and that have an active machine, soonest first: what the
 * license_expiring rule reads (by the licenses_expiry index).
 */
/**
 * One page of the active licenses with an active machine that end within (fromMs, untilMs], soonest first, after
 * (afterAt, afterId): a range of licenses_status_expiry in its order.
 */
export const expiringWithMachines = (
  db: Executor,
  window: { fromMs: number; untilMs: number; after?: { at: number; id: string } },
  limit: number,
) =>
  db
    .selectFrom('licenses')
    .select(['id', 'key_prefix', 'product_id', 'customer_id', 'expires_at'])
    .where('status', '=', 'active')
    .where('deleted_at', 'is', null)
    .where('expires_at', '>', window.after ? Math.max(window.fromMs, window.after.at - 1) : window.fromMs)
    .where('expires_at', '<=', window.untilMs)
    .$if(window.after !== undefined, (query) =>
      query.where((eb) =>
        eb.or([
          eb('expires_at', '>', window.after?.at ?? 0),
          eb.and([eb('expires_at', '=', window.after?.at ?? 0), eb('id', '>', window.after?.id ?? '')]),
        ]),
      ),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('machines')
          .select('machines.id')
          .whereRef('machines.license_id', '=', 'licenses.id')
          .where('machines.status', '=', 'active'),
      ),
    )
    .orderBy('expires_at')
    .orderBy('id')
    .limit(limit)
    .execute();

export const findLicensesByIds = (db: Executor, ids: readonly string[]): Promise<LicensesTable[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db.selectFrom('licenses').selectAll().where('id', 'in', ids).execute();
