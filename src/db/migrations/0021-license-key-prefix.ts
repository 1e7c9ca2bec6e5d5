// 0021: licenses found by the first group of their key (`?keyPrefix=`, what the dashboard and a support call quote)
// without a scan. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('licenses_key_prefix').on('licenses').columns(['key_prefix', 'id']).execute();
};
