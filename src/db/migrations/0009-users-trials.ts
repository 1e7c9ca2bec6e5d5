// 0009: license users (for products licensed per user) and their assignments, and the trials each device and
// email had. Frozen once landed.
import { type Kysely, sql } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('users_email_live')
    .on('users')
    .column('email')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('license_users')
    .addColumn('license_id', 'text', (column) => column.notNull().references('licenses.id'))
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('license_users_pk', ['license_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('trials')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('product_id', 'text', (column) => column.notNull().references('products.id'))
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('email', 'text')
    .addColumn('license_id', 'text', (column) => column.notNull().references('licenses.id'))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('trials_product_fingerprint', ['product_id', 'fingerprint'])
    .execute();
  await db.schema
    .createIndex('trials_product_email')
    .on('trials')
    .columns(['product_id', 'email'])
    .unique()
    .where(sql.ref('email'), 'is not', null)
    .execute();
};
