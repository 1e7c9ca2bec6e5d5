// The delivery log behind the deliveries routes: an endpoint's deliveries with their attempt logs, and a manual
// retry that sends one now and waits for the answer (502 NOTIFICATION_FAILED when it fails). Sending itself is
// the outbox's (outbox.ts).

import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import { readPage } from '../../db/pagination.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { isoOrNull } from '../../lib/clock.js';
import { attemptDelivery, claimMs, type DeliveryDeps, newClaimToken } from './outbox.js';
import type { WebhookDelivery } from './schemas.js';
import { endpointOrThrow } from './service.js';
import {
  attemptsOf,
  claimForManualAttempt,
  deliveriesForSending,
  findDelivery,
  listDeliveries,
} from './store.js';

const toDelivery = (row: WebhookDeliveriesTable, attempts: WebhookAttemptsTable[]): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  nextAttemptAt: row.status === 'pending' ? isoOrNull(row.next_attempt_at) : null,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  deliveredAt: isoOrNull(row.delivered_at),
  attemptLog: attempts.map((attempt) => ({
    attempt: attempt.attempt,
    at: new Date(attempt.started_at).toISOString(),
    statusCode: attempt.status_code,
    latencyMs: attempt.latency_ms,
    responseBody: attempt.response_body,
    error: attempt.error,
  })),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const present = async (db: Executor, rows: WebhookDeliveriesTable[]) => {
  const attempts = await attemptsOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    toDelivery(
      row,
      attempts.filter((attempt) => attempt.delivery_id === row.id),
    ),
  );
};

export const deliveryPage = async (
  deps: DeliveryDeps,
  endpointId: string,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: WebhookDeliveriesTable['status'] | undefined;
    eventType?: string | undefined;
  },
) => {
  const db = deps.db.kysely;
  await endpointOrThrow(db, endpointId);
  return readPage(
    query,
    (window) =>
      listDeliveries(db, {
        endpointId,
        status: query.status,
        eventType: query.eventType,
        after: window.after,
        limit: window.limit,
      }),
    (rows) => present(db, rows),
  );
};

const deliveryOrThrow = async (deps: DeliveryDeps, db: Executor, id: string, lock = false) => {
  const row = await findDelivery(db, deps.db.dialect, id, { lock });
  if (!row) throw new AppError('NOT_FOUND', `No webhook delivery ${id}`);
  return row;
};

export const getDelivery = async (deps: DeliveryDeps, id: string) => {
  const [delivery] = await present(deps.db.kysely, [await deliveryOrThrow(deps, deps.db.kysely, id)]);
  if (!delivery) throw new Error('unreachable');
  return delivery;
};

/**
 * POST /v1/webhook-deliveries/{id}/retry: one attempt now, whatever the delivery's state (a failed one, one waiting
 * for its next try, or a delivered one sent again), to the endpoint even if it is disabled. 409 CONFLICT while a
 * sender holds it.
 */
export const retryDelivery = async (deps: DeliveryDeps, caller: Caller, id: string) => {
  const token = newClaimToken();
  const claimed = await transaction(deps.db, async (tx) => {
    const row = await deliveryOrThrow(deps, tx, id, true);
    const nowMs = deps.clock.nowMs();
    if (row.claimed_until !== null && row.claimed_until >= nowMs) {
      throw new AppError('CONFLICT', `Webhook delivery ${id} is being sent now; retry when it is done`);
    }
    await claimForManualAttempt(tx, row, { nowMs, until: nowMs + claimMs, token });
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'webhook_delivery.retry',
      target: { type: 'webhook_delivery', id },
      changes: { status: [row.status, 'pending'] },
    });
    const [due] = await deliveriesForSending(tx, [id]);
    if (!due) throw new AppError('NOT_FOUND', `Webhook delivery ${id} has no event any more`);
    return due;
  });
  const result = await attemptDelivery(deps, claimed, token, { automatic: false });
  const delivery = await getDelivery(deps, id);
  if (!result.ok) {
    throw new AppError(
      'NOTIFICATION_FAILED',
      `The endpoint did not accept delivery ${id}: ${result.outcome.error ?? `answered ${result.outcome.statusCode}`}`,
      { delivery },
    );
  }
  return delivery;
};
