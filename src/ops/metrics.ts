// GET /metrics (api.md "Service", monitor.md "API"): Prometheus text from a registry of this app (not the global
// one: tests build several apps in one process). The process's own metrics, HTTP request counts and latency by
// route and status, validations by result code, monitor poll durations, and, read at scrape time, the monitored
// features, Charter's own floating pools (server="charter") and the webhook backlog. monitor:read unless
// CHARTER_METRICS_PUBLIC=true.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { requireScope } from '../access/scopes.js';
import type { Database } from '../db/connection.js';
import { publicRoute } from '../http/route-rules.js';
import type { Clock } from '../lib/clock.js';
import { charterPoolUsage } from '../licensing/floating/pools.js';
import { charterServerId } from '../monitor/charter-pools.js';
import type { Snapshot } from '../monitor/parsers/snapshot.js';
import { allServers } from '../monitor/store.js';
import { webhookBacklog } from './webhooks/store.js';

export const createMetrics = (deps: { db: Database; clock: Clock }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const pollDuration = new Histogram({
    name: 'charter_monitor_poll_duration_seconds',
    help: 'License server polls, by server and outcome',
    labelNames: ['server', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });

  const issued = new Gauge({
    name: 'charter_monitor_feature_issued',
    help: 'Licenses issued per feature (uncounted features are absent)',
    labelNames: ['server', 'feature'] as const,
    registers: [registry],
  });
  const inUse = new Gauge({
    name: 'charter_monitor_feature_in_use',
    help: 'Licenses in use per feature, as the server reports it (server="charter": Charter’s own pools)',
    labelNames: ['server', 'feature'] as const,
    registers: [registry],
  });
  const serverUp = new Gauge({
    name: 'charter_monitor_server_up',
    help: '1 while a monitored server answers (up or degraded), else 0',
    labelNames: ['server'] as const,
    registers: [registry],
  });
  const validations = new Counter({
    name: 'charter_validations_total',
    help: 'License validations answered, by result code (VALID or the refusal)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const backlog = new Gauge({
    name: 'charter_webhook_backlog',
    help: 'Outbound webhook work waiting: undispatched events and pending deliveries',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  /** Reads what the gauges show, once per scrape. */
  const refresh = async () => {
    const db = deps.db.kysely;
    const [servers, pools, waiting] = await Promise.all([
      allServers(db),
      charterPoolUsage(db, { nowMs: deps.clock.nowMs(), denialsFrom: deps.clock.nowMs() }),
      webhookBacklog(db),
    ]);
    issued.reset();
    inUse.reset();
    serverUp.reset();
    for (const server of servers) {
      serverUp.set({ server: server.id }, server.status === 'up' || server.status === 'degraded' ? 1 : 0);
      if (!server.snapshot) continue;
      for (const feature of (JSON.parse(server.snapshot) as Snapshot).features) {
        if (feature.issued !== null) issued.set({ server: server.id, feature: feature.name }, feature.issued);
        inUse.set({ server: server.id, feature: feature.name }, feature.inUse);
      }
    }
    serverUp.set({ server: charterServerId }, 1);
    for (const pool of pools) {
      if (pool.seats !== null) issued.set({ server: charterServerId, feature: pool.name }, pool.seats);
      inUse.set({ server: charterServerId, feature: pool.name }, pool.inUse);
    }
    backlog.set({ kind: 'undispatched_events' }, waiting.undispatchedEvents);
    backlog.set({ kind: 'pending_deliveries' }, waiting.pendingDeliveries);
  };

  return {
    registry,
    observeRequest: (method: string, route: string, status: number, seconds: number) => {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    observeValidation: (code: string) => validations.inc({ code }),
    observePoll: (serverId: string, outcome: string, durationMs: number) =>
      pollDuration.observe({ server: serverId, outcome }, durationMs / 1000),
    refresh,
  };
};

export type Metrics = ReturnType<typeof createMetrics>;

export const metricsRoutes =
  (metrics: Metrics, options: { public: boolean }) =>
  async (app: FastifyInstance): Promise<void> => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/metrics',
      {
        config: {
          auth: options.public ? publicRoute : requireScope('monitor:read'),
          produces: 'text/plain; version=0.0.4',
        },
        schema: {
          tags: ['Service'],
          summary: 'Prometheus metrics',
          response: {
            200: z.string().describe('Prometheus text exposition format'),
          },
        },
      },
      async (_request, reply) => {
        await metrics.refresh();
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    );
  };
