// Actions under four eyes (ops.md "Actions and approvals"): a consequential change is proposed (by an operator, an
// API key or a rule) and executed only once someone else approves it — in the decision's transaction, so the
// decision and the change commit together; an execution that fails is undone alone and the action answers
// `failed` with its error, the decision kept. A pending action past its end is expired and cannot be approved.
import { type AuditContext, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import { readPage } from '../../db/pagination.js';
import type { ActionsTable } from '../../db/schema.js';
import { type Executor, transaction, withSavepoint } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Actor } from '../incidents/schemas.js';
import { incidentExists, noteOnTimeline } from '../incidents/service.js';
import { type ExecutorDeps, execute } from './executors.js';
import type { Action, ActionKind, ActionStatus, ProposeAction } from './schemas.js';
import {
  countPendingActions,
  expirePendingActions,
  findAction,
  insertAction,
  listActions,
  lockAction,
  updateActionRow,
} from './store.js';

export interface ActionDeps extends ExecutorDeps {
  /** How long a proposal waits for its decision (CHARTER_ACTION_TTL_HOURS). */
  ttlMs: number;
  /** Runs in the transaction that proposes an action (the approvers' mail is queued there). */
  notify?: (tx: Executor, action: ActionsTable) => Promise<unknown>;
}

/** The status an action shows: a pending one past its end is expired, whether or not the sweep wrote it yet. */
const statusOf = (row: ActionsTable, nowMs: number): ActionStatus =>
  row.status === 'pending' && row.expires_at <= nowMs ? 'expired' : (row.status as ActionStatus);

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export const toAction = (row: ActionsTable, nowMs: number): Action => ({
  id: row.id,
  kind: row.kind as ActionKind,
  params: JSON.parse(row.params) as Record<string, unknown>,
  reason: row.reason,
  status: statusOf(row, nowMs),
  proposedBy: JSON.parse(row.proposed_by) as Actor,
  decidedBy: parse<Actor>(row.decided_by),
  decidedAt: isoOrNull(row.decided_at),
  decisionReason: row.decision_reason,
  executedAt: isoOrNull(row.executed_at),
  result: parse<unknown>(row.result),
  error: parse<{ code: string; message: string }>(row.error),
  incidentId: row.incident_id,
  expiresAt: new Date(row.expires_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
});

type ActionEventType =
  | 'action.proposed'
  | 'action.approved'
  | 'action.rejected'
  | 'action.executed'
  | 'action.failed';

const answer = async (deps: ActionDeps, tx: Executor, id: string): Promise<Action> => {
  const row = await findAction(tx, id);
  if (!row) throw new AppError('NOT_FOUND', `No action ${id}`);
  return toAction(row, deps.clock.nowMs());
};

/** Emits an action.* event with the action as it is now, and answers that action (read once for both). */
const emitActionEvent = async (
  deps: ActionDeps,
  tx: Executor,
  type: ActionEventType,
  id: string,
): Promise<Action> => {
  const action = await answer(deps, tx, id);
  await emitEvent(tx, deps.clock.nowMs(), {
    type,
    subject: { type: 'action', id },
    licenseId: (action.params as { licenseId?: string }).licenseId ?? null,
    object: action,
  });
  return action;
};

/**
 * Proposes an action inside the caller's transaction (a rule proposes with the incident it opens). The proposer is
 * the audit context's actor; the action waits ttlMs for a decision.
 */
export const proposeActionIn = async (
  deps: ActionDeps,
  tx: Executor,
  audit: AuditContext,
  proposal: ProposeAction,
): Promise<Action> => {
  const nowMs = deps.clock.nowMs();
  const row: ActionsTable = {
    id: newId('act', nowMs),
    kind: proposal.kind,
    params: JSON.stringify(proposal.params),
    reason: proposal.reason,
    status: 'pending',
    proposed_by: JSON.stringify(audit.actor),
    decided_by: null,
    decided_at: null,
    decision_reason: null,
    executed_at: null,
    result: null,
    error: null,
    incident_id: proposal.incidentId ?? null,
    expires_at: nowMs + deps.ttlMs,
    created_at: nowMs,
    updated_at: nowMs,
  };
  await insertAction(tx, row);
  await recordAudit(tx, deps.clock, audit, {
    action: 'action.propose',
    target: { type: 'action', id: row.id },
    changes: { kind: [null, row.kind], status: [null, 'pending'] },
  });
  if (proposal.incidentId)
    await noteOnTimeline(
      deps,
      tx,
      proposal.incidentId,
      'action_proposed',
      `Proposed ${proposal.kind} (${row.id}): ${proposal.reason}`,
      audit.actor,
    );
  const action = await emitActionEvent(deps, tx, 'action.proposed', row.id);
  await deps.notify?.(tx, row);
  return action;
};

/** POST /v1/actions: 201 pending. The incident it names, if any, must exist. */
export const proposeAction = (deps: ActionDeps, caller: Caller, proposal: ProposeAction): Promise<Action> =>
  transaction(deps.db, async (tx) => {
    if (proposal.incidentId && !(await incidentExists(tx, proposal.incidentId)))
      throw new AppError('VALIDATION_ERROR', `No incident ${proposal.incidentId}`, {
        issues: [{ path: ['incidentId'], message: 'no such incident', code: 'custom' }],
      });
    return proposeActionIn(deps, tx, caller.audit, proposal);
  });

export const getAction = async (deps: ActionDeps, id: string): Promise<Action> =>
  answer(deps, deps.db.kysely, id);

export const actionPage = async (
  deps: ActionDeps,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: ActionStatus | undefined;
    kind?: ActionKind | undefined;
    incidentId?: string | undefined;
  },
) => {
  if (query.incidentId !== undefined && !(await incidentExists(deps.db.kysely, query.incidentId)))
    throw new AppError('NOT_FOUND', `No incident ${query.incidentId}`);
  return readPage(
    query,
    (window) =>
      listActions(deps.db.kysely, {
        before: window.after,
        status: query.status,
        kind: query.kind,
        incidentId: query.incidentId,
        nowMs: deps.clock.nowMs(),
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toAction(row, deps.clock.nowMs())),
  );
};

const eventOf = {
  approved: 'action.approved',
  rejected: 'action.rejected',
  executed: 'action.executed',
  failed: 'action.failed',
} as const;

/**
 * One step of an action's life: the row moves to `to` with `patch`, an audit entry records the step, and the
 * action.* event carries the action as it is now — which the step answers.
 */
const moveTo = async (
  deps: ActionDeps,
  tx: Executor,
  caller: Caller,
  id: string,
  from: ActionStatus,
  to: keyof typeof eventOf,
  auditAction: string,
  patch: Partial<ActionsTable>,
): Promise<Action> => {
  await updateActionRow(tx, id, { ...patch, status: to, updated_at: deps.clock.nowMs() });
  await recordAudit(tx, deps.clock, caller.audit, {
    action: auditAction,
    target: { type: 'action', id },
    changes: { status: [from, to] },
  });
  return emitActionEvent(deps, tx, eventOf[to], id);
};

/** The action locked for its decision, pending and not past its end; 409 INVALID_TRANSITION otherwise. */
const pendingOrThrow = async (deps: ActionDeps, tx: Executor, id: string): Promise<ActionsTable> => {
  const row = await lockAction(tx, deps.db.dialect, id);
  if (!row) throw new AppError('NOT_FOUND', `No action ${id}`);
  const status = statusOf(row, deps.clock.nowMs());
  if (status !== 'pending')
    throw new AppError('INVALID_TRANSITION', `Action is not pending approval (current status: ${status})`, {
      currentStatus: status,
    });
  return row;
};

const sameActor = (a: Actor, b: Actor) => a.type === b.type && a.id !== null && a.id === b.id;

/**
 * POST /v1/actions/{id}/approve: decided and executed at once, in one transaction. The proposer may not approve
 * their own action (403 SELF_APPROVAL_FORBIDDEN).
 */
export const approveAction = (deps: ActionDeps, caller: Caller, id: string): Promise<Action> =>
  transaction(deps.db, async (tx) => {
    const row = await pendingOrThrow(deps, tx, id);
    const approver = caller.audit.actor;
    if (sameActor(JSON.parse(row.proposed_by) as Actor, approver))
      throw new AppError(
        'SELF_APPROVAL_FORBIDDEN',
        `Action ${id} was proposed by you; someone else must approve it`,
      );
    const decidedAt = deps.clock.nowMs();
    await moveTo(deps, tx, caller, id, 'pending', 'approved', 'action.approve', {
      decided_by: JSON.stringify(approver),
      decided_at: decidedAt,
    });
    const outcome = await withSavepoint(tx, 'action_execute', () =>
      execute(row.kind as ActionKind, deps, tx, caller, JSON.parse(row.params) as never),
    );
    if (outcome.ok)
      return moveTo(deps, tx, caller, id, 'approved', 'executed', 'action.execute', {
        executed_at: deps.clock.nowMs(),
        result: JSON.stringify(outcome.value ?? null),
      });
    // Only a refusal of the catalog is an outcome to record; anything else is a fault and undoes the decision too.
    if (!(outcome.error instanceof AppError)) throw outcome.error;
    return moveTo(deps, tx, caller, id, 'approved', 'failed', 'action.fail', {
      error: JSON.stringify({ code: outcome.error.code, message: outcome.error.message }),
    });
  });

/** POST /v1/actions/{id}/reject: decided, with the reason. */
export const rejectAction = (deps: ActionDeps, caller: Caller, id: string, reason: string): Promise<Action> =>
  transaction(deps.db, async (tx) => {
    await pendingOrThrow(deps, tx, id);
    return moveTo(deps, tx, caller, id, 'pending', 'rejected', 'action.reject', {
      decided_by: JSON.stringify(caller.audit.actor),
      decided_at: deps.clock.nowMs(),
      decision_reason: reason,
    });
  });

/** Writes `expired` on pending actions past their end (their status already shows it); answers how many. */
export const expireActions = async (deps: Pick<ActionDeps, 'db' | 'clock'>): Promise<number> =>
  (await transaction(deps.db, (tx) => expirePendingActions(tx, deps.clock.nowMs()))).length;

/** Actions waiting for a decision (the metrics). */
export const pendingActionCount = (db: Executor, nowMs: number) => countPendingActions(db, nowMs);
