// GET /metrics (api.md "Service", monitor.md "API"): Prometheus text from a registry of this app (not the global
// one: tests build several apps in one process). It holds the process's own metrics and HTTP request counts and
// latency by route and status; each domain registers its own metrics on it (monitor/metrics.ts,
// ops/webhooks/metrics.ts, ops/incidents|actions|notifications/metrics.ts, licensing/client/metrics.ts), wired by
// app.ts, and those read at scrape time are
// refreshed first. monitor:read unless CHARTER_METRICS_PUBLIC=true.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { requireScope } from '../access/scopes.js';
import { publicRoute } from '../http/route-rules.js';

/** A domain's metrics that are read from storage at scrape time. */
export interface ScrapedMetrics {
  refresh(): Promise<void>;
}

export const createMetrics = () => {
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
  const scraped: ScrapedMetrics[] = [];

  return {
    registry,
    observeRequest: (method: string, route: string, status: number, seconds: number) => {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    /** Adds a domain's metrics read at scrape time. */
    scrape: (metrics: ScrapedMetrics) => {
      scraped.push(metrics);
    },
    refresh: async () => {
      await Promise.all(scraped.map((metrics) => metrics.refresh()));
    },
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
