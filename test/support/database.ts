// A fresh, migrated database per test: a SQLite file in a temp dir, or a PostgreSQL schema dropped afterwards.
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
  let dropSchema = async () => {};
  let serverEnv: Record<string, string> = { CHARTER_DATA_DIR: dataDir };
  if (dialect === 'sqlite') {
    db = openDatabase({ dialect: 'sqlite', file: path.join(dataDir, 'charter.db') });
  } else {
    const schema = `test_${ulid(Date.now()).toLowerCase()}`;
    await adminQuery(`create schema ${schema}`);
    db = openDatabase({ dialect: 'postgres', url: postgresUrl(), searchPath: schema, poolSize: 12 });
    dropSchema = () => adminQuery(`drop schema if exists ${schema} cascade`);
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
      await dropSchema();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
