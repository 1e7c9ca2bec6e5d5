// withApp({ dialect }): a fresh app on a fresh database with a fixed clock and captured log lines.
import type { FastifyInstance } from 'fastify';
import type { ProductReferences } from '../../src/access/grants.js';
import { type AppDeps, buildApp } from '../../src/app.js';
import { type Config, type ConfigInput, loadConfig } from '../../src/config.js';
import type { Database, DialectName } from '../../src/db/connection.js';
import { type FixedClock, fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createSealer, loadSecretKey, type Sealer } from '../../src/lib/sealing.js';
import { referencedProductIds } from '../../src/licensing/products/service.js';
import { freshDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  clock: FixedClock;
  config: Config;
  /** The app's sealer (same secret key file), for services tests call directly. */
  sealer: Sealer;
  /** What app.ts hands the access services to resolve a grant's products. */
  productIdsOf: ProductReferences;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Another app instance on the same storage and configuration, as a second server process would be. */
  sibling(): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export interface WithAppOptions {
  dialect: DialectName;
  config?: Partial<ConfigInput>;
  extend?: AppDeps['extend'];
  /** Where the fixed clock starts (default 2026-11-22T10:30:45.123Z); tests whose output meets the real clock pass now. */
  now?: Date;
  /** Storage made beforehand (another process shares it); closed with the app. */
  storage?: TestDatabase;
}

export const testConfig = (dataDir: string, overrides: Partial<ConfigInput> = {}): Config =>
  loadConfig({
    env: {},
    cwd: dataDir,
    // Webhooks are sent, and monitored servers polled, by what a test drives, not on the app's own timers.
    overrides: {
      CHARTER_DATA_DIR: dataDir,
      CHARTER_LOG_LEVEL: 'debug',
      CHARTER_WEBHOOK_SENDERS: 0,
      CHARTER_MONITOR_POLLING: false,
      ...overrides,
    },
  });

export const withApp = async (options: WithAppOptions): Promise<TestApp> => {
  const storage = options.storage ?? (await freshDatabase(options.dialect));
  const config = testConfig(storage.dataDir, options.config);
  const clock = fixedClock(options.now);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => logs.push(JSON.parse(line)) });
  const build = () =>
    buildApp({
      config,
      db: storage.db,
      clock,
      logger,
      ...(options.extend ? { extend: options.extend } : {}),
    });
  const app = await build();
  const siblings: FastifyInstance[] = [];
  return {
    app,
    db: storage.db,
    clock,
    config,
    sealer: createSealer(loadSecretKey(config)),
    productIdsOf: referencedProductIds,
    logs,
    sibling: async () => {
      const other = await build();
      siblings.push(other);
      return other;
    },
    close: async () => {
      for (const other of siblings) await other.close();
      await app.close();
      await storage.dispose();
    },
  };
};
