// An incident as the API answers it: its row with the timeline read for all incidents of a page at once.
import type { IncidentsTable, IncidentTimelineTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { isoOrNull } from '../../lib/clock.js';
import type { Actor, Incident, IncidentKind, IncidentStatus, Severity, TimelineEntry } from './schemas.js';
import { timelinesOf } from './store.js';

const parseActor = (text: string | null): Actor | null =>
  text === null ? null : (JSON.parse(text) as Actor);

const toTimelineEntry = (row: IncidentTimelineTable): TimelineEntry => ({
  at: new Date(row.at).toISOString(),
  type: row.type as TimelineEntry['type'],
  message: row.message,
  actor: JSON.parse(row.actor) as Actor,
});

export const toIncident = (row: IncidentsTable, timeline: IncidentTimelineTable[]): Incident => ({
  id: row.id,
  kind: row.kind as IncidentKind,
  severity: row.severity as Severity,
  status: row.status as IncidentStatus,
  title: row.title,
  subject: { type: row.subject_type, id: row.subject_id },
  details: JSON.parse(row.details) as Record<string, unknown>,
  openedAt: new Date(row.opened_at).toISOString(),
  acknowledgedAt: isoOrNull(row.acknowledged_at),
  acknowledgedBy: parseActor(row.acknowledged_by),
  resolvedAt: isoOrNull(row.resolved_at),
  resolvedBy: parseActor(row.resolved_by),
  timeline: timeline.map(toTimelineEntry),
});

/** Incidents as answered, with their timelines read for all rows at once. */
export const presentIncidents = async (db: Executor, rows: IncidentsTable[]): Promise<Incident[]> => {
  const entries = await timelinesOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    toIncident(
      row,
      entries.filter((entry) => entry.incident_id === row.id),
    ),
  );
};

export const presentIncident = async (db: Executor, row: IncidentsTable): Promise<Incident> => {
  const [incident] = await presentIncidents(db, [row]);
  if (!incident) throw new Error('unreachable');
  return incident;
};
