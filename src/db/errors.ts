// Recognising storage failures, so the error handler answers DATABASE_ERROR (retryable) instead of INTERNAL_ERROR.
import pg from 'pg';

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const connectionMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'driver has already been destroyed',
  'The database connection is not open',
];

export const isStorageError = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  if (error.name === 'SqliteError' || error instanceof pg.DatabaseError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && connectionCodes.has(code)) return true;
  return connectionMessages.some((message) => error.message.includes(message));
};

/** A unique constraint refused the write (SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL 23505). */
export const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};
