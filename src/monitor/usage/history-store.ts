// SQL of the usage history: samples, successful polls and hourly rollups over a range, the hourly roll-up itself,
// and retention.
import { type OnConflictBuilder, sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/** Per sample time: the feature's (or, without one, every feature's summed) in-use, issued and denials. */
export const samplesIn = async (
  db: Executor,
  filter: { serverId: string; feature?: string | undefined; from: number; to: number },
) => {
  let query = db
    .selectFrom('monitor_samples')
    .select([
      'at',
      (eb) => eb.fn.sum<number>('in_use').as('in_use'),
      (eb) => eb.fn.sum<number>('issued').as('issued'),
      (eb) => eb.fn.sum<number>('denials').as('denials'),
    ])
    .where('server_id', '=', filter.serverId)
    .where('at', '>=', filter.from)
    .where('at', '<', filter.to)
    .groupBy('at')
    .orderBy('at');
  if (filter.feature) query = query.where('feature', '=', filter.feature);
  return (await query.execute()).map((row) => ({
    at: Number(row.at),
    inUse: Number(row.in_use),
    issued: row.issued === null ? null : Number(row.issued),
    denials: Number(row.denials),
  }));
};

/** The feature name of a server's totals row in the hourly rollups (no real feature has an empty name). */
export const allFeatures = '';

/** Per hour: the rollup of the feature, or without one the server's totals row (each poll's features summed). */
export const rollupsIn = async (
  db: Executor,
  filter: { serverId: string; feature?: string | undefined; from: number; to: number },
) =>
  (
    await db
      .selectFrom('monitor_rollups')
      .select(['hour', 'samples', 'in_use_sum', 'in_use_max', 'issued', 'denials'])
      .where('server_id', '=', filter.serverId)
      .where('feature', '=', filter.feature ?? allFeatures)
      .where('hour', '>=', filter.from)
      .where('hour', '<', filter.to)
      .orderBy('hour')
      .execute()
  ).map((row) => ({
    hour: Number(row.hour),
    samples: Number(row.samples),
    inUseSum: Number(row.in_use_sum),
    inUseMax: Number(row.in_use_max),
    issued: row.issued === null ? null : Number(row.issued),
    denials: Number(row.denials),
  }));

/**
 * Rolls the samples of [from, to) up into hourly rows (again if they exist: the result is the same): one per
 * feature, and one per server (feature `allFeatures`) over each poll's total, so a summed series keeps the true
 * highest total rather than the sum of each feature's highest. A rollup's `samples` is the number of the server's
 * successful polls in the hour: a feature absent from a poll had nothing in use, so averages divide by polls, not
 * by the samples stored.
 */
export const rollUpHours = async (db: Executor, from: number, to: number): Promise<void> => {
  const hour = sql<number>`at - (at % 3600000)`;
  const totalsHour = sql<number>`per_poll.at - (per_poll.at % 3600000)`;
  const replace = (conflict: OnConflictBuilder<Schema, 'monitor_rollups'>) =>
    conflict.columns(['server_id', 'feature', 'hour']).doUpdateSet((eb) => ({
      samples: eb.ref('excluded.samples'),
      in_use_sum: eb.ref('excluded.in_use_sum'),
      in_use_max: eb.ref('excluded.in_use_max'),
      issued: eb.ref('excluded.issued'),
      denials: eb.ref('excluded.denials'),
    }));
  await db
    .insertInto('monitor_rollups')
    .columns(['server_id', 'feature', 'hour', 'samples', 'in_use_sum', 'in_use_max', 'issued', 'denials'])
    .expression(
      db
        .selectFrom((eb) =>
          eb
            .selectFrom('monitor_samples')
            .select([
              'server_id',
              'at',
              (inner) => inner.fn.sum<number>('in_use').as('in_use'),
              (inner) => inner.fn.sum<number>('issued').as('issued'),
              (inner) => inner.fn.sum<number>('denials').as('denials'),
            ])
            .where('at', '>=', from)
            .where('at', '<', to)
            .groupBy(['server_id', 'at'])
            .as('per_poll'),
        )
        .select([
          'per_poll.server_id',
          sql.lit(allFeatures).as('feature'),
          totalsHour.as('hour'),
          (eb) => eb.fn.countAll<number>().as('samples'),
          (eb) => eb.fn.sum<number>('per_poll.in_use').as('in_use_sum'),
          (eb) => eb.fn.max('per_poll.in_use').as('in_use_max'),
          (eb) => eb.fn.max('per_poll.issued').as('issued'),
          (eb) => eb.fn.sum<number>('per_poll.denials').as('denials'),
        ])
        .groupBy(['per_poll.server_id', totalsHour]),
    )
    .onConflict(replace)
    .execute();
  await db
    .insertInto('monitor_rollups')
    .columns(['server_id', 'feature', 'hour', 'samples', 'in_use_sum', 'in_use_max', 'issued', 'denials'])
    .expression(
      db
        .selectFrom('monitor_samples')
        .select([
          'server_id',
          'feature',
          hour.as('hour'),
          (eb) => eb.fn.countAll<number>().as('samples'),
          (eb) => eb.fn.sum<number>('in_use').as('in_use_sum'),
          (eb) => eb.fn.max('in_use').as('in_use_max'),
          (eb) => eb.fn.max('issued').as('issued'),
          (eb) => eb.fn.sum<number>('denials').as('denials'),
        ])
        .where('at', '>=', from)
        .where('at', '<', to)
        .groupBy(['server_id', 'feature', hour]),
    )
    .onConflict(replace)
    .execute();
  const pollHour = sql<number>`started_at - (started_at % 3600000)`;
  const polls = await db
    .selectFrom('monitor_polls')
    .select(['server_id', pollHour.as('hour'), (eb) => eb.fn.countAll<number>().as('polls')])
    .where('outcome', '=', 'ok')
    .where('started_at', '>=', from)
    .where('started_at', '<', to)
    .groupBy(['server_id', pollHour])
    .execute();
  for (const row of polls)
    await db
      .updateTable('monitor_rollups')
      .set({ samples: Number(row.polls) })
      .where('server_id', '=', row.server_id)
      .where('hour', '=', Number(row.hour))
      .execute();
};

/** The server's successful polls per bucket of `size` ms in [from, to), by bucket start. */
export const okPollsPerBucket = async (
  db: Executor,
  filter: { serverId: string; from: number; to: number; size: number },
): Promise<Map<number, number>> => {
  // A literal, not a parameter: PostgreSQL groups by the select's expression only when the two are identical.
  const bucket = sql<number>`started_at - (started_at % ${sql.lit(filter.size)})`;
  const rows = await db
    .selectFrom('monitor_polls')
    .select([bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('polls')])
    .where('server_id', '=', filter.serverId)
    .where('outcome', '=', 'ok')
    .where('started_at', '>=', filter.from)
    .where('started_at', '<', filter.to)
    .groupBy(bucket)
    .execute();
  return new Map(rows.map((row) => [Number(row.bucket), Number(row.polls)]));
};

/** monitor.md retention: raw samples (and polls) 30 days, hourly rollups 2 years. */
export const pruneHistory = async (
  db: Executor,
  before: { samples: number; rollups: number; polls: number },
): Promise<void> => {
  await db.deleteFrom('monitor_samples').where('at', '<', before.samples).execute();
  await db.deleteFrom('monitor_rollups').where('hour', '<', before.rollups).execute();
  await db.deleteFrom('monitor_polls').where('started_at', '<', before.polls).execute();
  await db.deleteFrom('monitor_denials').where('at', '<', before.samples).execute();
};
