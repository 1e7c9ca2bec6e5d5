// Domain events (api.md "Webhooks", its event list): written in the same transaction as the change they
// describe, so the outbox that delivers them never misses one and never sends one for a change rolled back.
import type { DialectName } from '../db/connection.js';
import type { EventsTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { newId } from '../lib/random.js';
import {
  insertEvents,
  listEvents,
  lockJobMark as lockJobMarkRow,
  setJobMark as setJobMarkRow,
} from './store.js';

/**
 * A background scan's position (name → last time and id handled), locked for the caller's transaction so two
 * processes never scan the same stretch; made at `initial` (nothing before it) the first time.
 */
export const lockJobMark = (
  db: Executor,
  dialect: DialectName,
  name: string,
  initial: number,
): Promise<{ at: number; afterId: string }> => lockJobMarkRow(db, dialect, name, initial);

/** Moves a scan's position on, in the transaction that holds its lock. */
export const setJobMark = (db: Executor, name: string, mark: { at: number; afterId: string }) =>
  setJobMarkRow(db, name, mark);

export const eventTypes = [
  'license.created',
  'license.updated',
  'license.suspended',
  'license.reinstated',
  'license.revoked',
  'license.renewed',
  'license.expired',
  'license.expiring_soon',
  'license.transferred',
  'license.deleted',
  'license.machine_limit_reached',
  'machine.activated',
  'machine.deactivated',
  'machine.heartbeat_dead',
  'lease.checked_out',
  'lease.released',
  'lease.expired',
  'lease.denied',
  'consumption.limit_reached',
  'order.created',
  'customer.created',
  'customer.updated',
  'monitor.server_down',
  'monitor.server_up',
  'monitor.feature_saturated',
  'incident.opened',
  'incident.acknowledged',
  'incident.resolved',
  'action.proposed',
  'action.approved',
  'action.rejected',
  'action.executed',
  'action.failed',
  'webhook.test',
] as const;
export type EventType = (typeof eventTypes)[number];

export interface DomainEvent {
  type: EventType;
  subject: { type: string; id: string };
  /** The license the event concerns, when there is one: deliveries keep order per license. */
  licenseId?: string | null;
  /** The event's data.object: the resource as the API answers it. */
  object: unknown;
}

const toRow = (event: DomainEvent, nowMs: number): EventsTable => ({
  id: newId('evt', nowMs),
  type: event.type,
  subject_type: event.subject.type,
  subject_id: event.subject.id,
  license_id: event.licenseId ?? null,
  data: JSON.stringify(event.object),
  created_at: nowMs,
  dispatched: 0,
});

/** Records events inside the caller's transaction (`db` is the open transaction). */
export const emitEvents = (db: Executor, nowMs: number, events: DomainEvent[]): Promise<void> =>
  insertEvents(
    db,
    events.map((event) => toRow(event, nowMs)),
  );

export const emitEvent = (db: Executor, nowMs: number, event: DomainEvent): Promise<void> =>
  emitEvents(db, nowMs, [event]);

/** Events as webhooks carry them: `{ id, type, createdAt, data: { object } }`. */
export const recentEvents = async (
  db: Executor,
  filter: {
    type?: EventType | undefined;
    licenseId?: string | undefined;
    after?: string | undefined;
    limit: number;
  },
) =>
  (await listEvents(db, filter)).map((row) => ({
    id: row.id,
    type: row.type as EventType,
    createdAt: new Date(row.created_at).toISOString(),
    data: { object: JSON.parse(row.data) as unknown },
  }));
