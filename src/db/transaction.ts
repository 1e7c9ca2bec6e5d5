// Transactions with the locking that keeps limits exact on both engines: SQLite serializes writers
// with BEGIN IMMEDIATE (see connection.ts); PostgreSQL locks the parent row with SELECT … FOR UPDATE.
import type { SelectQueryBuilder, Transaction } from 'kysely';
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
