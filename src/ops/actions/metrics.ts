// The actions' Prometheus metric, read at each scrape: actions waiting for a decision.
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import { pendingActionCount } from './service.js';

export const createActionMetrics = (deps: { db: Database; clock: Clock }, registry: Registry) => {
  const actions = new Gauge({
    name: 'charter_actions_pending',
    help: 'Actions waiting for a decision (not past their end)',
    registers: [registry],
  });
  return {
    refresh: async () => {
      actions.set(await pendingActionCount(deps.db.kysely, deps.clock.nowMs()));
    },
  };
};
