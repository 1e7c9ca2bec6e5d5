// 0029: product bundles (docs/licensing.md "Bundles"). A product's `kind` is `standard` (every product made
// before) or `bundle`; product_members lists a bundle's member products, each a standard product, by id. A
// license of a bundle covers its members too, so a change of membership changes what validation answers: like
// the other product tables in 0025, every insert, update or delete of product_members names all licenses ('*'),
// and the validation caches of every process forget everything (membership changes are rare).
// - SQLite: triggers append '*' to validation_changes inside the writing transaction.
// - PostgreSQL: a statement trigger calls 0025's charter_validation_all() (NOTIFY charter_validation '*').
// Frozen once landed.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .alterTable('products')
    .addColumn('kind', 'text', (column) => column.notNull().defaultTo('standard'))
    .execute();
  await db.schema
    .createTable('product_members')
    .addColumn('bundle_id', 'text', (column) => column.notNull().references('products.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('products.id'))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('product_members_pkey', ['bundle_id', 'member_id'])
    .execute();
  // The bundles a product belongs to (its deletion removes it from them).
  await db.schema
    .createIndex('product_members_member')
    .on('product_members')
    .columns(['member_id', 'bundle_id'])
    .execute();

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql
      .raw(`create trigger product_members_validation after insert or update or delete or truncate
        on product_members for each statement execute function charter_validation_all()`)
      .execute(db);
    return;
  }
  for (const event of ['insert', 'update', 'delete']) {
    await sql
      .raw(`create trigger product_members_validation_${event} after ${event} on product_members begin
        insert into validation_changes (license_id) values ('*'); end`)
      .execute(db);
  }
};
