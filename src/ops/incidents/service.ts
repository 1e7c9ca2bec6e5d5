// Incidents (ops.md "Incidents"): problems someone should look at. Rules open them (engine.ts) — one open incident
// per rule and subject, whatever the number of evaluations or processes — and resolve them when the condition
// clears; operators acknowledge, resolve with a note, and add notes. Every change writes the timeline, an audit
// entry and an incident.* event in one transaction.
import { type AuditContext, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { IncidentsTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { readInPages } from '../../lib/yield.js';
import { type MailFailure, mailFailureMessage } from '../notifications/service.js';
import { presentIncident, presentIncidents } from './present.js';
import type { Actor, Incident, IncidentKind, IncidentStatus, Severity, TimelineEntry } from './schemas.js';
import {
  countIncidentsBy,
  findIncident,
  findOpenIncident,
  insertIncident,
  insertTimelineEntry,
  listIncidents,
  lockIncident,
  unresolvedOfKind,
  updateIncidentRow,
} from './store.js';

export interface IncidentDeps {
  db: Database;
  clock: Clock;
}

/** What a rule found: the incident to have open while the condition holds. */
export interface IncidentFinding {
  kind: IncidentKind;
  severity: Severity;
  title: string;
  subject: { type: string; id: string };
  details: Record<string, unknown>;
}

type Transition = 'acknowledge' | 'resolve';

/** The incident state machine, as data: which statuses each transition leaves from. */
const allowedFrom: Record<Transition, readonly IncidentStatus[]> = {
  acknowledge: ['open'],
  resolve: ['open', 'acknowledged'],
};

const assertTransition = (row: IncidentsTable, transition: Transition) => {
  const current = row.status as IncidentStatus;
  if (!allowedFrom[transition].includes(current))
    throw new AppError(
      'INVALID_TRANSITION',
      `Incident ${row.id} is ${current}; it cannot be ${transition === 'acknowledge' ? 'acknowledged' : 'resolved'}`,
      { currentStatus: current, attempted: transition },
    );
};

const openKeyOf = (kind: string, subject: { type: string; id: string }) =>
  `${kind}:${subject.type}:${subject.id}`;

const addEntry = (
  deps: IncidentDeps,
  tx: Executor,
  incidentId: string,
  type: TimelineEntry['type'],
  message: string,
  actor: Actor,
) => {
  const nowMs = deps.clock.nowMs();
  return insertTimelineEntry(tx, {
    id: newId('itl', nowMs),
    incident_id: incidentId,
    at: nowMs,
    type,
    message,
    actor: JSON.stringify(actor),
  });
};

const getIncidentIn = async (tx: Executor, id: string) => {
  const row = await findIncident(tx, id);
  if (!row) throw new AppError('NOT_FOUND', `No incident ${id}`);
  return presentIncident(tx, row);
};

/** Emits an incident.* event with the incident as it is now, and answers that incident (read once for both). */
const emitIncidentEvent = async (
  deps: IncidentDeps,
  tx: Executor,
  type: 'incident.opened' | 'incident.acknowledged' | 'incident.resolved',
  id: string,
): Promise<Incident> => {
  const incident = await getIncidentIn(tx, id);
  await emitEvent(tx, deps.clock.nowMs(), { type, subject: { type: 'incident', id }, object: incident });
  return incident;
};

const getRowOrThrow = async (deps: IncidentDeps, tx: Executor, id: string) => {
  const row = await lockIncident(tx, deps.db.dialect, id);
  if (!row) throw new AppError('NOT_FOUND', `No incident ${id}`);
  return row;
};

export const getIncident = async (deps: IncidentDeps, id: string): Promise<Incident> => {
  const row = await findIncident(deps.db.kysely, id);
  if (!row) throw new AppError('NOT_FOUND', `No incident ${id}`);
  return presentIncident(deps.db.kysely, row);
};

export const incidentPage = (
  deps: IncidentDeps,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: IncidentStatus | undefined;
    kind?: IncidentKind | undefined;
    severity?: Severity | undefined;
    subject?: string | undefined;
  },
) =>
  readPage(
    query,
    (window) =>
      listIncidents(deps.db.kysely, {
        before: window.after,
        status: query.status,
        kind: query.kind,
        severity: query.severity,
        subjectId: query.subject,
        limit: window.limit,
      }),
    (rows) => presentIncidents(deps.db.kysely, rows),
  );

/** POST /v1/incidents/{id}/acknowledge: someone owns it now; it no longer resolves itself. */
export const acknowledgeIncident = (deps: IncidentDeps, caller: Caller, id: string): Promise<Incident> =>
  transaction(deps.db, async (tx) => {
    const row = await getRowOrThrow(deps, tx, id);
    assertTransition(row, 'acknowledge');
    const nowMs = deps.clock.nowMs();
    const actor = caller.audit.actor;
    await updateIncidentRow(tx, id, {
      status: 'acknowledged',
      acknowledged_at: nowMs,
      acknowledged_by: JSON.stringify(actor),
      updated_at: nowMs,
    });
    await addEntry(deps, tx, id, 'acknowledged', `Acknowledged by ${actor.name ?? actor.type}`, actor);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'incident.acknowledge',
      target: { type: 'incident', id },
      changes: { status: [row.status, 'acknowledged'] },
    });
    return emitIncidentEvent(deps, tx, 'incident.acknowledged', id);
  });

const markResolved = async (
  deps: IncidentDeps,
  tx: Executor,
  row: IncidentsTable,
  audit: AuditContext,
  message: string,
) => {
  const nowMs = deps.clock.nowMs();
  const actor = audit.actor;
  await updateIncidentRow(tx, row.id, {
    status: 'resolved',
    open_key: null,
    resolved_at: nowMs,
    resolved_by: JSON.stringify(actor),
    updated_at: nowMs,
  });
  await addEntry(deps, tx, row.id, 'resolved', message, actor);
  await recordAudit(tx, deps.clock, audit, {
    action: 'incident.resolve',
    target: { type: 'incident', id: row.id },
    changes: { status: [row.status, 'resolved'] },
  });
  return emitIncidentEvent(deps, tx, 'incident.resolved', row.id);
};

/** POST /v1/incidents/{id}/resolve: closed by an operator, with an optional note on the timeline. */
export const resolveIncident = (
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  note: string | undefined,
): Promise<Incident> =>
  transaction(deps.db, async (tx) => {
    const row = await getRowOrThrow(deps, tx, id);
    assertTransition(row, 'resolve');
    const actor = caller.audit.actor;
    return markResolved(deps, tx, row, caller.audit, note ?? `Resolved by ${actor.name ?? actor.type}`);
  });

/** POST /v1/incidents/{id}/notes: a note on the timeline, in any status (a resolved one keeps its post-mortem). */
export const addIncidentNote = (
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  message: string,
): Promise<Incident> =>
  transaction(deps.db, async (tx) => {
    await getRowOrThrow(deps, tx, id);
    await addEntry(deps, tx, id, 'note', message, caller.audit.actor);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'incident.note',
      target: { type: 'incident', id },
    });
    return getIncidentIn(tx, id);
  });

/**
 * Opens the finding's incident inside the caller's transaction unless one is open for the same rule and subject
 * (then that one answers, created: false). The unique open key settles a race between processes: the second
 * insert does nothing.
 */
export const openIncident = async (
  deps: IncidentDeps,
  tx: Executor,
  finding: IncidentFinding,
  audit: AuditContext,
): Promise<{ row: IncidentsTable; created: boolean }> => {
  const openKey = openKeyOf(finding.kind, finding.subject);
  const existing = await findOpenIncident(tx, openKey);
  if (existing) return { row: existing, created: false };
  const nowMs = deps.clock.nowMs();
  const row: IncidentsTable = {
    id: newId('inc', nowMs),
    kind: finding.kind,
    severity: finding.severity,
    status: 'open',
    title: finding.title,
    subject_type: finding.subject.type,
    subject_id: finding.subject.id,
    details: JSON.stringify(finding.details),
    open_key: openKey,
    opened_at: nowMs,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    resolved_by: null,
    updated_at: nowMs,
  };
  if (!(await insertIncident(tx, row))) {
    const winner = await findOpenIncident(tx, openKey);
    if (winner) return { row: winner, created: false };
    throw new AppError('CONFLICT', `Incident ${openKey} changed while it was being opened; evaluate again`);
  }
  await addEntry(deps, tx, row.id, 'opened', finding.title, audit.actor);
  await recordAudit(tx, deps.clock, audit, {
    action: 'incident.open',
    target: { type: 'incident', id: row.id },
    changes: { status: [null, 'open'] },
  });
  await emitIncidentEvent(deps, tx, 'incident.opened', row.id);
  return { row, created: true };
};

/** Resolves, inside the caller's transaction, an incident a rule opened once its condition cleared. */
export const resolveClearedIncident = async (
  deps: IncidentDeps,
  tx: Executor,
  row: IncidentsTable,
  audit: AuditContext,
  message: string,
): Promise<void> => {
  const current = await lockIncident(tx, deps.db.dialect, row.id);
  if (!current || current.status === 'resolved') return;
  await markResolved(deps, tx, current, audit, message);
};

/** The incidents of a rule not yet resolved, so it can tell which have cleared. */
export const unresolvedIncidents = (db: Executor, kind: IncidentKind): Promise<IncidentsTable[]> =>
  // In pages with a turn of the event loop between them (SQLite reads on it): thousands may be open at once.
  readInPages((last: IncidentsTable | undefined, size) =>
    unresolvedOfKind(db, kind, last?.open_key ?? undefined, size),
  );

/** A line on an incident's timeline written by another part of the system (a mail that failed, an action). */
export const noteOnTimeline = (
  deps: IncidentDeps,
  tx: Executor,
  incidentId: string,
  type: 'action_proposed' | 'notification_failed',
  message: string,
  actor: Actor,
) => addEntry(deps, tx, incidentId, type, message, actor);

export const incidentExists = async (db: Executor, id: string): Promise<boolean> =>
  (await findIncident(db, id)) !== undefined;

/** Unresolved incidents counted by kind, severity and status (the metrics). */
export const unresolvedIncidentCounts = async (db: Executor) =>
  (await countIncidentsBy(db)).map((row) => ({
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    count: Number(row.count),
  }));

/**
 * The mail worker's `failed`: a mail about an incident that could not be sent is said on that incident's
 * timeline, with the catalog's NOTIFICATION_FAILED.
 */
export const noteMailFailure =
  (deps: IncidentDeps) =>
  async (tx: Executor, mail: { incident_id: string | null }, failure: MailFailure): Promise<void> => {
    if (!mail.incident_id) return;
    await noteOnTimeline(deps, tx, mail.incident_id, 'notification_failed', mailFailureMessage(failure), {
      type: 'system',
      id: null,
      name: 'notification mail',
    });
  };
