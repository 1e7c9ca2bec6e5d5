// SQL of Idempotency-Key records.
import type { IdempotencyKeysTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';

/** Claims a key for a request; false when a record exists (answered, running, or expired but not yet swept). */
export const claimIdempotencyKey = async (db: Executor, row: IdempotencyKeysTable): Promise<boolean> => {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
};

export const findIdempotencyKey = (
  db: Executor,
  scope: string,
  key: string,
): Promise<IdempotencyKeysTable | undefined> =>
  db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();

export const recordIdempotentAnswer = async (
  db: Executor,
  scope: string,
  key: string,
  answer: Pick<IdempotencyKeysTable, 'response_status' | 'response_body' | 'response_headers'>,
): Promise<void> => {
  await db
    .updateTable('idempotency_keys')
    .set(answer)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
};

/**
 * Forgets a key: its request failed on the server's side (5xx), its record expired, or its claim was abandoned.
 * The conditions keep a concurrent request's fresh claim.
 */
export const forgetIdempotencyKey = async (
  db: Executor,
  scope: string,
  key: string,
  only: { expiredBy?: number; claimedBefore?: number } = {},
) => {
  let query = db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key);
  if (only.expiredBy !== undefined) query = query.where('expires_at', '<=', only.expiredBy);
  if (only.claimedBefore !== undefined)
    query = query.where('created_at', '<', only.claimedBefore).where('response_status', 'is', null);
  await query.execute();
};

export const forgetExpiredIdempotencyKeys = async (db: Executor, nowMs: number): Promise<void> => {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<=', nowMs).execute();
};
