// The server under benchmark: Charter's own app on a fresh database in a temp dir, plus the baseline route
// (a minimal JSON POST) registered on the same Fastify setup, so both pay the same hooks and logging.
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
import { startStallRecorder } from './stalls.js';

export const baselinePath = '/bench/baseline';

// Event-loop delay, GC pauses and background work, reset before and read after each measured run (bench/run.ts).
const stalls = startStallRecorder();
process.on('message', (message) => {
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
    // Benchmarks measure the server, not the limiter (api.md).
    CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
    CHARTER_RATE_LIMIT_CLIENT_IP: 0,
    CHARTER_RATE_LIMIT_MANAGEMENT: 0,
  },
});
const db = openDatabase(storageOptionsFromConfig(config, { forServer: !process.env.BENCH_NO_CHECKPOINTER }));
await migrateToLatest(db);
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
// A key for the Management scenarios, made the way the CLI makes one.
const { secret: apiKey } = await createApiKey(
  { db, clock: systemClock, sealer: createSealer(loadSecretKey(config)), productIdsOf: referencedProductIds },
  systemAuditContext('bench'),
  undefined,
  { name: 'bench', scopes: ['admin'] },
);
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
