// SQL of operators.

import type { DialectName } from '../../db/connection.js';
import type { OperatorsTable } from '../../db/schema.js';
import { type Executor, forUpdate } from '../../db/transaction.js';

export const insertOperator = async (db: Executor, row: OperatorsTable): Promise<void> => {
  await db.insertInto('operators').values(row).execute();
};

export const findOperator = (db: Executor, id: string): Promise<OperatorsTable | undefined> =>
  db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();

export const findOperatorByEmail = (db: Executor, email: string): Promise<OperatorsTable | undefined> =>
  db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst();

export const countOperators = async (db: Executor): Promise<number> => {
  const row = await db
    .selectFrom('operators')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};

export const countActiveOwners = async (db: Executor): Promise<number> => {
  const row = await db
    .selectFrom('operators')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role', '=', 'owner')
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};

export const listOperators = (
  db: Executor,
  filter: {
    after?: string | undefined;
    role?: string | undefined;
    disabled?: boolean | undefined;
    limit: number;
  },
): Promise<OperatorsTable[]> => {
  let query = db.selectFrom('operators').selectAll();
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.disabled === true) query = query.where('disabled_at', 'is not', null);
  if (filter.disabled === false) query = query.where('disabled_at', 'is', null);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateOperatorRow = async (
  db: Executor,
  id: string,
  patch: Partial<Pick<OperatorsTable, 'name' | 'role' | 'password_hash' | 'disabled_at'>> & {
    updated_at: number;
  },
): Promise<void> => {
  await db.updateTable('operators').set(patch).where('id', '=', id).execute();
};

/** The operator row locked for a read-check-write (FOR UPDATE on PostgreSQL; SQLite's writer lock holds it). */
export const lockOperatorRow = (
  db: Executor,
  dialect: DialectName,
  id: string,
): Promise<OperatorsTable | undefined> =>
  forUpdate(db.selectFrom('operators').selectAll().where('id', '=', id), dialect).executeTakeFirst();

/** The addresses of enabled operators with one of these roles. */
export const emailsOfRoles = async (db: Executor, roles: readonly string[]): Promise<string[]> =>
  (
    await db
      .selectFrom('operators')
      .select('email')
      .where('role', 'in', roles)
      .where('disabled_at', 'is', null)
      .orderBy('email')
      .execute()
  ).map((row) => row.email);
