// The operations layer's Prometheus metrics, read at each scrape: open incidents by kind, severity and status,
// pending actions, and notification mail waiting to be sent.
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import { pendingActionCount } from '../actions/service.js';
import { mailBacklog } from '../notifications/service.js';
import { unresolvedIncidentCounts } from './service.js';

export const createOperationsMetrics = (deps: { db: Database; clock: Clock }, registry: Registry) => {
  const registers = [registry];
  const incidents = new Gauge({
    name: 'charter_incidents_open',
    help: 'Incidents not yet resolved, by kind, severity and status (open or acknowledged)',
    labelNames: ['kind', 'severity', 'status'] as const,
    registers,
  });
  const actions = new Gauge({
    name: 'charter_actions_pending',
    help: 'Actions waiting for a decision (not past their end)',
    registers,
  });
  const mail = new Gauge({
    name: 'charter_mail_backlog',
    help: 'Notification mail waiting to be sent (retries included)',
    registers,
  });
  return {
    refresh: async () => {
      const db = deps.db.kysely;
      const [counts, pending, waiting] = await Promise.all([
        unresolvedIncidentCounts(db),
        pendingActionCount(db, deps.clock.nowMs()),
        mailBacklog(db),
      ]);
      incidents.reset();
      for (const row of counts)
        incidents.set({ kind: row.kind, severity: row.severity, status: row.status }, row.count);
      actions.set(pending);
      mail.set(waiting);
    },
  };
};
