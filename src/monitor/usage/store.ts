// SQL of what polls found: samples and denials as polls record them, and the reads of today's peaks and denial
// counts and of the denials per user. The history over longer ranges is history-store.ts's.
import { inBatches } from '../../db/batches.js';
import type { MonitorDenialsTable, MonitorSamplesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertSamples = async (db: Executor, rows: MonitorSamplesTable[]): Promise<void> => {
  await inBatches(rows, (batch) =>
    db
      .insertInto('monitor_samples')
      .values(batch)
      .onConflict((conflict) => conflict.columns(['server_id', 'feature', 'at']).doNothing())
      .execute(),
  );
};

export const insertDenials = async (db: Executor, rows: MonitorDenialsTable[]): Promise<void> => {
  await inBatches(rows, (batch) => db.insertInto('monitor_denials').values(batch).execute());
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

/** Every sample since `sinceMs`, oldest first. */
export const samplesSince = (db: Executor, sinceMs: number): Promise<MonitorSamplesTable[]> =>
  db.selectFrom('monitor_samples').selectAll().where('at', '>=', sinceMs).orderBy('at').execute();

/** When each server's successful polls since `sinceMs` ran, oldest first. */
export const successfulPollsSince = (
  db: Executor,
  sinceMs: number,
): Promise<{ server_id: string; started_at: number }[]> =>
  db
    .selectFrom('monitor_polls')
    .select(['server_id', 'started_at'])
    .where('started_at', '>=', sinceMs)
    .where('outcome', '=', 'ok')
    .orderBy('started_at')
    .execute();
