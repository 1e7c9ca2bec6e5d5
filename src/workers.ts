// The background workers of a server process, started by main.ts after the app is built and stopped before it
// closes: the webhook sender (outbox fan-out, deliveries, pruning), the lifecycle watch (expiry and heartbeat
// events), the lease reaper, the request-nonce sweeper, the monitor's scheduler and the incident rules (each with
// leadership on PostgreSQL, so one process polls and one evaluates). buildApp starts none of them: tests start the ones they need.
import type { FastifyBaseLogger } from 'fastify';
import { ruleAuditContext } from './access/audit/service.js';
import { startNonceSweeper } from './access/request-signing/service.js';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import type { ActionsTable } from './db/schema.js';
import type { Executor } from './db/transaction.js';
import type { Clock } from './lib/clock.js';
import { randomUnit } from './lib/random.js';
import { createSealer, loadSecretKey } from './lib/sealing.js';
import { startLeaseReaper } from './licensing/floating/service.js';
import { startLifecycleWatch } from './licensing/lifecycle/service.js';
import type { Poller } from './monitor/poller.js';
import { createMonitorScheduler } from './monitor/scheduler.js';
import { expireActions, proposeActionIn } from './ops/actions/service.js';
import { configuredRules } from './ops/incidents/rules/index.js';
import { noteMailFailure } from './ops/incidents/service.js';
import { startIncidentWorker } from './ops/incidents/worker.js';
import { notifyApprovalPending, notifyIncidentOpened } from './ops/notifications/service.js';
import { createMailWorker } from './ops/notifications/worker.js';
import { createWebhookWorker } from './ops/webhooks/worker.js';

/** How often the mail worker looks for mail to send. */
const mailIntervalMs = 5_000;

export interface WorkerDeps {
  config: Config;
  db: Database;
  clock: Clock;
  log: FastifyBaseLogger;
  /** The app's poller: a scheduled poll and a "poll now" request join one poll in flight. */
  poller: Poller;
}

export interface Workers {
  /** Stops every worker and waits for work in flight (a delivery, a poll, a scan) to finish. */
  stop(): Promise<void>;
}

export const startWorkers = ({ config, db, clock, log, poller }: WorkerDeps): Workers => {
  const sealer = createSealer(loadSecretKey(config));
  const webhookWorker = createWebhookWorker(
    { db, clock, sealer, log, allowPrivateTargets: config.webhooksAllowPrivate },
    {
      senders: config.webhooks.senders,
      intervalMs: config.webhooks.intervalMs,
      retentionMs: config.webhooks.eventRetentionDays * 86400 * 1000,
    },
  );
  webhookWorker.start();
  const lifecycleWatch = startLifecycleWatch(
    {
      db,
      clock,
      sealer,
      log,
      expiryNoticeMs: config.expiryNoticeDays * 86_400_000,
      customerMail: config.customerMail,
    },
    config.workers.lifecycleScanSeconds * 1000,
  );
  const leaseReaper = startLeaseReaper({ db, clock, log }, config.workers.leaseReaperSeconds * 1000);
  const nonceSweeper = startNonceSweeper({ db, clock });
  const monitorScheduler = config.monitor.polling
    ? createMonitorScheduler({ db, clock, poller, log, draw: randomUnit }, { tickMs: 1000 })
    : undefined;
  monitorScheduler?.start();
  const notifications = { db, clock, mail: config.mail };
  const actionDeps = {
    db,
    clock,
    sealer,
    ttlMs: config.actions.ttlHours * 3_600_000,
    notify: (tx: Executor, action: ActionsTable) => notifyApprovalPending(notifications, tx, action),
  };
  const incidentWorker = startIncidentWorker(
    {
      db,
      clock,
      log,
      beforeEach: () => expireActions(actionDeps),
      notify: (tx, incident) => notifyIncidentOpened(notifications, tx, incident),
    },
    configuredRules(config.incidents, {
      propose: (tx, proposal) =>
        proposeActionIn(actionDeps, tx, ruleAuditContext('activation_anomaly'), proposal),
    }),
    config.incidents.evaluateSeconds * 1000,
  );
  const mailWorker = createMailWorker(
    {
      db,
      clock,
      log,
      mail: config.mail,
      sealer,
      failed: noteMailFailure({ db, clock }),
    },
    { intervalMs: mailIntervalMs },
  );
  mailWorker.start();
  return {
    stop: async () => {
      await mailWorker.stop();
      await webhookWorker.stop();
      await lifecycleWatch.stop();
      await monitorScheduler?.stop();
      await incidentWorker.stop();
      nonceSweeper.stop();
      await leaseReaper.stop();
    },
  };
};
