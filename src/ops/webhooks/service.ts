// Webhook endpoints: where events are delivered, which types, and the secret that signs them (shown once, sealed
// at rest). An endpoint receives events of every product, so a credential restricted to products may not manage
// them (403 FORBIDDEN). Targets pass the private-address guard (targets.ts) when saved.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { WebhookEndpointsTable } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import type { CreateWebhookEndpoint, UpdateWebhookEndpoint, WebhookEndpoint } from './schemas.js';
import { sendWebhook } from './sender.js';
import { newWebhookSecret, webhookHeaders } from './signature.js';
import {
  deleteDeliveriesOfEndpoint,
  deleteWebhookEndpointRow,
  enabledEndpoints,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  recentAttemptedDeliveries,
  updateWebhookEndpointRow,
} from './store.js';
import { targetRefusal } from './targets.js';

export interface WebhookDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  allowPrivateTargets: boolean;
}

const toEndpoint = (row: WebhookEndpointsTable): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  events: JSON.parse(row.events) as string[],
  description: row.description,
  enabled: row.enabled === 1,
  disabledReason: row.disabled_reason,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const assertTarget = async (deps: WebhookDeps, url: string) => {
  const refusal = await targetRefusal(url, deps.allowPrivateTargets);
  if (refusal) {
    throw new AppError('VALIDATION_ERROR', `The webhook target is refused: ${refusal}`, {
      location: 'body',
      issues: [{ path: ['url'], message: refusal, code: 'custom' }],
    });
  }
};

export const createWebhookEndpoint = async (
  deps: WebhookDeps,
  caller: Caller,
  input: CreateWebhookEndpoint,
) => {
  await assertTarget(deps, input.url);
  const now = deps.clock.nowMs();
  const secret = newWebhookSecret();
  const row: WebhookEndpointsTable = {
    id: newId('whe', now),
    url: input.url,
    description: input.description ?? null,
    events: JSON.stringify(input.events),
    secret: deps.sealer.seal(secret),
    enabled: input.enabled ? 1 : 0,
    disabled_reason: null,
    created_at: now,
    updated_at: now,
    failing_since: null,
    last_success_at: null,
  };
  await transaction(deps.db, async (tx) => {
    await insertWebhookEndpoint(tx, row);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'webhook_endpoint.create',
      target: { type: 'webhook_endpoint', id: row.id },
      changes: { url: [null, row.url], events: [null, input.events] },
    });
  });
  return { ...toEndpoint(row), secret };
};

export const endpointOrThrow = async (db: Database['kysely'], id: string) => {
  const row = await findWebhookEndpoint(db, id);
  if (!row) throw new AppError('NOT_FOUND', `No webhook endpoint ${id}`);
  return row;
};

export const getWebhookEndpoint = async (deps: WebhookDeps, id: string) => {
  return toEndpoint(await endpointOrThrow(deps.db.kysely, id));
};

export const webhookEndpointPage = async (
  deps: WebhookDeps,
  query: { limit: number; cursor?: string | undefined },
) => {
  return readPage(
    query,
    (window) => listWebhookEndpoints(deps.db.kysely, { after: window.after, limit: window.limit }),
    (rows) => rows.map((row) => toEndpoint(row)),
  );
};

export const updateWebhookEndpoint = async (
  deps: WebhookDeps,
  caller: Caller,
  id: string,
  patch: UpdateWebhookEndpoint,
) => {
  if (patch.url) await assertTarget(deps, patch.url);
  return transaction(deps.db, async (tx) => {
    const row = await endpointOrThrow(tx, id);
    const next: WebhookEndpointsTable = {
      ...row,
      ...(patch.url ? { url: patch.url } : {}),
      ...(patch.events ? { events: JSON.stringify(patch.events) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      // Enabling again clears why it was disabled.
      ...(patch.enabled !== undefined
        ? { enabled: patch.enabled ? 1 : 0, disabled_reason: null, failing_since: null }
        : {}),
      updated_at: deps.clock.nowMs(),
    };
    await updateWebhookEndpointRow(tx, id, next);
    const before = toEndpoint(row);
    const after = toEndpoint(next);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'webhook_endpoint.update',
      target: { type: 'webhook_endpoint', id },
      changes: diff(before, {
        url: after.url,
        events: after.events,
        description: after.description,
        enabled: after.enabled,
      }),
    });
    return after;
  });
};

export const deleteWebhookEndpoint = async (deps: WebhookDeps, caller: Caller, id: string) => {
  await transaction(deps.db, async (tx) => {
    const row = await endpointOrThrow(tx, id);
    // Its deliveries go with it: none is sent to an endpoint that no longer exists.
    await deleteDeliveriesOfEndpoint(tx, id);
    await deleteWebhookEndpointRow(tx, id);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'webhook_endpoint.delete',
      target: { type: 'webhook_endpoint', id },
      changes: { url: [row.url, null] },
    });
  });
};

/**
 * Each enabled endpoint with its last `count` attempted deliveries, newest first (delivered, or failed so far: its
 * last attempt failed): what the webhook_failing rule reads.
 */
export const recentDeliveryOutcomes = async (deps: Pick<WebhookDeps, 'db'>, count: number) => {
  const endpoints = await enabledEndpoints(deps.db.kysely);
  return Promise.all(
    endpoints.map(async (endpoint) => ({
      endpoint,
      deliveries: (await recentAttemptedDeliveries(deps.db.kysely, endpoint.id, count)).map((row) => ({
        id: row.id,
        delivered: row.status === 'delivered',
        lastStatusCode: row.last_status_code,
        lastError: row.last_error,
      })),
    })),
  );
};

/**
 * POST /v1/webhook-endpoints/{id}/test: sends a signed `webhook.test` event to this endpoint now (enabled or not, so
 * a receiver can be checked before it is re-enabled) and answers what came back. Nothing is queued or retried.
 */
export const testWebhookEndpoint = async (deps: WebhookDeps, caller: Caller, id: string) => {
  const row = await endpointOrThrow(deps.db.kysely, id);
  const nowMs = deps.clock.nowMs();
  const eventId = newId('evt', nowMs);
  const body = JSON.stringify({
    id: eventId,
    type: 'webhook.test',
    createdAt: new Date(nowMs).toISOString(),
    data: { object: { endpointId: row.id, message: 'A test event sent on request; it changes nothing.' } },
  });
  const outcome = await sendWebhook({
    url: row.url,
    headers: webhookHeaders(
      deps.sealer.open(row.secret).toString('utf8'),
      eventId,
      Math.floor(nowMs / 1000),
      body,
    ),
    body,
    allowPrivate: deps.allowPrivateTargets,
  });
  await transaction(deps.db, (tx) =>
    recordAudit(tx, deps.clock, caller.audit, {
      action: 'webhook_endpoint.test',
      target: { type: 'webhook_endpoint', id },
    }),
  );
  return {
    eventId,
    delivered: outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300,
    statusCode: outcome.statusCode,
    latencyMs: outcome.latencyMs,
    responseBody: outcome.body,
    error: outcome.error,
  };
};
