// `charter serve --workers N`: one primary process and N server processes (node:cluster) sharing one port, for a
// machine with several cores. PostgreSQL only: every limit (machines, seats, meters) is enforced by the database
// (row locks, unique keys), so it holds across processes as within one; SQLite takes one writer process.
//
// The primary prepares storage once (migrations, the secret key check, the first owner), then forks the workers;
// each runs the whole server (`startServer`): its own pool, background workers (the monitor and the incident
// rules elect one leader among all processes; webhook deliveries are claimed row by row), its own usage counters
// (added, not overwritten). A worker that dies is replaced after a short pause; one that keeps dying at start (5
// times within 10 s of starting, in a row) stops the whole server with exit 1, so a supervisor sees the failure
// instead of a restart loop. SIGTERM/SIGINT to the primary stop every worker gracefully (each drains as a single
// server does) and then the primary, exit 0.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { openDatabase, storageOptionsFromConfig } from './db/connection.js';
import { createLogger } from './lib/logger.js';
import { prepareStorage, startServer } from './main.js';

/** A worker that exits sooner than this after its start counts as failing to start. */
const earlyExitMs = 10_000;
/** This many early exits in a row stop the server. */
const earlyExitLimit = 5;
/** Pause before a dead worker is replaced. */
const replaceAfterMs = 500;

export const serveWorkers = async (config: Config, count: number): Promise<number> => {
  if (cluster.isWorker) {
    await startServer(config);
    // Keeps running; startServer's signal handlers end the process.
    return new Promise<number>(() => {});
  }
  if (!config.databaseUrl)
    throw new ConfigError(
      `--workers ${count} needs PostgreSQL (DATABASE_URL): SQLite takes one writer process; run one server, or set DATABASE_URL`,
    );
  const logger = createLogger(config.logLevel).child({ role: 'primary' });
  const db = openDatabase(storageOptionsFromConfig(config));
  try {
    await prepareStorage(db, config, logger);
  } finally {
    await db.close();
  }

  let stopping = false;
  let earlyExits = 0;
  const startedAt = new Map<Worker, number>();
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  };

  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
      if (alive.length === 0) return resolve(code);
      let left = alive.length;
      for (const worker of alive) {
        worker.once('exit', () => {
          left -= 1;
          if (left === 0) resolve(code);
        });
        worker.process.kill('SIGTERM');
      }
    };
    cluster.on('listening', (worker, address) => {
      logger.info({ pid: worker.process.pid, port: address.port }, 'a worker is listening');
    });
    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) return;
      logger.warn({ pid: worker.process.pid, code, signal, livedMs: lived }, 'a worker died; replacing it');
      earlyExits = lived < earlyExitMs ? earlyExits + 1 : 0;
      if (earlyExits >= earlyExitLimit) {
        logger.error({ earlyExits }, 'workers keep dying at start; stopping');
        finish(1);
        return;
      }
      setTimeout(() => {
        if (!stopping) fork();
      }, replaceAfterMs);
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.once(signal, () => {
        logger.info({ signal }, 'stopping every worker');
        finish(0);
      });
    for (let n = 0; n < count; n++) fork();
  });
};
