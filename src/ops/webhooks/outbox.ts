// Delivering events to webhook endpoints (api.md "Webhooks"): the outbox (the events table, written in the
// transaction of each change) is fanned out to one delivery per subscribed endpoint, and senders claim due
// deliveries, POST them signed, and log every attempt. A sender that dies leaves its claim to lapse, and another
// process (or the restarted one) sends the delivery again: at least once, never lost.
import type { Database } from '../../db/connection.js';
import type { WebhookDeliveriesTable, WebhookDeliveryStatus } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { newId, randomUnit, secureRandomBytes } from '../../lib/random.js';
import { maxDeliveryAttempts, retryDelayMs } from '../../lib/retry-schedule.js';
import type { Sealer } from '../../lib/sealing.js';
import { parseRetryAfter, type SendOutcome, sendWebhook, webhookTimeoutMs } from './sender.js';
import { webhookHeaders } from './signature.js';
import {
  claimDueDeliveries,
  type DueDelivery,
  enabledWebhookEndpoints,
  findWebhookEndpoint,
  firstAttemptAt,
  insertAttempt,
  insertDeliveries,
  lockUndispatchedEvents,
  markEventsDispatched,
  recordEndpointOutcome,
  settleDelivery,
  updateWebhookEndpointRow,
} from './store.js';

export interface DeliveryDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  log: {
    info(object: object, message: string): void;
    warn(object: object, message: string): void;
  };
  allowPrivateTargets: boolean;
  /** Uniform in [0, 1): the retry jitter. */
  draw?: () => number;
}

/** How long a sender's claim holds a delivery: its request's limit and a margin for writing the outcome. */
export const claimMs = webhookTimeoutMs + 5_000;

// Claims name their process, so the log tells which sender held a delivery.
const processToken = secureRandomBytes(6).toString('hex');
let claims = 0;
export const newClaimToken = () => `${processToken}:${++claims}`;

const subscribes = (events: string[], type: string) => events.includes('*') || events.includes(type);

/**
 * Fans out up to `batch` waiting events to deliveries, in one transaction with marking them dispatched. An
 * endpoint receives the events created after it was. Answers how many events it took.
 */
export const fanOutEvents = (deps: Pick<DeliveryDeps, 'db' | 'clock'>, batch = 500): Promise<number> =>
  transaction(deps.db, async (tx) => {
    const events = await lockUndispatchedEvents(tx, deps.db.dialect, batch);
    if (events.length === 0) return 0;
    const endpoints = (await enabledWebhookEndpoints(tx)).map((endpoint) => ({
      id: endpoint.id,
      createdAt: endpoint.created_at,
      events: JSON.parse(endpoint.events) as string[],
    }));
    const nowMs = deps.clock.nowMs();
    const rows: WebhookDeliveriesTable[] = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.createdAt > event.created_at || !subscribes(endpoint.events, event.type)) continue;
        rows.push({
          id: newId('whd', nowMs),
          endpoint_id: endpoint.id,
          event_id: event.id,
          event_type: event.type,
          order_key: event.license_id ?? event.subject_id,
          status: 'pending',
          attempts: 0,
          max_attempts: maxDeliveryAttempts,
          next_attempt_at: nowMs,
          claimed_until: null,
          claim_token: null,
          last_status_code: null,
          last_error: null,
          delivered_at: null,
          created_at: nowMs,
          updated_at: nowMs,
        });
      }
    }
    await insertDeliveries(tx, rows);
    await markEventsDispatched(
      tx,
      events.map((event) => event.id),
    );
    return events.length;
  });

/** Claims up to `limit` due deliveries for this sender (see claimDueDeliveries for which are due). */
export const claimDeliveries = (
  deps: Pick<DeliveryDeps, 'db' | 'clock'>,
  limit: number,
  token: string,
): Promise<DueDelivery[]> => {
  const nowMs = deps.clock.nowMs();
  return transaction(deps.db, (tx) =>
    claimDueDeliveries(tx, deps.db.dialect, { nowMs, limit, until: nowMs + claimMs, token }),
  );
};

/** The body a delivery POSTs: `{ id, type, createdAt, data: { object } }`, the object as stored at the change. */
const eventBody = (delivery: DueDelivery): string =>
  `{"id":${JSON.stringify(delivery.event_id)},"type":${JSON.stringify(delivery.event_type)},"createdAt":"${new Date(
    delivery.event_created_at,
  ).toISOString()}","data":{"object":${delivery.data}}}`;

export interface AttemptResult {
  ok: boolean;
  status: WebhookDeliveryStatus;
  outcome: SendOutcome;
}

/** Answers whose Retry-After sets the next attempt (no earlier than it, within the retry period). */
const honoursRetryAfter = new Set([429, 502, 503, 504]);
/** The longest Retry-After honoured: the whole retry period of a delivery is about a day. */
const maxRetryAfterMs = 12 * 3_600_000;

/**
 * Sends one claimed delivery and records the attempt. A 2xx delivers it; 410 Gone disables the endpoint at once
 * (the receiver says it is gone for good) and fails the delivery; anything else (another status, a timeout, a
 * refused or unreachable target) is retried on the schedule until its last attempt, then it fails — no earlier than
 * a 429, 502, 503 or 504's Retry-After. An automatic last failure disables the endpoint when no attempt to it has
 * succeeded since this delivery's first.
 */
export const attemptDelivery = async (
  deps: DeliveryDeps,
  delivery: DueDelivery,
  token: string,
  mode: { automatic: boolean },
): Promise<AttemptResult> => {
  const startedAt = deps.clock.nowMs();
  const body = eventBody(delivery);
  const secret = deps.sealer.open(delivery.secret).toString('utf8');
  const outcome = await sendWebhook({
    url: delivery.url,
    headers: webhookHeaders(secret, delivery.event_id, Math.floor(startedAt / 1000), body),
    body,
    allowPrivate: deps.allowPrivateTargets,
  });
  const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const attempt = delivery.attempts + 1;
  const gone = outcome.statusCode === 410;
  const status: WebhookDeliveryStatus = ok
    ? 'delivered'
    : gone || attempt >= delivery.max_attempts
      ? 'failed'
      : 'pending';
  const finishedAt = deps.clock.nowMs();
  const error = ok ? null : (outcome.error ?? `answered ${outcome.statusCode}`);
  const scheduled = finishedAt + retryDelayMs(attempt, (deps.draw ?? randomUnit)());
  const retryAfterSeconds =
    outcome.statusCode !== null && honoursRetryAfter.has(outcome.statusCode)
      ? parseRetryAfter(outcome.retryAfter, finishedAt)
      : undefined;
  const asked =
    retryAfterSeconds === undefined ? 0 : finishedAt + Math.min(retryAfterSeconds * 1000, maxRetryAfterMs);
  await transaction(deps.db, async (tx) => {
    await insertAttempt(tx, {
      delivery_id: delivery.id,
      attempt,
      started_at: startedAt,
      status_code: outcome.statusCode,
      latency_ms: outcome.latencyMs,
      response_body: outcome.body,
      error,
    });
    const settled = await settleDelivery(tx, delivery.id, token, {
      status,
      attempts: attempt,
      last_status_code: outcome.statusCode,
      last_error: error,
      next_attempt_at: status === 'pending' ? Math.max(scheduled, asked) : finishedAt,
      ...(ok ? { delivered_at: finishedAt } : {}),
      updated_at: finishedAt,
    });
    // Another sender took the delivery over after this claim lapsed: the attempt is logged, its outcome is theirs.
    if (!settled) return;
    await recordEndpointOutcome(tx, delivery.endpoint_id, { ok, nowMs: startedAt });
    if (gone) await disableGoneEndpoint(deps, tx, delivery, finishedAt);
    else if (status === 'failed' && mode.automatic)
      await disableIfFailingThroughout(deps, tx, delivery, finishedAt);
  });
  deps.log.info(
    {
      deliveryId: delivery.id,
      endpointId: delivery.endpoint_id,
      eventId: delivery.event_id,
      attempt,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      status,
      ...(error ? { error } : {}),
    },
    'webhook attempt',
  );
  return { ok, status, outcome };
};

type Tx = Parameters<typeof findWebhookEndpoint>[0];

/** Disables an enabled endpoint with the reason: it gets no new deliveries until PATCH enabled: true. */
const disableEndpoint = async (
  deps: DeliveryDeps,
  tx: Tx,
  endpointId: string,
  delivery: DueDelivery,
  reason: string,
  nowMs: number,
) => {
  await updateWebhookEndpointRow(tx, endpointId, { enabled: 0, disabled_reason: reason, updated_at: nowMs });
  deps.log.warn({ endpointId, deliveryId: delivery.id, reason }, 'webhook endpoint disabled');
};

/** A 410 Gone: the receiver says the endpoint is gone for good. */
const disableGoneEndpoint = async (deps: DeliveryDeps, tx: Tx, delivery: DueDelivery, nowMs: number) => {
  const endpoint = await findWebhookEndpoint(tx, delivery.endpoint_id);
  if (endpoint?.enabled !== 1) return;
  await disableEndpoint(
    deps,
    tx,
    endpoint.id,
    delivery,
    `Answered 410 Gone to delivery ${delivery.id}`,
    nowMs,
  );
};

const disableIfFailingThroughout = async (
  deps: DeliveryDeps,
  tx: Tx,
  delivery: DueDelivery,
  nowMs: number,
) => {
  const endpoint = await findWebhookEndpoint(tx, delivery.endpoint_id);
  const first = await firstAttemptAt(tx, delivery.id);
  if (endpoint?.enabled !== 1 || endpoint.failing_since === null || first === undefined) return;
  if (endpoint.failing_since > first) return;
  const reason = `Every attempt failed since ${new Date(endpoint.failing_since).toISOString()}: delivery ${
    delivery.id
  } failed all ${delivery.max_attempts} attempts`;
  await disableEndpoint(deps, tx, endpoint.id, delivery, reason, nowMs);
};
