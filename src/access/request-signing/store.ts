// SQL of the nonces of signed requests.
import type { Executor } from '../../db/transaction.js';

/** Records a nonce; answers false when it was already recorded (a replay). */
export const rememberNonce = async (db: Executor, key: string, expiresAt: number): Promise<boolean> => {
  const result = await db
    .insertInto('request_nonces')
    .values({ key, expires_at: expiresAt })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
};

export const forgetExpiredNonces = async (db: Executor, now: number): Promise<void> => {
  await db.deleteFrom('request_nonces').where('expires_at', '<', now).execute();
};
