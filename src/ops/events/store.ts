// SQL of domain events.
import type { EventsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertEvents = async (db: Executor, rows: EventsTable[]): Promise<void> => {
  if (rows.length > 0) await db.insertInto('events').values(rows).execute();
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
