// 0008: the device blocklist: fingerprints refused on one product or on all. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('blocklist')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('product_id', 'text', (column) => column.references('products.id'))
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('blocklist_fingerprint')
    .on('blocklist')
    .columns(['fingerprint', 'product_id'])
    .execute();
};
