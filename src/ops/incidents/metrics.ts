// The incidents' Prometheus metric, read at each scrape: incidents not yet resolved by kind, severity and status.
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/connection.js';
import { unresolvedIncidentCounts } from './service.js';

export const createIncidentMetrics = (deps: { db: Database }, registry: Registry) => {
  const incidents = new Gauge({
    name: 'charter_incidents_open',
    help: 'Incidents not yet resolved, by kind, severity and status (open or acknowledged)',
    labelNames: ['kind', 'severity', 'status'] as const,
    registers: [registry],
  });
  return {
    refresh: async () => {
      const counts = await unresolvedIncidentCounts(deps.db.kysely);
      incidents.reset();
      for (const row of counts)
        incidents.set({ kind: row.kind, severity: row.severity, status: row.status }, row.count);
    },
  };
};
