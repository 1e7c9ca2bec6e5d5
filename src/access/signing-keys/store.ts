// SQL of the server's signing keys.
import { sql } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type { SigningKeysTable } from '../../db/schema.js';
import { type Executor, forUpdate } from '../../db/transaction.js';

/** Two processes changing the keys at once (first start, rotation) take turns (PostgreSQL; SQLite has one writer). */
export const lockSigningKeys = async (db: Executor, dialect: DialectName): Promise<void> => {
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtext('charter.signing_keys'))`.execute(db);
};

/** A key, its row locked for the transaction. */
export const findSigningKeyForUpdate = (
  db: Executor,
  id: string,
  dialect: DialectName,
): Promise<SigningKeysTable | undefined> =>
  forUpdate(db.selectFrom('signing_keys').selectAll().where('id', '=', id), dialect).executeTakeFirst();

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

/** Every key (a deployment has a handful): the active one first, then verify_only, then retired; newest first. */
export const listSigningKeys = (db: Executor): Promise<SigningKeysTable[]> =>
  db
    .selectFrom('signing_keys')
    .selectAll()
    .orderBy(sql`case status when 'active' then 0 when 'verify_only' then 1 else 2 end`)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

export const insertSigningKey = async (db: Executor, row: SigningKeysTable): Promise<void> => {
  await db.insertInto('signing_keys').values(row).execute();
};

/** Active keys become verify_only: they stop signing and keep verifying. Answers the kids moved. */
export const demoteActiveKeys = async (db: Executor, nowMs: number): Promise<string[]> => {
  const rows = await db
    .updateTable('signing_keys')
    .set({ status: 'verify_only', updated_at: nowMs })
    .where('status', '=', 'active')
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
};

export const setSigningKeyStatus = async (
  db: Executor,
  id: string,
  status: string,
  nowMs: number,
): Promise<void> => {
  await db.updateTable('signing_keys').set({ status, updated_at: nowMs }).where('id', '=', id).execute();
};
