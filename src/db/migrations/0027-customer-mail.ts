// 0027: customer mail in the mail queue: its kind (null for operator mail), an HTML part, what it concerns (order,
// license, user), whether its text and HTML are sealed, and a key that queues one mail once (a license's
// expiring-soon mail per end, a meter's limit mail per period). Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  // SQLite adds one column per ALTER TABLE.
  await db.schema.alterTable('mail_outbox').addColumn('kind', 'text').execute();
  await db.schema.alterTable('mail_outbox').addColumn('html', 'text').execute();
  await db.schema.alterTable('mail_outbox').addColumn('order_id', 'text').execute();
  await db.schema.alterTable('mail_outbox').addColumn('license_id', 'text').execute();
  await db.schema.alterTable('mail_outbox').addColumn('user_id', 'text').execute();
  await db.schema
    .alterTable('mail_outbox')
    .addColumn('sealed', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('mail_outbox').addColumn('dedupe_key', 'text').execute();
  await db.schema.createIndex('mail_outbox_dedupe').on('mail_outbox').column('dedupe_key').unique().execute();
  await db.schema.createIndex('mail_outbox_order').on('mail_outbox').columns(['order_id', 'id']).execute();
  await db.schema
    .createIndex('mail_outbox_license')
    .on('mail_outbox')
    .columns(['license_id', 'id'])
    .execute();
};
