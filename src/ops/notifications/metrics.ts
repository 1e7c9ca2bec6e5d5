// The notification mail's Prometheus metric, read at each scrape: mail waiting to be sent.
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/connection.js';
import { mailBacklog } from './service.js';

export const createMailMetrics = (deps: { db: Database }, registry: Registry) => {
  const mail = new Gauge({
    name: 'charter_mail_backlog',
    help: 'Notification mail waiting to be sent (retries included)',
    registers: [registry],
  });
  return {
    refresh: async () => {
      mail.set(await mailBacklog(deps.db.kysely));
    },
  };
};
