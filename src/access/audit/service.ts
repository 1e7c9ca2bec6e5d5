// The audit trail: one entry per Management mutation, login and key change, written by the caller inside
// the same transaction as the change. Secrets never reach it: callers pass field names and safe values only.
import { type PageQuery, readPage } from '../../db/pagination.js';
import type { AuditLogTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { AuditActor, AuditEntry } from './schemas.js';
import {
  type AuditFilter,
  insertAuditEntry,
  listAuditEntries,
  recentActionTimes as recentActionTimesOf,
} from './store.js';

/** Who acted and from where: taken from the request once (access/caller.ts), handed to services. */
export interface AuditContext {
  actor: AuditActor;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const systemAuditContext = (name: string): AuditContext => ({
  actor: { type: 'system', id: null, name },
  requestId: null,
  ip: null,
  userAgent: null,
});

/** A background rule acting on its own (an incident rule opening or resolving, proposing an action). */
export const ruleAuditContext = (rule: string): AuditContext => ({
  actor: { type: 'rule', id: rule, name: `rule ${rule}` },
  requestId: null,
  ip: null,
  userAgent: null,
});

export type Changes = Record<string, [unknown, unknown]>;

export interface AuditEvent {
  action: string;
  target: { type: string; id: string } | null;
  changes?: Changes | null;
}

export const recordAudit = (
  db: Executor,
  clock: Clock,
  context: AuditContext,
  event: AuditEvent,
): Promise<void> =>
  insertAuditEntry(db, {
    id: newId('aud', clock.nowMs()),
    at: clock.nowMs(),
    actor_type: context.actor.type,
    actor_id: context.actor.id,
    actor_name: context.actor.name,
    action: event.action,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    changes: event.changes && Object.keys(event.changes).length > 0 ? JSON.stringify(event.changes) : null,
    request_id: context.requestId,
    ip: context.ip,
    user_agent: context.userAgent,
  });

/** The fields whose values differ, as { field: [before, after] }. */
export const diff = <T extends Record<string, unknown>>(before: T, after: Partial<T>): Changes => {
  const changes: Changes = {};
  for (const [field, value] of Object.entries(after)) {
    if (value !== undefined && JSON.stringify(before[field]) !== JSON.stringify(value)) {
      changes[field] = [before[field] ?? null, value];
    }
  }
  return changes;
};

export const toAuditEntry = (row: AuditLogTable): AuditEntry => ({
  id: row.id,
  at: new Date(row.at).toISOString(),
  actor: { type: row.actor_type as AuditActor['type'], id: row.actor_id, name: row.actor_name },
  action: row.action,
  target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
  changes: row.changes ? (JSON.parse(row.changes) as AuditEntry['changes']) : null,
  requestId: row.request_id,
  ip: row.ip,
  userAgent: row.user_agent,
});

/** One page of the log, newest first. */
export const auditPage = async (db: Executor, query: Omit<AuditFilter, 'limit' | 'before'> & PageQuery) => {
  const { actorId, targetId, action, fromMs, toMs } = query;
  return readPage(
    query,
    (window) =>
      listAuditEntries(db, {
        actorId,
        targetId,
        action,
        fromMs,
        toMs,
        before: window.after,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toAuditEntry(row)),
  );
};

/** When an action was recorded lately (newest first): what the sign-in throttle counts. */
export const recentActionTimes = (
  db: Executor,
  filter: { action: string; sinceMs: number; limit: number; targetId?: string; ip?: string | null },
): Promise<number[]> => recentActionTimesOf(db, filter);
