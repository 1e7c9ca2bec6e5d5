// The monitor's Prometheus metrics (monitor.md "API"): poll durations, and, read at each scrape, the features of
// every monitored server and Charter's own floating pools (server="charter") with whether each server answers.
import type { Registry } from 'prom-client';
import { Gauge, Histogram } from 'prom-client';
import type { Database } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import { charterPoolUsage } from '../licensing/floating/pools.js';
import { charterServerId } from './charter-pools.js';
import type { Snapshot } from './parsers/snapshot.js';
import { allServers } from './servers/store.js';

export const createMonitorMetrics = (deps: { db: Database; clock: Clock }, registry: Registry) => {
  const registers = [registry];
  const pollDuration = new Histogram({
    name: 'charter_monitor_poll_duration_seconds',
    help: 'License server polls, by server and outcome',
    labelNames: ['server', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const issued = new Gauge({
    name: 'charter_monitor_feature_issued',
    help: 'Licenses issued per feature (uncounted features are absent)',
    labelNames: ['server', 'feature'] as const,
    registers,
  });
  const inUse = new Gauge({
    name: 'charter_monitor_feature_in_use',
    help: 'Licenses in use per feature, as the server reports it (server="charter": Charter’s own pools)',
    labelNames: ['server', 'feature'] as const,
    registers,
  });
  const serverUp = new Gauge({
    name: 'charter_monitor_server_up',
    help: '1 while a monitored server answers (up or degraded), else 0',
    labelNames: ['server'] as const,
    registers,
  });

  return {
    observePoll: (serverId: string, outcome: string, durationMs: number) =>
      pollDuration.observe({ server: serverId, outcome }, durationMs / 1000),
    /** Reads what the gauges show, once per scrape. */
    refresh: async () => {
      const db = deps.db.kysely;
      const nowMs = deps.clock.nowMs();
      const [servers, pools] = await Promise.all([
        allServers(db),
        charterPoolUsage(db, { nowMs, denialsFrom: nowMs }),
      ]);
      issued.reset();
      inUse.reset();
      serverUp.reset();
      for (const server of servers) {
        serverUp.set({ server: server.id }, server.status === 'up' || server.status === 'degraded' ? 1 : 0);
        if (!server.snapshot) continue;
        for (const feature of (JSON.parse(server.snapshot) as Snapshot).features) {
          if (feature.issued !== null)
            issued.set({ server: server.id, feature: feature.name }, feature.issued);
          inUse.set({ server: server.id, feature: feature.name }, feature.inUse);
        }
      }
      serverUp.set({ server: charterServerId }, 1);
      for (const pool of pools) {
        if (pool.seats !== null) issued.set({ server: charterServerId, feature: pool.name }, pool.seats);
        inUse.set({ server: charterServerId, feature: pool.name }, pool.inUse);
      }
    },
  };
};
