// 0026: customer accounts. License users get a password (set by the vendor or through an invitation), a status,
// and memberships of customers (role member or manager: a manager administers the customer's seats through the
// portal, with its own sessions). A policy may forbid license users to change their password. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('users').addColumn('password_changed_at', 'bigint').execute();
  await db.schema
    .alterTable('users')
    .addColumn('status', 'text', (column) => column.notNull().defaultTo('active'))
    .execute();
  await db.schema
    .alterTable('policies')
    .addColumn('allow_password_change', 'integer', (column) => column.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('customer_users')
    .addColumn('customer_id', 'text', (column) => column.notNull().references('customers.id'))
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('customer_users_pk', ['customer_id', 'user_id'])
    .execute();
  await db.schema.createIndex('customer_users_user').on('customer_users').columns(['user_id']).execute();
  await db.schema.createIndex('license_users_user').on('license_users').columns(['user_id']).execute();

  await db.schema
    .createTable('user_invitations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('user_invitations_user').on('user_invitations').columns(['user_id']).execute();

  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('last_seen_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('portal_sessions_user').on('portal_sessions').columns(['user_id']).execute();
};
