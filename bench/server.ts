// The server under benchmark: Charter's own app on a fresh database in a temp dir, plus the baseline route
// (a minimal JSON POST) registered on the same Fastify setup, so both pay the same hooks and logging.
// BENCH_WORKERS=N (PostgreSQL): a primary makes the API key, then N processes serve one port as `charter serve
// --workers N` does (node:cluster); the primary answers bench/run.ts for all of them (stalls merged).
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey } from '../src/access/api-keys/service.js';
import { systemAuditContext } from '../src/access/audit/service.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, storageOptionsFromConfig } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { publicRoute } from '../src/http/route-rules.js';
import { systemClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { createSealer, loadSecretKey } from '../src/lib/sealing.js';
import { referencedProductIds } from '../src/licensing/products/service.js';
import { startWorkers } from '../src/workers.js';
import { mergeStallReports, type StallReport, startStallRecorder } from './stalls.js';

export const baselinePath = '/bench/baseline';

const workerCount = Number(process.env.BENCH_WORKERS ?? 1);
const primary = workerCount > 1 && cluster.isPrimary;

// Event-loop delay, GC pauses and background work, reset before and read after each measured run (bench/run.ts);
// a primary asks each worker and merges their answers.
const stalls = startStallRecorder();
process.on('message', (message) => {
  if (primary) return;
  if (message === 'stalls:reset') {
    stalls.reset();
    process.send?.({ stallsReset: true });
  } else if (message === 'stalls:report') process.send?.({ stalls: stalls.report() });
});

// The seeded copy made by run.ts, or an empty temp dir when run alone.
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'charter-bench-'));
const config = loadConfig({
  overrides: {
    PORT: 0,
    CHARTER_DATA_DIR: dataDir,
    // PostgreSQL when bench/run.ts made a database for this run (BENCH_DATABASE_URL); SQLite in the data dir else.
    ...(process.env.BENCH_SERVER_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_SERVER_DATABASE_URL } : {}),
    // Shared counters (nonces) through Redis when the run names one (BENCH_REDIS_URL), as several processes need.
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
    // Benchmarks measure the server, not the limiter (api.md).
    CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
    CHARTER_RATE_LIMIT_CLIENT_IP: 0,
    CHARTER_RATE_LIMIT_MANAGEMENT: 0,
  },
});
const db = openDatabase(storageOptionsFromConfig(config, { forServer: !process.env.BENCH_NO_CHECKPOINTER }));
await migrateToLatest(db);

/** Sends `message` to every worker and resolves with each one's answer carrying `key`. */
const askWorkers = <T>(message: string, key: string): Promise<T[]> =>
  Promise.all(
    Object.values(cluster.workers ?? {}).map(
      (worker) =>
        new Promise<T>((resolve) => {
          const onMessage = (answer: unknown) => {
            if (answer && typeof answer === 'object' && key in answer) {
              worker?.off('message', onMessage);
              resolve((answer as Record<string, T>)[key] as T);
            }
          };
          worker?.on('message', onMessage);
          worker?.send(message);
        }),
    ),
  );

/** An admin API key for the Management scenarios, made the way the CLI makes one. */
const benchApiKey = async () =>
  (
    await createApiKey(
      {
        db,
        clock: systemClock,
        sealer: createSealer(loadSecretKey(config)),
        productIdsOf: referencedProductIds,
      },
      systemAuditContext('bench'),
      undefined,
      { name: 'bench', scopes: ['admin'] },
    )
  ).secret;

if (primary) {
  // A key for the Management scenarios, made once for every worker.
  const apiKey = await benchApiKey();
  await db.close();
  const listening: string[] = [];
  cluster.on('message', (_worker, message: { url?: string }) => {
    if (!message?.url) return;
    listening.push(message.url);
    if (listening.length === workerCount)
      process.send?.({
        url: message.url,
        storage: `${config.databaseUrl ? 'postgres' : 'sqlite'}:`,
        apiKey,
        workers: workerCount,
      });
  });
  process.on('message', async (message) => {
    if (message === 'stalls:reset') {
      await askWorkers('stalls:reset', 'stallsReset');
      process.send?.({ stallsReset: true });
    } else if (message === 'stalls:report')
      process.send?.({ stalls: mergeStallReports(await askWorkers<StallReport>('stalls:report', 'stalls')) });
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  });
  for (let n = 0; n < workerCount; n++) cluster.fork({ BENCH_API_KEY: apiKey });
} else {
  const app = await buildApp({
    config,
    db,
    clock: systemClock,
    logger: createLogger(config.logLevel),
    extend: async (instance) => {
      instance.post(baselinePath, { config: { auth: publicRoute }, schema: { hide: true } }, async () => ({
        ok: true,
      }));
    },
  });
  // The background workers run as they do in `charter serve`: their work is part of what the server costs.
  const workers = startWorkers({ config, db, clock: systemClock, log: app.log, poller: app.poller });
  // A key for the Management scenarios (a worker has the primary's).
  const apiKey = process.env.BENCH_API_KEY ?? (await benchApiKey());
  stalls.watch(app.server);
  const url = await app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
  if (process.send) process.send({ url, storage: db.description, apiKey });
  else process.stdout.write(`${JSON.stringify({ url, apiKey })}\n`);

  process.on('SIGTERM', () => {
    workers
      .stop()
      .then(() => app.close())
      .then(() => db.close())
      .finally(() => {
        if (!process.env.BENCH_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
  });
}
