// SQL of usage counters: one row per product, UTC hour and metric. Flushes add to counts and raise peaks, so
// several processes flushing into one database sum up.
import { sql } from 'kysely';
import type { ActivationAttemptsTable, UsageCountersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

const chunk = 300;

export const addToCounters = async (db: Executor, rows: UsageCountersTable[]): Promise<void> => {
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const counts = part.filter((row) => row.metric !== 'peak_seats');
    const peaks = part.filter((row) => row.metric === 'peak_seats');
    if (counts.length > 0)
      await db
        .insertInto('usage_counters')
        .values(counts)
        .onConflict((conflict) =>
          conflict
            .columns(['product_id', 'hour', 'metric'])
            .doUpdateSet({ value: sql<number>`usage_counters.value + excluded.value` }),
        )
        .execute();
    if (peaks.length > 0)
      await db
        .insertInto('usage_counters')
        .values(peaks)
        .onConflict((conflict) =>
          conflict.columns(['product_id', 'hour', 'metric']).doUpdateSet({
            value: sql<number>`case when excluded.value > usage_counters.value then excluded.value else usage_counters.value end`,
          }),
        )
        .execute();
  }
};

export const countersBetween = (
  db: Executor,
  filter: { productIds?: readonly string[] | undefined; fromHour: number; toHour: number },
): Promise<UsageCountersTable[]> => {
  let query = db
    .selectFrom('usage_counters')
    .selectAll()
    .where('hour', '>=', filter.fromHour)
    .where('hour', '<', filter.toHour);
  if (filter.productIds) {
    const ids = filter.productIds;
    query = query.where((eb) => (ids.length ? eb('product_id', 'in', ids) : eb.lit(false)));
  }
  return query.orderBy('hour').execute();
};

/** Remembers which devices tried to activate which license in which hour (a row once per triple). */
export const recordAttempts = async (db: Executor, rows: ActivationAttemptsTable[]): Promise<void> => {
  for (let start = 0; start < rows.length; start += chunk) {
    await db
      .insertInto('activation_attempts')
      .values(rows.slice(start, start + chunk))
      .onConflict((conflict) => conflict.columns(['license_id', 'hour', 'fingerprint']).doNothing())
      .execute();
  }
};

/** Licenses that more than `minDevices` distinct devices tried to activate since `sinceMs`, with that count. */
export const licensesByDevicesSince = async (db: Executor, sinceMs: number, minDevices: number) =>
  (
    await db
      .selectFrom('activation_attempts')
      .select(['license_id', (eb) => eb.fn.count<number>('fingerprint').distinct().as('devices')])
      .where('hour', '>=', sinceMs)
      .groupBy('license_id')
      .having((eb) => eb.fn.count('fingerprint').distinct(), '>', minDevices)
      .execute()
  ).map((row) => ({ licenseId: row.license_id, devices: Number(row.devices) }));

export const pruneAttempts = async (db: Executor, beforeMs: number): Promise<void> => {
  await db.deleteFrom('activation_attempts').where('hour', '<', beforeMs).execute();
};
