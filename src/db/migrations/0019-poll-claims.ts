// 0019: a monitored server's poll is claimed in the database (so processes sharing it never poll one server twice
// at once), and seat denials are read by time (the monitor samples Charter's own pools' denials each minute, and
// they are pruned past retention). Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('monitor_servers').addColumn('poll_claimed_until', 'bigint').execute();
  await db.schema.createIndex('lease_denials_time').on('lease_denials').column('at').execute();
};
