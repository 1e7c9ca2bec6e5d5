// 0024: the license_expiring rule reads the live licenses of one status ending in a window, soonest first. Without
// this index SQLite's planner (with no statistics) takes licenses_status_counts for the two equalities and scans
// every active license — 200 ms at 1M licenses, on the event loop, every minute; with it the read is a range of
// this index in order. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createIndex('licenses_status_expiry')
    .on('licenses')
    .columns(['status', 'deleted_at', 'expires_at', 'id'])
    .execute();
};
