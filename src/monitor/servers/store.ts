// SQL of the monitored servers and their polls: the registry's rows, the claim that keeps one poll per server
// across processes, which servers are due, and the poll records.
import type { MonitorPollsTable, MonitorServersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

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

export const dueServers = (db: Executor, nowMs: number): Promise<MonitorServersTable[]> =>
  db
    .selectFrom('monitor_servers')
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_poll_at', '<=', nowMs)
    .orderBy('next_poll_at')
    .execute();

/** The last `limit` polls of a server, newest first: outcome and time only. */
export const recentPollOutcomes = (
  db: Executor,
  serverId: string,
  limit: number,
): Promise<Pick<MonitorPollsTable, 'outcome' | 'started_at' | 'error_message'>[]> =>
  db
    .selectFrom('monitor_polls')
    .select(['outcome', 'started_at', 'error_message'])
    .where('server_id', '=', serverId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
