// Starts everything: config → storage (migrated) → app → listening → signal handlers for a graceful stop.
import type { FastifyInstance } from 'fastify';
import { systemAuditContext } from './access/audit/service.js';
import { bootstrapOwner } from './access/operators/service.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, storageOptionsFromConfig } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';

/** In-flight requests get this long to finish on SIGTERM before their connections are cut. */
export const shutdownGraceMs = 10_000;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

export const startServer = async (config: Config): Promise<RunningServer> => {
  const logger = createLogger(config.logLevel);
  const db = openDatabase(storageOptionsFromConfig(config, { forServer: true }));
  try {
    const report = await migrateToLatest(db);
    logger.info(
      { storage: db.description, applied: report.applied, current: report.current },
      'storage ready',
    );
  } catch (error) {
    await db.close();
    throw error;
  }
  if (config.bootstrap) {
    const created = await bootstrapOwner(
      { db, clock: systemClock },
      systemAuditContext('bootstrap'),
      config.bootstrap,
    );
    if (created)
      logger.info({ email: config.bootstrap.email }, 'created the first owner from CHARTER_BOOTSTRAP_EMAIL');
  }
  const app = await buildApp({ config, db, clock: systemClock, logger });
  const url = await app.listen({ port: config.port, host: config.host });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const deadline = setTimeout(() => {
        logger.warn(
          { graceMs: shutdownGraceMs },
          'in-flight requests did not finish in time; closing their connections',
        );
        app.server.closeAllConnections();
      }, shutdownGraceMs);
      deadline.unref();
      await app.close();
      clearTimeout(deadline);
      await db.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: no new requests, finishing in-flight ones');
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { app, url, stop };
};
