// SQL of consumption meters. Adding to a meter is one UPDATE whose WHERE holds the limit, so concurrent
// consumptions can never pass the maximum together (the row lock on PostgreSQL, the single writer on SQLite).
import { sql } from 'kysely';
import type { MetersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const ensureMeter = async (
  db: Executor,
  licenseId: string,
  feature: string,
  periodStartsAt: number,
  nowMs: number,
): Promise<void> => {
  await db
    .insertInto('meters')
    .values({ license_id: licenseId, feature, used: 0, period_starts_at: periodStartsAt, updated_at: nowMs })
    .onConflict((conflict) => conflict.columns(['license_id', 'feature']).doNothing())
    .execute();
};

export const findMeter = (
  db: Executor,
  licenseId: string,
  feature: string,
): Promise<MetersTable | undefined> =>
  db
    .selectFrom('meters')
    .selectAll()
    .where('license_id', '=', licenseId)
    .where('feature', '=', feature)
    .executeTakeFirst();

export const metersOf = (db: Executor, licenseIds: readonly string[]): Promise<MetersTable[]> =>
  licenseIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('meters').selectAll().where('license_id', 'in', licenseIds).execute();

/**
 * Adds `amount` to the meter in its current period (a meter last used in an earlier period starts from zero),
 * never below zero. With `max`, refuses (answers undefined) when the result would pass it.
 */
export const addToMeter = async (
  db: Executor,
  meter: { licenseId: string; feature: string; periodStartsAt: number },
  amount: number,
  max: number | null,
  nowMs: number,
): Promise<number | undefined> => {
  const base = sql<number>`(case when period_starts_at < ${meter.periodStartsAt} then 0 else used end)`;
  const next = sql<number>`(case when ${base} + ${amount} < 0 then 0 else ${base} + ${amount} end)`;
  let query = db
    .updateTable('meters')
    .set({ used: next, period_starts_at: meter.periodStartsAt, updated_at: nowMs })
    .where('license_id', '=', meter.licenseId)
    .where('feature', '=', meter.feature);
  if (max !== null) query = query.where(sql<boolean>`${next} <= ${max}`);
  const row = await query.returning('used').executeTakeFirst();
  return row === undefined ? undefined : Number(row.used);
};
