// SQL of the server's signing keys.
import type { SigningKeysTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const findNewestActiveKey = (db: Executor): Promise<SigningKeysTable | undefined> =>
  db
    .selectFrom('signing_keys')
    .selectAll()
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();

export const findSigningKey = (db: Executor, id: string): Promise<SigningKeysTable | undefined> =>
  db.selectFrom('signing_keys').selectAll().where('id', '=', id).executeTakeFirst();

export const insertSigningKey = async (db: Executor, row: SigningKeysTable): Promise<void> => {
  await db.insertInto('signing_keys').values(row).execute();
};
