// 0014: orders (a sale: a customer and the licenses it issued) and each license's order. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('external_id', 'text', (column) => column.notNull().unique())
    .addColumn('customer_id', 'text', (column) => column.notNull().references('customers.id'))
    .addColumn('items', 'text', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.alterTable('licenses').addColumn('order_id', 'text').execute();
  await db.schema.createIndex('licenses_order').on('licenses').column('order_id').execute();
};
