// SQL of the audit log: append and read, nothing else (entries are never changed or deleted).

import type { AuditLogTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertAuditEntry = async (db: Executor, row: AuditLogTable): Promise<void> => {
  await db.insertInto('audit_log').values(row).execute();
};

export interface AuditFilter {
  actorId?: string | undefined;
  targetId?: string | undefined;
  action?: string | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  /** Entries older than this id (newest first). */
  before?: string | undefined;
  limit: number;
}

export const listAuditEntries = (db: Executor, filter: AuditFilter): Promise<AuditLogTable[]> => {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.fromMs !== undefined) query = query.where('at', '>=', filter.fromMs);
  if (filter.toMs !== undefined) query = query.where('at', '<', filter.toMs);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};

/** Times of the most recent entries of one action for a target or an address, newest first (login throttling). */
export const recentActionTimes = async (
  db: Executor,
  filter: { action: string; sinceMs: number; limit: number; targetId?: string; ip?: string | null },
): Promise<number[]> => {
  let query = db
    .selectFrom('audit_log')
    .select('at')
    .where('action', '=', filter.action)
    .where('at', '>=', filter.sinceMs);
  if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
  if (filter.ip === null) query = query.where('ip', 'is', null);
  else if (filter.ip !== undefined) query = query.where('ip', '=', filter.ip);
  const rows = await query.orderBy('at', 'desc').limit(filter.limit).execute();
  return rows.map((row) => Number(row.at));
};
