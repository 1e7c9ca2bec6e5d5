// 0007: licenses (keys stored as a SHA-256 lookup hash plus a sealed copy) and the machines activated on them.
// A fingerprint has at most one active machine per license. Frozen once landed.
import { type Kysely, sql } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('licenses')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('key_hash', 'text', (column) => column.notNull().unique())
    .addColumn('key_sealed', 'text', (column) => column.notNull())
    .addColumn('key_prefix', 'text', (column) => column.notNull())
    .addColumn('product_id', 'text', (column) => column.notNull().references('products.id'))
    .addColumn('policy_id', 'text', (column) => column.notNull().references('policies.id'))
    .addColumn('customer_id', 'text', (column) => column.references('customers.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('starts_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('trial', 'integer', (column) => column.notNull())
    .addColumn('max_machines', 'integer')
    .addColumn('transfers_count', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('features', 'text')
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('first_activated_at', 'bigint')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('licenses_product').on('licenses').columns(['product_id', 'id']).execute();
  await db.schema.createIndex('licenses_policy').on('licenses').columns(['policy_id', 'id']).execute();
  await db.schema.createIndex('licenses_customer').on('licenses').columns(['customer_id', 'id']).execute();

  await db.schema
    .createTable('machines')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('license_id', 'text', (column) => column.notNull().references('licenses.id'))
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('name', 'text')
    .addColumn('hostname', 'text')
    .addColumn('platform', 'text')
    .addColumn('cores', 'integer')
    .addColumn('is_vm', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('user_id', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('offline', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('activated_at', 'bigint', (column) => column.notNull())
    .addColumn('last_seen_at', 'bigint', (column) => column.notNull())
    .addColumn('deactivated_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('machines_license_fingerprint_active')
    .on('machines')
    .columns(['license_id', 'fingerprint'])
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();
  await db.schema.createIndex('machines_license').on('machines').columns(['license_id', 'status']).execute();
};
