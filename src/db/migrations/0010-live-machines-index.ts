// 0010: counting a license's live machines (validation, activation) reads the index alone: last_seen_at joins
// (license_id, status), so the count never visits the machines table. It replaces machines_license, its prefix.
// Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createIndex('machines_license_live')
    .on('machines')
    .columns(['license_id', 'status', 'last_seen_at'])
    .execute();
  await db.schema.dropIndex('machines_license').execute();
};
