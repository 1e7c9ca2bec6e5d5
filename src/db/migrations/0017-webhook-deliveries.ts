// 0017: the webhook outbox's deliveries and their attempts, endpoint health, and the inbound integrations' ledger
// (event ids already applied, and the licenses a store's subscription issued), and what the lifecycle watch needs
// to emit license.expired / expiring_soon and machine.heartbeat_dead once each. Frozen once landed.
import { type Kysely, sql } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  // An event is fanned out to deliveries once; the partial index holds only those still waiting, so the outbox
  // reads them without visiting the history.
  await db.schema
    .alterTable('events')
    .addColumn('dispatched', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('events_undispatched')
    .on('events')
    .column('id')
    .where(sql.ref('dispatched'), '=', 0)
    .execute();
  await db.schema.createIndex('events_time').on('events').column('created_at').execute();

  await db.schema.alterTable('webhook_endpoints').addColumn('failing_since', 'bigint').execute();
  await db.schema.alterTable('webhook_endpoints').addColumn('last_success_at', 'bigint').execute();

  // One row per event and endpoint. `order_key` is the license (else the subject): a delivery waits while an
  // earlier one of its key to the same endpoint is still pending. `claimed_until` is a sender's claim: another
  // process may take the delivery once it has passed (a sender that died).
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('endpoint_id', 'text', (column) => column.notNull())
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('event_type', 'text', (column) => column.notNull())
    .addColumn('order_key', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('max_attempts', 'integer', (column) => column.notNull())
    .addColumn('next_attempt_at', 'bigint', (column) => column.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('claim_token', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('webhook_deliveries_endpoint_event', ['endpoint_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_order')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'order_key', 'status', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_endpoint')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'id'])
    .execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'text', (column) => column.notNull())
    .addColumn('attempt', 'integer', (column) => column.notNull())
    .addColumn('started_at', 'bigint', (column) => column.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (column) => column.notNull())
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
    .execute();

  // Inbound webhooks: an event id applied once; a replay is acknowledged and skipped.
  await db.schema
    .createTable('inbound_events')
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('received_at', 'bigint', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('inbound_events_pk', ['provider', 'event_id'])
    .execute();

  // The licenses a store subscription issued, so its later events (cancellation, renewal) find them by index.
  await db.schema
    .createTable('license_subscriptions')
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('subscription_id', 'text', (column) => column.notNull())
    .addColumn('license_id', 'text', (column) => column.notNull().references('licenses.id'))
    .addPrimaryKeyConstraint('license_subscriptions_pk', ['provider', 'subscription_id', 'license_id'])
    .execute();

  // How far each lifecycle scan has got: the (time, id) of the last row it emitted for, so every pass reads only
  // what crossed its line since, and a row is emitted for once however many processes scan.
  await db.schema
    .createTable('job_marks')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('after_id', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('licenses_expiry').on('licenses').columns(['expires_at', 'id']).execute();
  await db.schema
    .createIndex('machines_last_seen')
    .on('machines')
    .columns(['status', 'last_seen_at', 'id'])
    .execute();
};
