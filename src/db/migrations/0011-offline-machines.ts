// 0011: machines activated offline keep their deactivation secret (sealed), to verify the proof an air-gapped
// machine gives when it deactivates. Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('machines').addColumn('deactivation_secret', 'text').execute();
};
