// SQL of the monitor: servers, polls, samples and denials.
import { type OnConflictBuilder, sql } from 'kysely';
import { inBatches } from '../db/batches.js';
import type {
  MonitorDenialsTable,
  MonitorPollsTable,
  MonitorSamplesTable,
  MonitorServersTable,
  Schema,
} from '../db/schema.js';
import type { Executor } from '../db/transaction.js';

export const insertServer = async (db: Executor, row: MonitorServersTable): Promise<void> => {
  await db.insertInto('monitor_servers').values(row).execute();
};

export const findServer = (db: Executor, id: string): Promise<MonitorServersTable | undefined> =>
  db.selectFrom('monitor_servers').selectAll().where('id', '=', id).executeTakeFirst();

export const listServers = (
  db: Executor,
  filter: {
    after?: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
    limit: number;
  },
): Promise<MonitorServersTable[]> => {
  let query = db.selectFrom('monitor_servers').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status as MonitorServersTable['status']);
  if (filter.kind) query = query.where('kind', '=', filter.kind as MonitorServersTable['kind']);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const allServers = (db: Executor, serverId?: string): Promise<MonitorServersTable[]> => {
  let query = db.selectFrom('monitor_servers').selectAll();
  if (serverId) query = query.where('id', '=', serverId);
  return query.orderBy('id').execute();
};

export const updateServerRow = async (
  db: Executor,
  id: string,
  patch: Partial<MonitorServersTable>,
): Promise<void> => {
  await db.updateTable('monitor_servers').set(patch).where('id', '=', id).execute();
};

export const deleteServerRows = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('monitor_polls').where('server_id', '=', id).execute();
  await db.deleteFrom('monitor_samples').where('server_id', '=', id).execute();
  await db.deleteFrom('monitor_rollups').where('server_id', '=', id).execute();
  await db.deleteFrom('monitor_denials').where('server_id', '=', id).execute();
  await db.deleteFrom('monitor_servers').where('id', '=', id).execute();
};

/**
 * Claims the server's next poll until `untilMs` unless another claim is live; answers the server as it is now, or
 * undefined when another process polls it.
 */
export const claimPoll = (
  db: Executor,
  id: string,
  nowMs: number,
  untilMs: number,
): Promise<MonitorServersTable | undefined> =>
  db
    .updateTable('monitor_servers')
    .set({ poll_claimed_until: untilMs })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('poll_claimed_until', 'is', null), eb('poll_claimed_until', '<=', nowMs)]))
    .returningAll()
    .executeTakeFirst();

export const latestPoll = (db: Executor, serverId: string): Promise<MonitorPollsTable | undefined> =>
  db
    .selectFrom('monitor_polls')
    .selectAll()
    .where('server_id', '=', serverId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();

export const insertPoll = async (db: Executor, row: MonitorPollsTable): Promise<void> => {
  await db.insertInto('monitor_polls').values(row).execute();
};

export const findPoll = (db: Executor, id: string): Promise<MonitorPollsTable | undefined> =>
  db.selectFrom('monitor_polls').selectAll().where('id', '=', id).executeTakeFirst();

/** Newest first. */
export const listPolls = (
  db: Executor,
  filter: {
    serverId?: string | undefined;
    exceptServerId?: string | undefined;
    outcome?: string | undefined;
    before?: string | undefined;
    limit: number;
  },
): Promise<Omit<MonitorPollsTable, 'raw_output' | 'snapshot'>[]> => {
  let query = db
    .selectFrom('monitor_polls')
    .select([
      'id',
      'server_id',
      'started_at',
      'duration_ms',
      'outcome',
      'error_code',
      'error_message',
      'exit_code',
    ]);
  if (filter.serverId) query = query.where('server_id', '=', filter.serverId);
  if (filter.exceptServerId) query = query.where('server_id', '!=', filter.exceptServerId);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};

/** Successful polls keep their raw output only while they are among the server's last `keep`. */
export const trimSuccessfulOutputs = async (db: Executor, serverId: string, keep: number): Promise<void> => {
  const boundary = await db
    .selectFrom('monitor_polls')
    .select('id')
    .where('server_id', '=', serverId)
    .where('outcome', '=', 'ok')
    .orderBy('id', 'desc')
    .offset(keep - 1)
    .limit(1)
    .executeTakeFirst();
  if (!boundary) return;
  await db
    .updateTable('monitor_polls')
    .set({ raw_output: null })
    .where('server_id', '=', serverId)
    .where('outcome', '=', 'ok')
    .where('id', '<', boundary.id)
    .where('raw_output', 'is not', null)
    .execute();
};

export const insertSamples = async (db: Executor, rows: MonitorSamplesTable[]): Promise<void> => {
  await inBatches(rows, (batch) =>
    db
      .insertInto('monitor_samples')
      .values(batch)
      .onConflict((conflict) => conflict.columns(['server_id', 'feature', 'at']).doNothing())
      .execute(),
  );
};

/** The most in use at once per (server, feature) since `sinceMs`. */
export const peaksSince = async (
  db: Executor,
  sinceMs: number,
  serverId?: string,
): Promise<Map<string, number>> => {
  let query = db
    .selectFrom('monitor_samples')
    .select(['server_id', 'feature', (eb) => eb.fn.max('in_use').as('peak')])
    .where('at', '>=', sinceMs)
    .groupBy(['server_id', 'feature']);
  if (serverId) query = query.where('server_id', '=', serverId);
  const rows = await query.execute();
  return new Map(rows.map((row) => [`${row.server_id}\u0000${row.feature}`, Number(row.peak)]));
};

export const denialCountsSince = async (
  db: Executor,
  sinceMs: number,
  serverId?: string,
): Promise<Map<string, number>> => {
  let query = db
    .selectFrom('monitor_denials')
    .select(['server_id', 'feature', (eb) => eb.fn.countAll().as('count')])
    .where('at', '>=', sinceMs)
    .groupBy(['server_id', 'feature']);
  if (serverId) query = query.where('server_id', '=', serverId);
  const rows = await query.execute();
  return new Map(rows.map((row) => [`${row.server_id}\u0000${row.feature}`, Number(row.count)]));
};

/** Denials in [from, to) per server, feature and user (and host), most first. */
export const denialsByUser = async (
  db: Executor,
  filter: {
    serverId?: string | undefined;
    feature?: string | undefined;
    user?: string | undefined;
    from: number;
    to: number;
    limit: number;
  },
) => {
  let query = db
    .selectFrom('monitor_denials')
    .select([
      'server_id',
      'feature',
      'user',
      'host',
      (eb) => eb.fn.countAll<number>().as('count'),
      (eb) => eb.fn.max('at').as('last_at'),
    ])
    .where('at', '>=', filter.from)
    .where('at', '<', filter.to)
    .groupBy(['server_id', 'feature', 'user', 'host'])
    .orderBy('count', 'desc')
    .orderBy('server_id')
    .orderBy('feature')
    .orderBy('user')
    .limit(filter.limit);
  if (filter.serverId) query = query.where('server_id', '=', filter.serverId);
  if (filter.feature) query = query.where('feature', '=', filter.feature);
  if (filter.user)
    query = query.where((eb) => eb(eb.fn('lower', ['user']), '=', filter.user?.toLowerCase() ?? ''));
  return (await query.execute()).map((row) => ({
    serverId: row.server_id,
    feature: row.feature,
    user: row.user,
    host: row.host,
    count: Number(row.count),
    lastAt: Number(row.last_at),
  }));
};

export const insertDenials = async (db: Executor, rows: MonitorDenialsTable[]): Promise<void> => {
  await inBatches(rows, (batch) => db.insertInto('monitor_denials').values(batch).execute());
};

export const dueServers = (db: Executor, nowMs: number): Promise<MonitorServersTable[]> =>
  db
    .selectFrom('monitor_servers')
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_poll_at', '<=', nowMs)
    .orderBy('next_poll_at')
    .execute();

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

/** Per hour: the rollups of the feature (or every feature, summed). */
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
