// SQL of OAuth clients.
import type { OauthClientsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertOauthClient = async (db: Executor, row: OauthClientsTable): Promise<void> => {
  await db.insertInto('oauth_clients').values(row).execute();
};

export const findOauthClient = (db: Executor, id: string): Promise<OauthClientsTable | undefined> =>
  db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();

export const listOauthClients = (
  db: Executor,
  filter: { after?: string | undefined; revoked?: boolean | undefined; limit: number },
): Promise<OauthClientsTable[]> => {
  let query = db.selectFrom('oauth_clients').selectAll();
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.revoked === true) query = query.where('revoked_at', 'is not', null);
  if (filter.revoked === false) query = query.where('revoked_at', 'is', null);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const revokeOauthClient = async (db: Executor, id: string, at: number): Promise<boolean> => {
  const result = await db
    .updateTable('oauth_clients')
    .set({ revoked_at: at, updated_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
};
