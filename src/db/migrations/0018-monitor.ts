// 0018: the license monitor: monitored servers (with their latest snapshot and debug-log position), polls, per-poll
// feature samples with hourly rollups, and denials read from FlexLM debug logs. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('monitor_servers')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('address', 'text', (column) => column.notNull())
    .addColumn('poll_seconds', 'integer', (column) => column.notNull())
    .addColumn('timeout_seconds', 'integer', (column) => column.notNull())
    .addColumn('enabled', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('last_poll_at', 'bigint')
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_message', 'text')
    .addColumn('failure_streak', 'integer', (column) => column.notNull())
    .addColumn('debug_log_path', 'text')
    .addColumn('log_offset', 'bigint', (column) => column.notNull())
    .addColumn('log_identity', 'text')
    .addColumn('snapshot', 'text')
    .addColumn('snapshot_at', 'bigint')
    .addColumn('next_poll_at', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('monitor_servers_due')
    .on('monitor_servers')
    .columns(['enabled', 'next_poll_at'])
    .execute();

  await db.schema
    .createTable('monitor_polls')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('server_id', 'text', (column) => column.notNull())
    .addColumn('started_at', 'bigint', (column) => column.notNull())
    .addColumn('duration_ms', 'integer', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('raw_output', 'text')
    .addColumn('snapshot', 'text')
    .execute();
  await db.schema
    .createIndex('monitor_polls_server')
    .on('monitor_polls')
    .columns(['server_id', 'id'])
    .execute();

  // One row per feature per poll (server_id 'charter' for Charter's own pools); hourly rollups keep two years.
  await db.schema
    .createTable('monitor_samples')
    .addColumn('server_id', 'text', (column) => column.notNull())
    .addColumn('feature', 'text', (column) => column.notNull())
    .addColumn('at', 'bigint', (column) => column.notNull())
    .addColumn('issued', 'integer')
    .addColumn('in_use', 'integer', (column) => column.notNull())
    .addColumn('denials', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('monitor_samples_pk', ['server_id', 'feature', 'at'])
    .execute();
  await db.schema.createIndex('monitor_samples_time').on('monitor_samples').column('at').execute();
  await db.schema
    .createTable('monitor_rollups')
    .addColumn('server_id', 'text', (column) => column.notNull())
    .addColumn('feature', 'text', (column) => column.notNull())
    .addColumn('hour', 'bigint', (column) => column.notNull())
    .addColumn('samples', 'integer', (column) => column.notNull())
    .addColumn('in_use_sum', 'bigint', (column) => column.notNull())
    .addColumn('in_use_max', 'integer', (column) => column.notNull())
    .addColumn('issued', 'integer')
    .addColumn('denials', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('monitor_rollups_pk', ['server_id', 'feature', 'hour'])
    .execute();

  await db.schema
    .createTable('monitor_denials')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('server_id', 'text', (column) => column.notNull())
    .addColumn('feature', 'text', (column) => column.notNull())
    .addColumn('user', 'text', (column) => column.notNull())
    .addColumn('host', 'text', (column) => column.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('monitor_denials_server')
    .on('monitor_denials')
    .columns(['server_id', 'feature', 'at'])
    .execute();
};
