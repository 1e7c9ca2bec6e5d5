// SQL of webhook endpoints, the outbox's fan-out, deliveries and their attempts.
import { sql } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type {
  EventsTable,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookDeliveryStatus,
  WebhookEndpointsTable,
} from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertWebhookEndpoint = async (db: Executor, row: WebhookEndpointsTable): Promise<void> => {
  await db.insertInto('webhook_endpoints').values(row).execute();
};

export const findWebhookEndpoint = (db: Executor, id: string): Promise<WebhookEndpointsTable | undefined> =>
  db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();

export const listWebhookEndpoints = (
  db: Executor,
  filter: { after?: string | undefined; limit: number },
): Promise<WebhookEndpointsTable[]> => {
  let query = db.selectFrom('webhook_endpoints').selectAll();
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateWebhookEndpointRow = async (
  db: Executor,
  id: string,
  patch: Partial<WebhookEndpointsTable>,
): Promise<void> => {
  await db.updateTable('webhook_endpoints').set(patch).where('id', '=', id).execute();
};

export const deleteDeliveriesOfEndpoint = async (db: Executor, endpointId: string): Promise<void> => {
  const deliveries = db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId);
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
  await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', endpointId).execute();
};

export const deleteWebhookEndpointRow = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
};

// The outbox: events not yet fanned out to deliveries, oldest first. On PostgreSQL several processes share the
// work: each locks its batch and skips rows another holds.
export const lockUndispatchedEvents = (
  db: Executor,
  dialect: DialectName,
  limit: number,
): Promise<Pick<EventsTable, 'id' | 'type' | 'subject_id' | 'license_id' | 'created_at'>[]> => {
  const query = db
    .selectFrom('events')
    .select(['id', 'type', 'subject_id', 'license_id', 'created_at'])
    .where('dispatched', '=', 0)
    .orderBy('id')
    .limit(limit);
  return dialect === 'postgres' ? query.forUpdate().skipLocked().execute() : query.execute();
};

export const markEventsDispatched = async (db: Executor, ids: string[]): Promise<void> => {
  if (ids.length > 0) await db.updateTable('events').set({ dispatched: 1 }).where('id', 'in', ids).execute();
};

export const enabledWebhookEndpoints = (
  db: Executor,
): Promise<Pick<WebhookEndpointsTable, 'id' | 'events' | 'created_at'>[]> =>
  db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events', 'created_at'])
    .where('enabled', '=', 1)
    .execute();

export const insertDeliveries = async (db: Executor, rows: WebhookDeliveriesTable[]): Promise<void> => {
  // 17 columns a row: 50 rows stay far under both engines' bound-parameter limits.
  for (let start = 0; start < rows.length; start += 50) {
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(start, start + 50))
      .onConflict((conflict) => conflict.columns(['endpoint_id', 'event_id']).doNothing())
      .execute();
  }
};

/** A delivery due now with what sending it needs: the event's data and the endpoint's target and sealed secret. */
export interface DueDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  attempts: number;
  max_attempts: number;
  status: WebhookDeliveryStatus;
  url: string;
  secret: string;
  data: string;
  event_created_at: number;
}

const dueDeliveryColumns = [
  'd.id',
  'd.endpoint_id',
  'd.event_id',
  'd.event_type',
  'd.attempts',
  'd.max_attempts',
  'd.status',
  'e.url',
  'e.secret',
  'ev.data',
  'ev.created_at as event_created_at',
] as const;

/**
 * Claims up to `limit` deliveries due at `nowMs` (inside the caller's transaction): pending, unclaimed or with a
 * lapsed claim, to an enabled endpoint, and first in line for their order key (no earlier event of the same key is
 * still pending for that endpoint). On PostgreSQL rows another process is claiming are skipped.
 */
export const claimDueDeliveries = async (
  db: Executor,
  dialect: DialectName,
  claim: { nowMs: number; limit: number; until: number; token: string },
): Promise<DueDelivery[]> => {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select('d.id')
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', claim.nowMs)
    .where('e.enabled', '=', 1)
    .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', claim.nowMs)]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as p')
            .select(sql.lit(1).as('one'))
            .whereRef('p.endpoint_id', '=', 'd.endpoint_id')
            .whereRef('p.order_key', '=', 'd.order_key')
            .where('p.status', '=', 'pending')
            .whereRef('p.event_id', '<', 'd.event_id'),
        ),
      ),
    )
    .orderBy('d.next_attempt_at')
    .limit(claim.limit);
  if (dialect === 'postgres') query = query.forUpdate('d').skipLocked();
  const ids = (await query.execute()).map((row) => row.id);
  if (ids.length === 0) return [];
  await db
    .updateTable('webhook_deliveries')
    .set({ claimed_until: claim.until, claim_token: claim.token })
    .where('id', 'in', ids)
    .execute();
  return deliveriesForSending(db, ids);
};

export const deliveriesForSending = (db: Executor, ids: string[]): Promise<DueDelivery[]> =>
  db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .innerJoin('events as ev', 'ev.id', 'd.event_id')
    .select(dueDeliveryColumns)
    .where('d.id', 'in', ids)
    .orderBy('d.event_id')
    .execute();

export const insertAttempt = async (db: Executor, row: WebhookAttemptsTable): Promise<void> => {
  await db
    .insertInto('webhook_attempts')
    .values(row)
    .onConflict((conflict) => conflict.columns(['delivery_id', 'attempt']).doNothing())
    .execute();
};

/** Applies an attempt's outcome if the claim `token` still holds the delivery; answers whether it did. */
export const settleDelivery = async (
  db: Executor,
  id: string,
  token: string,
  patch: Partial<WebhookDeliveriesTable>,
): Promise<boolean> => {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...patch, claimed_until: null, claim_token: null })
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
};

export const findDelivery = (
  db: Executor,
  dialect: DialectName,
  id: string,
  options: { lock?: boolean } = {},
): Promise<WebhookDeliveriesTable | undefined> => {
  const query = db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id);
  return (options.lock && dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
};

/** Takes a delivery for a manual attempt now: pending again, one more attempt allowed, claimed by `token`. */
export const claimForManualAttempt = async (
  db: Executor,
  row: WebhookDeliveriesTable,
  claim: { nowMs: number; until: number; token: string },
): Promise<void> => {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      max_attempts: Math.max(row.max_attempts, row.attempts + 1),
      next_attempt_at: claim.nowMs,
      claimed_until: claim.until,
      claim_token: claim.token,
      updated_at: claim.nowMs,
    })
    .where('id', '=', row.id)
    .execute();
};

export const listDeliveries = (
  db: Executor,
  filter: {
    endpointId: string;
    status?: WebhookDeliveryStatus | undefined;
    eventType?: string | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<WebhookDeliveriesTable[]> => {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', filter.endpointId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.eventType) query = query.where('event_type', '=', filter.eventType);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const attemptsOf = (db: Executor, deliveryIds: string[]): Promise<WebhookAttemptsTable[]> =>
  deliveryIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', 'in', deliveryIds)
        .orderBy('delivery_id')
        .orderBy('attempt')
        .execute();

export const firstAttemptAt = async (db: Executor, deliveryId: string): Promise<number | undefined> =>
  (
    await db
      .selectFrom('webhook_attempts')
      .select('started_at')
      .where('delivery_id', '=', deliveryId)
      .where('attempt', '=', 1)
      .executeTakeFirst()
  )?.started_at;

/** The endpoint's health after an attempt: a success ends a run of failures, a failure starts one if none runs. */
export const recordEndpointOutcome = async (
  db: Executor,
  id: string,
  outcome: { ok: boolean; nowMs: number },
): Promise<void> => {
  const update = db.updateTable('webhook_endpoints').where('id', '=', id);
  if (outcome.ok) {
    await update.set({ failing_since: null, last_success_at: outcome.nowMs }).execute();
  } else {
    await update.set({ failing_since: outcome.nowMs }).where('failing_since', 'is', null).execute();
  }
};

/** Events fanned out before `beforeMs`, with their finished deliveries and attempts, are removed. */
export const pruneDeliveredEvents = async (
  db: Executor,
  beforeMs: number,
  limit: number,
): Promise<number> => {
  const ids = (
    await db
      .selectFrom('events')
      .select('id')
      .where('created_at', '<', beforeMs)
      .where('dispatched', '=', 1)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('webhook_deliveries as d')
              .select(sql.lit(1).as('one'))
              .whereRef('d.event_id', '=', 'events.id')
              .where('d.status', '=', 'pending'),
          ),
        ),
      )
      .orderBy('created_at')
      .limit(limit)
      .execute()
  ).map((row) => row.id);
  if (ids.length === 0) return 0;
  const deliveries = db.selectFrom('webhook_deliveries').select('id').where('event_id', 'in', ids);
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
  await db.deleteFrom('webhook_deliveries').where('event_id', 'in', ids).execute();
  await db.deleteFrom('events').where('id', 'in', ids).execute();
  return ids.length;
};

/** The outbox's backlog: events not yet fanned out, and deliveries waiting to be sent. */
export const webhookBacklog = async (db: Executor) => {
  const [events, deliveries] = await Promise.all([
    db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('dispatched', '=', 0)
      .executeTakeFirst(),
    db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status', '=', 'pending')
      .executeTakeFirst(),
  ]);
  return {
    undispatchedEvents: Number(events?.count ?? 0),
    pendingDeliveries: Number(deliveries?.count ?? 0),
  };
};

/** The enabled endpoints' ids and urls. */
export const enabledEndpoints = (db: Executor) =>
  db.selectFrom('webhook_endpoints').select(['id', 'url']).where('enabled', '=', 1).execute();

/** An endpoint's last `limit` deliveries that were attempted, newest first: whether the last attempt succeeded. */
export const recentAttemptedDeliveries = (db: Executor, endpointId: string, limit: number) =>
  db
    .selectFrom('webhook_deliveries')
    .select(['id', 'status', 'last_status_code', 'last_error', 'updated_at'])
    .where('endpoint_id', '=', endpointId)
    .where('attempts', '>', 0)
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
