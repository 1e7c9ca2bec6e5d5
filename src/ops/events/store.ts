// SQL of domain events.
import { prepared } from '../../db/prepared.js';
import type { EventsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

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
