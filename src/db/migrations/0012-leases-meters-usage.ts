// 0012: floating seats (leases), consumption meters, seat denials, usage counters, and the domain events every
// change emits (the outbox webhooks deliver from). Frozen once landed.
import { type Kysely, sql } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  // A lease is live while status = 'active' and expires_at is ahead: counting a pool's seats reads the index alone
  // (a license's live leases, filtered by feature), and a lease past its end stops counting at once, whatever the
  // reaper's timing. feature '' is the license's own seat.
  await db.schema
    .createTable('leases')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('license_id', 'text', (column) => column.notNull().references('licenses.id'))
    .addColumn('product_id', 'text', (column) => column.notNull())
    .addColumn('machine_id', 'text', (column) => column.notNull())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('feature', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('checked_out_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('borrowed_until', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('leases_pool_live')
    .on('leases')
    .columns(['license_id', 'status', 'expires_at', 'feature'])
    .execute();
  // A holder's live leases on a license (heartbeat, release). Every lookup names the license first, so no plan
  // falls back to leases_reaper, which spans every license's leases.
  await db.schema
    .createIndex('leases_holder')
    .on('leases')
    .columns(['license_id', 'fingerprint', 'status', 'expires_at'])
    .execute();
  // One active lease per fingerprint and pool: a repeated checkout extends it, a concurrent one cannot add a second.
  await db.schema
    .createIndex('leases_holder_active')
    .on('leases')
    .columns(['license_id', 'feature', 'fingerprint'])
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();
  await db.schema.createIndex('leases_reaper').on('leases').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('lease_denials')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('license_id', 'text', (column) => column.notNull())
    .addColumn('product_id', 'text', (column) => column.notNull())
    .addColumn('feature', 'text', (column) => column.notNull())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('seats', 'integer', (column) => column.notNull())
    .addColumn('in_use', 'integer', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('lease_denials_license')
    .on('lease_denials')
    .columns(['license_id', 'at'])
    .execute();

  // A meter per license ('' feature) or consumption feature; used counts from period_starts_at.
  await db.schema
    .createTable('meters')
    .addColumn('license_id', 'text', (column) => column.notNull().references('licenses.id'))
    .addColumn('feature', 'text', (column) => column.notNull())
    .addColumn('used', 'bigint', (column) => column.notNull())
    .addColumn('period_starts_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('meters_pk', ['license_id', 'feature'])
    .execute();

  // Usage analytics: one row per product, hour and metric, added to by the in-memory aggregator's flushes.
  await db.schema
    .createTable('usage_counters')
    .addColumn('product_id', 'text', (column) => column.notNull())
    .addColumn('hour', 'bigint', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('value', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('usage_counters_pk', ['product_id', 'hour', 'metric'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('subject_type', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('license_id', 'text')
    .addColumn('data', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('events_type_time').on('events').columns(['type', 'created_at']).execute();
};
