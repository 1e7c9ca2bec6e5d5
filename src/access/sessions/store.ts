// SQL of operator sessions.
import type { OperatorsTable, SessionsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertSession = async (db: Executor, row: SessionsTable): Promise<void> => {
  await db.insertInto('sessions').values(row).execute();
};

export const findSessionWithOperator = async (
  db: Executor,
  tokenHash: string,
): Promise<{ session: SessionsTable; operator: OperatorsTable } | undefined> => {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('operators', 'operators.id', 'sessions.operator_id')
    .select([
      'sessions.id as session_id',
      'sessions.token_hash',
      'sessions.created_at as session_created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'operators.id',
      'operators.email',
      'operators.name',
      'operators.role',
      'operators.password_hash',
      'operators.disabled_at',
      'operators.created_at',
      'operators.updated_at',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    session: {
      id: row.session_id,
      token_hash: row.token_hash,
      operator_id: row.id,
      created_at: row.session_created_at,
      last_seen_at: row.last_seen_at,
      expires_at: row.expires_at,
    },
    operator: {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      password_hash: row.password_hash,
      disabled_at: row.disabled_at,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
  };
};

export const touchSession = async (db: Executor, id: string, at: number): Promise<void> => {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
};

export const deleteSession = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
};

/** Ends every session of an operator now, keeping the rows so their cookies answer ACCOUNT_DISABLED. */
export const endSessionsOf = async (db: Executor, operatorId: string, at: number): Promise<void> => {
  await db
    .updateTable('sessions')
    .set({ expires_at: at })
    .where('operator_id', '=', operatorId)
    .where('expires_at', '>', at)
    .execute();
};

export const deleteSessionsOf = async (db: Executor, operatorId: string): Promise<void> => {
  await db.deleteFrom('sessions').where('operator_id', '=', operatorId).execute();
};
