// A fresh, migrated database per test: a SQLite file in a temp dir, or a PostgreSQL schema of its own (dropped by
// the next `npm test` before it starts, never while other files run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, type DialectName, openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { ulid } from '../../src/lib/random.js';
import { postgresUrl } from './services.js';

export interface TestDatabase {
  db: Database;
  dataDir: string;
  /** The environment a server process needs to open this same storage (its DATABASE_URL on PostgreSQL). */
  serverEnv: Record<string, string>;
  dispose(): Promise<void>;
}

const adminQuery = async (sql: string) => {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

export const freshDatabase = async (
  dialect: DialectName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'charter-test-'));
  let db: Database;
  let serverEnv: Record<string, string> = { CHARTER_DATA_DIR: dataDir };
  if (dialect === 'sqlite') {
    db = openDatabase({ dialect: 'sqlite', file: path.join(dataDir, 'charter.db') });
  } else {
    const schema = `test_${ulid(Date.now()).toLowerCase()}`;
    await adminQuery(`create schema ${schema}`);
    db = openDatabase({ dialect: 'postgres', url: postgresUrl(), searchPath: schema, poolSize: 12 });
    // The schema stays when the test ends: dropping it while another test file's migrator reads the catalog fails
    // that read (`schema "test_…" does not exist`); `npm test` drops them all before it starts
    // (scripts/drop-test-schemas.mjs).
    const url = new URL(postgresUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    serverEnv = { ...serverEnv, DATABASE_URL: url.toString() };
  }
  if (options.migrate ?? true) await migrateToLatest(db);
  let disposed = false;
  return {
    db,
    dataDir,
    serverEnv,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await db.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
