// Transactions with the locking that keeps limits exact on both engines: SQLite serializes writers
// with BEGIN IMMEDIATE (see connection.ts); PostgreSQL locks the parent row with SELECT … FOR UPDATE.
import { CompiledQuery, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database, DialectName } from './connection.js';
import { isUniqueViolation } from './errors.js';
import type { Schema } from './schema.js';

export type Executor = Database['kysely'] | Transaction<Schema>;

export const transaction = <T>(db: Database, work: (tx: Transaction<Schema>) => Promise<T>): Promise<T> =>
  db.kysely.transaction().execute(work);

/** Adds FOR UPDATE on PostgreSQL; on SQLite the transaction already holds the write lock. */
export const forUpdate = <DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  dialect: DialectName,
): SelectQueryBuilder<DB, TB, O> => (dialect === 'postgres' ? query.forUpdate() : query);

/**
 * A transaction that creates or renames something unique among live rows: the caller checks first for a clear
 * answer, and when a concurrent request wins the race anyway, the unique index's refusal answers `taken()`.
 */
export const transactionUnique = async <T>(
  db: Database,
  taken: () => Error,
  work: (tx: Transaction<Schema>) => Promise<T>,
): Promise<T> => {
  try {
    return await transaction(db, work);
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
};

/**
 * Runs `work` inside a savepoint of the open transaction: when it throws, what it wrote is undone and the error
 * is answered, while the transaction and what it wrote before go on (an approval kept when its execution fails).
 */
export const withSavepoint = async <T>(
  tx: Transaction<Schema>,
  name: string,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`Savepoint names are lowercase words: ${name}`);
  await tx.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
  try {
    const value = await work();
    await tx.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    return { ok: true, value };
  } catch (error) {
    await tx.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
    await tx.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    return { ok: false, error };
  }
};
