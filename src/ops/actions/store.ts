// SQL of actions.
import type { DialectName } from '../../db/connection.js';
import type { ActionsTable } from '../../db/schema.js';
import { type Executor, forUpdate } from '../../db/transaction.js';

export const insertAction = async (db: Executor, row: ActionsTable): Promise<void> => {
  await db.insertInto('actions').values(row).execute();
};

export const findAction = (db: Executor, id: string): Promise<ActionsTable | undefined> =>
  db.selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirst();

/** The action row locked for its decision (FOR UPDATE on PostgreSQL; SQLite's writer lock holds it). */
export const lockAction = (
  db: Executor,
  dialect: DialectName,
  id: string,
): Promise<ActionsTable | undefined> =>
  forUpdate(db.selectFrom('actions').selectAll().where('id', '=', id), dialect).executeTakeFirst();

export const updateActionRow = async (
  db: Executor,
  id: string,
  patch: Partial<ActionsTable>,
): Promise<void> => {
  await db.updateTable('actions').set(patch).where('id', '=', id).execute();
};

/** Newest first. A pending action past its end is listed under `expired` (the status it shows). */
export const listActions = (
  db: Executor,
  filter: {
    before: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
    incidentId?: string | undefined;
    nowMs: number;
    limit: number;
  },
): Promise<ActionsTable[]> => {
  let query = db.selectFrom('actions').selectAll();
  if (filter.before) query = query.where('id', '<', filter.before);
  if (filter.status === 'pending')
    query = query.where('status', '=', 'pending').where('expires_at', '>', filter.nowMs);
  else if (filter.status === 'expired')
    query = query.where((eb) =>
      eb.or([
        eb('status', '=', 'expired'),
        eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', filter.nowMs)]),
      ]),
    );
  else if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};

/** Marks pending actions past their end expired; answers their ids. */
export const expirePendingActions = async (db: Executor, nowMs: number): Promise<string[]> =>
  (
    await db
      .updateTable('actions')
      .set({ status: 'expired', updated_at: nowMs })
      .where('status', '=', 'pending')
      .where('expires_at', '<=', nowMs)
      .returning('id')
      .execute()
  ).map((row) => row.id);

export const countPendingActions = async (db: Executor, nowMs: number): Promise<number> => {
  const row = await db
    .selectFrom('actions')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', nowMs)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};
