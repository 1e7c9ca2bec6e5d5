// SQL of incidents and their timelines.
import type { DialectName } from '../../db/connection.js';
import type { IncidentsTable, IncidentTimelineTable } from '../../db/schema.js';
import { type Executor, forUpdate } from '../../db/transaction.js';

/** Inserts unless an incident with the same open key is not yet resolved; answers whether it inserted. */
export const insertIncident = async (db: Executor, row: IncidentsTable): Promise<boolean> => {
  const result = await db
    .insertInto('incidents')
    .values(row)
    .onConflict((conflict) => conflict.column('open_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
};

export const findIncident = (db: Executor, id: string): Promise<IncidentsTable | undefined> =>
  db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();

/** The incident row locked for a read-check-write (FOR UPDATE on PostgreSQL; SQLite's writer lock holds it). */
export const lockIncident = (
  db: Executor,
  dialect: DialectName,
  id: string,
): Promise<IncidentsTable | undefined> =>
  forUpdate(db.selectFrom('incidents').selectAll().where('id', '=', id), dialect).executeTakeFirst();

/** The incident not yet resolved for this open key, if any. */
export const findOpenIncident = (db: Executor, openKey: string): Promise<IncidentsTable | undefined> =>
  db.selectFrom('incidents').selectAll().where('open_key', '=', openKey).executeTakeFirst();

/** Incidents of a kind not yet resolved (the rules' view of what they opened). */
/**
 * A page of the unresolved incidents of a kind, after `afterOpenKey`: a range of the unique open_key index (only
 * an unresolved incident has one, `${kind}:${type}:${id}`), never a scan of every incident ever opened.
 */
export const unresolvedOfKind = (
  db: Executor,
  kind: string,
  afterOpenKey: string | undefined,
  limit: number,
): Promise<IncidentsTable[]> =>
  db
    .selectFrom('incidents')
    .selectAll()
    .where('open_key', '>', afterOpenKey ?? `${kind}:`)
    .where('open_key', '<', `${kind};`)
    .where('kind', '=', kind)
    .orderBy('open_key')
    .limit(limit)
    .execute();

export const updateIncidentRow = async (
  db: Executor,
  id: string,
  patch: Partial<IncidentsTable>,
): Promise<void> => {
  await db.updateTable('incidents').set(patch).where('id', '=', id).execute();
};

/** Newest first: a cursor is the id after which the page starts. */
export const listIncidents = (
  db: Executor,
  filter: {
    before: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
    severity?: string | undefined;
    subjectId?: string | undefined;
    limit: number;
  },
): Promise<IncidentsTable[]> => {
  let query = db.selectFrom('incidents').selectAll();
  if (filter.before) query = query.where('id', '<', filter.before);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.severity) query = query.where('severity', '=', filter.severity);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};

export const countIncidentsBy = (db: Executor) =>
  db
    .selectFrom('incidents')
    .select(['kind', 'severity', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', '!=', 'resolved')
    .groupBy(['kind', 'severity', 'status'])
    .execute();

export const insertTimelineEntry = async (db: Executor, row: IncidentTimelineTable): Promise<void> => {
  await db.insertInto('incident_timeline').values(row).execute();
};

/** The timelines of these incidents, oldest entry first. */
export const timelinesOf = (
  db: Executor,
  incidentIds: readonly string[],
): Promise<IncidentTimelineTable[]> =>
  incidentIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('incident_timeline')
        .selectAll()
        .where('incident_id', 'in', incidentIds)
        .orderBy('id')
        .execute();
