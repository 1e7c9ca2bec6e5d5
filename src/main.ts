// Starts everything: config → storage (migrated) → secret key checked → app → background workers → signal
// handlers → listening; and stops it again: drain → workers → app → storage.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { systemAuditContext } from './access/audit/service.js';
import { bootstrapOwner } from './access/operators/service.js';
import { checkSecretKey } from './access/signing-keys/service.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { type Database, openDatabase, storageOptionsFromConfig } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';
import { createSealer, loadSecretKey, secretKeySource } from './lib/sealing.js';
import { startWorkers, type Workers } from './workers.js';

/** In-flight requests get this long to finish on SIGTERM before their connections are cut. */
export const shutdownGraceMs = 10_000;

/** After SIGTERM the listener stays open this long, answering 503, before it closes. */
export const shutdownDrainMs = 1_000;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

/**
 * What a start does to storage before serving: pending migrations, the secret key checked against the data it
 * sealed, the first owner from CHARTER_BOOTSTRAP_EMAIL. `charter serve --workers N` runs it once in the primary
 * before any worker starts; each worker's own run then finds nothing to do.
 */
export const prepareStorage = async (db: Database, config: Config, logger: Logger): Promise<void> => {
  const report = await migrateToLatest(db, {
    started: (migration) => logger.info({ migration }, 'applying migration'),
    finished: (migration, ms) => logger.info({ migration, ms }, 'migration applied'),
  });
  logger.info({ storage: db.description, applied: report.applied, current: report.current }, 'storage ready');
  await checkSecretKey(db, {
    source: secretKeySource(config),
    open: () => createSealer(loadSecretKey(config)),
  });
  if (config.bootstrap) {
    const created = await bootstrapOwner(
      { db, clock: systemClock },
      systemAuditContext('bootstrap'),
      config.bootstrap,
    );
    if (created)
      logger.info({ email: config.bootstrap.email }, 'created the first owner from CHARTER_BOOTSTRAP_EMAIL');
  }
};

export const startServer = async (config: Config): Promise<RunningServer> => {
  const logger = createLogger(config.logLevel);
  const db = openDatabase(storageOptionsFromConfig(config, { forServer: true }));
  let app: FastifyInstance | undefined;
  let workers: Workers | undefined;
  let stopping: Promise<void> | undefined;

  /**
   * Graceful stop: drain (every new request answers 503 with Retry-After and Connection: close, /readyz too, while
   * in-flight ones finish) for shutdownDrainMs with the listener still open, so connections already routed here
   * get an answer instead of a reset; then stop listening, wait for in-flight requests (up to shutdownGraceMs),
   * and close storage.
   */
  const stop = () => {
    stopping ??= (async () => {
      const served = app;
      if (served) {
        served.drain();
        await new Promise((resolve) => setTimeout(resolve, shutdownDrainMs));
        const deadline = setTimeout(() => {
          logger.warn(
            { graceMs: shutdownGraceMs },
            'in-flight requests did not finish in time; closing their connections',
          );
          served.server.closeAllConnections();
        }, shutdownGraceMs);
        deadline.unref();
        // Workers stop first (a delivery or poll in flight finishes): none starts work on a closing app.
        await workers?.stop();
        await served.close();
        clearTimeout(deadline);
      }
      await db.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  // A start that fails releases what it opened (pool, workers), so the process exits instead of idling.
  let url: string;
  try {
    await prepareStorage(db, config, logger);
    app = await buildApp({ config, db, clock: systemClock, logger });
    workers = startWorkers({ config, db, clock: systemClock, log: app.log, poller: app.poller });
    // The handlers are in place before the first request can arrive: a signal never meets a default handler.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'stopping: new requests answer 503, in-flight ones finish');
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
    url = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await workers?.stop().catch(() => {});
    await app?.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
  return { app, url, stop };
};
