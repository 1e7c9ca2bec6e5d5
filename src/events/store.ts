// SQL of domain events.
import type { DialectName } from '../db/connection.js';
import { prepared } from '../db/prepared.js';
import type { EventsTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';

// Every lease, consumption and (later) license change writes one: built once (db/prepared.ts).
const insertEvent = prepared<EventsTable>(
  ['id', 'type', 'subject_type', 'subject_id', 'license_id', 'data', 'created_at', 'dispatched'],
  (db, row) => db.insertInto('events').values(row),
);

export const insertEvents = async (db: Executor, rows: EventsTable[]): Promise<void> => {
  for (const row of rows) await insertEvent(db, row);
};

export const listEvents = (
  db: Executor,
  filter: {
    type?: string | undefined;
    licenseId?: string | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<EventsTable[]> => {
  let query = db.selectFrom('events').selectAll();
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.licenseId) query = query.where('license_id', '=', filter.licenseId);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

/** A scan's mark, locked for the caller's transaction; made at `initial` (nothing before it) the first time. */
export const lockJobMark = async (
  db: Executor,
  dialect: DialectName,
  name: string,
  initial: number,
): Promise<{ at: number; afterId: string }> => {
  await db
    .insertInto('job_marks')
    .values({ name, at: initial, after_id: '' })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const query = db.selectFrom('job_marks').select(['at', 'after_id']).where('name', '=', name);
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirstOrThrow();
  return { at: row.at, afterId: row.after_id };
};

export const setJobMark = async (db: Executor, name: string, mark: { at: number; afterId: string }) => {
  await db
    .updateTable('job_marks')
    .set({ at: mark.at, after_id: mark.afterId })
    .where('name', '=', name)
    .execute();
};
