// SQL of API keys.
import type { ApiKeysTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertApiKey = async (db: Executor, row: ApiKeysTable): Promise<void> => {
  await db.insertInto('api_keys').values(row).execute();
};

export const findApiKeyByHash = (db: Executor, keyHash: string): Promise<ApiKeysTable | undefined> =>
  db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();

export const findApiKey = (db: Executor, id: string): Promise<ApiKeysTable | undefined> =>
  db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();

export const listApiKeys = (
  db: Executor,
  filter: { after?: string | undefined; revoked?: boolean | undefined; limit: number },
): Promise<ApiKeysTable[]> => {
  let query = db.selectFrom('api_keys').selectAll();
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.revoked === true) query = query.where('revoked_at', 'is not', null);
  if (filter.revoked === false) query = query.where('revoked_at', 'is', null);
  return query.orderBy('id').limit(filter.limit).execute();
};

/** Marks a key revoked; answers false when it already was. */
export const revokeApiKey = async (db: Executor, id: string, at: number): Promise<boolean> => {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at, updated_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
};

export const setLastUsed = async (db: Executor, id: string, at: number): Promise<void> => {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
    .execute();
};
