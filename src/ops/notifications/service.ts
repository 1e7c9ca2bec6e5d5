// Notification mail (optional: CHARTER_SMTP_URL): incidents of the configured severity and above go to the
// recipients configured for their severity, else to the operators who can act on them (incidents:write); pending
// approvals go to the approvers configured, else to the operators holding actions:approve. Mail is queued in the
// transaction of what it tells (never lost with a crash) and sent by the mail worker (worker.ts).
import { operatorEmailsWithScope } from '../../access/operators/service.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/connection.js';
import type { ActionsTable, IncidentsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { catalog } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { countPendingMail, findMailsOf, insertMail } from './store.js';

export interface NotificationDeps {
  db: Database;
  clock: Clock;
  mail: Config['mail'];
}

const severityRank = { info: 0, warning: 1, critical: 2 } as const;
type Severity = keyof typeof severityRank;

const enqueue = async (
  deps: NotificationDeps,
  tx: Executor,
  mail: { to: string[]; subject: string; body: string; incidentId?: string | null; actionId?: string | null },
) => {
  if (mail.to.length === 0) return false;
  const nowMs = deps.clock.nowMs();
  await insertMail(tx, {
    id: newId('mail', nowMs),
    recipients: JSON.stringify(mail.to),
    subject: mail.subject.slice(0, 300),
    body: mail.body,
    incident_id: mail.incidentId ?? null,
    action_id: mail.actionId ?? null,
    status: 'pending',
    attempts: 0,
    next_attempt_at: nowMs,
    claimed_until: null,
    last_error: null,
    sent_at: null,
    created_at: nowMs,
    updated_at: nowMs,
    kind: null,
    html: null,
    order_id: null,
    license_id: null,
    user_id: null,
    sealed: 0,
    dedupe_key: null,
  });
  return true;
};

/** Queues the mail an incident that just opened calls for, if any; answers whether it queued one. */
export const notifyIncidentOpened = async (
  deps: NotificationDeps,
  tx: Executor,
  incident: IncidentsTable,
): Promise<boolean> => {
  const { mail } = deps;
  if (!mail.smtpUrl || mail.incidentSeverity === 'none') return false;
  const severity = incident.severity as Severity;
  if (severityRank[severity] < severityRank[mail.incidentSeverity]) return false;
  const to = mail.to[severity] ?? (await operatorEmailsWithScope(tx, 'incidents:write'));
  return enqueue(deps, tx, {
    to,
    subject: `[Charter ${severity}] ${incident.title}`,
    body: [
      incident.title,
      '',
      `Incident: ${incident.id} (${incident.kind}, ${severity})`,
      `Subject: ${incident.subject_type} ${incident.subject_id}`,
      `Opened: ${new Date(incident.opened_at).toISOString()}`,
      '',
      `Details: ${incident.details}`,
      '',
      `Acknowledge it: POST /v1/incidents/${incident.id}/acknowledge`,
    ].join('\n'),
    incidentId: incident.id,
  });
};

/** Queues the mail a pending action calls for: its approvers are asked to decide. */
export const notifyApprovalPending = async (
  deps: NotificationDeps,
  tx: Executor,
  action: ActionsTable,
): Promise<boolean> => {
  const { mail } = deps;
  if (!mail.smtpUrl) return false;
  const to = mail.to.approvers ?? (await operatorEmailsWithScope(tx, 'actions:approve'));
  const proposer = JSON.parse(action.proposed_by) as { type: string; name: string | null };
  return enqueue(deps, tx, {
    to,
    subject: `[Charter] Approval needed: ${action.kind} (${action.id})`,
    body: [
      `${proposer.name ?? proposer.type} proposes ${action.kind} ${action.params}.`,
      '',
      `Reason: ${action.reason}`,
      `Expires: ${new Date(action.expires_at).toISOString()}`,
      '',
      `Approve: POST /v1/actions/${action.id}/approve`,
      `Reject:  POST /v1/actions/${action.id}/reject { "reason": … }`,
    ].join('\n'),
    incidentId: action.incident_id,
    actionId: action.id,
  });
};

/** The mail queued for an incident or an action, with its state (tests, support). */
export const mailsOf = (db: Executor, ref: { incidentId?: string; actionId?: string }) =>
  findMailsOf(db, ref);

/** Mail waiting to be sent (the metrics' mail backlog). */
export const mailBacklog = (db: Executor) => countPendingMail(db);

export interface MailFailure {
  attempt: number;
  of: number;
  givenUp: boolean;
  message: string;
}

/** The timeline line of a failed send, with the catalog's code, so an operator sees why no mail came. */
export const mailFailureMessage = (failure: MailFailure) =>
  `NOTIFICATION_FAILED: ${catalog.NOTIFICATION_FAILED.title} (attempt ${failure.attempt} of ${failure.of}${
    failure.givenUp ? ', given up' : ', retrying'
  }): ${failure.message}`;
