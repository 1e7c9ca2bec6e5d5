// SQL of the notification mail queue.
import type { DialectName } from '../../db/connection.js';
import type { MailOutboxTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertMail = async (db: Executor, row: MailOutboxTable): Promise<void> => {
  await db.insertInto('mail_outbox').values(row).execute();
};

/** Claims up to `limit` due mails until `until` (SKIP LOCKED on PostgreSQL, so processes share the queue). */
export const claimDueMails = async (
  db: Executor,
  dialect: DialectName,
  claim: { nowMs: number; limit: number; until: number },
): Promise<MailOutboxTable[]> => {
  let query = db
    .selectFrom('mail_outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', claim.nowMs)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', claim.nowMs)]))
    .orderBy('next_attempt_at')
    .limit(claim.limit);
  if (dialect === 'postgres') query = query.forUpdate().skipLocked();
  const ids = (await query.execute()).map((row) => row.id);
  if (ids.length === 0) return [];
  await db.updateTable('mail_outbox').set({ claimed_until: claim.until }).where('id', 'in', ids).execute();
  return db.selectFrom('mail_outbox').selectAll().where('id', 'in', ids).orderBy('next_attempt_at').execute();
};

export const updateMailRow = async (
  db: Executor,
  id: string,
  patch: Partial<MailOutboxTable>,
): Promise<void> => {
  await db.updateTable('mail_outbox').set(patch).where('id', '=', id).execute();
};

export const findMailsOf = (db: Executor, ref: { incidentId?: string; actionId?: string }) => {
  let query = db.selectFrom('mail_outbox').selectAll();
  if (ref.incidentId) query = query.where('incident_id', '=', ref.incidentId);
  if (ref.actionId) query = query.where('action_id', '=', ref.actionId);
  return query.orderBy('id').execute();
};

export const countPendingMail = async (db: Executor): Promise<number> => {
  const row = await db
    .selectFrom('mail_outbox')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};
