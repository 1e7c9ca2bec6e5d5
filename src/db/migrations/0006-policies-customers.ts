// 0006: policies (a product's licensing rules) and customers. Codes and emails are unique among live rows.
// Frozen once landed.
import { type Kysely, sql } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('product_id', 'text', (column) => column.notNull().references('products.id'))
    .addColumn('code', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('duration_seconds', 'bigint')
    .addColumn('floating', 'integer', (column) => column.notNull())
    .addColumn('max_machines', 'integer')
    .addColumn('max_users', 'integer')
    .addColumn('max_activations_per_user', 'integer')
    .addColumn('max_transfers', 'integer')
    .addColumn('max_deactivations', 'text')
    .addColumn('expiration_basis', 'text', (column) => column.notNull())
    .addColumn('expiration_strategy', 'text', (column) => column.notNull())
    .addColumn('allow_vm', 'integer', (column) => column.notNull())
    .addColumn('allow_offline', 'integer', (column) => column.notNull())
    .addColumn('allow_borrow', 'integer', (column) => column.notNull())
    .addColumn('max_borrow_seconds', 'bigint')
    .addColumn('lease_seconds', 'integer', (column) => column.notNull())
    .addColumn('heartbeat_seconds', 'integer')
    .addColumn('consumption', 'text')
    .addColumn('features', 'text', (column) => column.notNull())
    .addColumn('license_file_ttl_seconds', 'integer', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('policies_product_code_live')
    .on('policies')
    .columns(['product_id', 'code'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('company', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('customers_email_live')
    .on('customers')
    .column('email')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
};
