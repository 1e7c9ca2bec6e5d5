// The webhook outbox's Prometheus metric: work waiting (undispatched events, pending deliveries), read at scrape.
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/connection.js';
import { webhookBacklog } from './store.js';

export const createWebhookMetrics = (deps: { db: Database }, registry: Registry) => {
  const backlog = new Gauge({
    name: 'charter_webhook_backlog',
    help: 'Outbound webhook work waiting: undispatched events and pending deliveries',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return {
    refresh: async () => {
      const waiting = await webhookBacklog(deps.db.kysely);
      backlog.set({ kind: 'undispatched_events' }, waiting.undispatchedEvents);
      backlog.set({ kind: 'pending_deliveries' }, waiting.pendingDeliveries);
    },
  };
};
