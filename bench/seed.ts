// Seeds a database for the benchmarks: one product, a node-locked policy (3 machines), `licenses` licenses with
// `machinesPerLicense` machines each, and an activation pool of licenses with no machines. SQLite (a file in the
// data dir, batched inserts through better-sqlite3 directly) or PostgreSQL (a database of its own, multi-row
// inserts through pg): a million licenses take about a minute either way. Writes samples of keys (with their
// fingerprints) for the load drivers, and the data dir keeps the secret key the licenses were sealed with.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createProgress } from '../src/lib/progress.js';
import { newId } from '../src/lib/random.js';
import { createSealer, loadSecretKey } from '../src/lib/sealing.js';
import {
  generateLicenseKey,
  licenseKeyHash,
  licenseKeyPrefix,
} from '../src/licensing/licenses/license-key.js';

export interface SeedSamples {
  /** Keys of seeded licenses with the fingerprint of their first machine. */
  validate: { licenseKey: string; fingerprint: string }[];
  /** Keys of licenses with no machines yet (3 slots each), for activation. */
  activate: string[];
}

export interface SeedOptions {
  licenses: number;
  machinesPerLicense: number;
  activationPool: number;
}

/** SQLite in the data dir, or PostgreSQL at `url` (a database the seed creates and fills). */
export type SeedTarget = { dialect: 'sqlite' } | { dialect: 'postgres'; url: string };

const productSql = `insert into products (id, code, name, status, license_model, trial, metadata, created_at, updated_at)
  values (?, 'bench', 'Bench', 'active', 'key', ?, '{}', ?, ?)`;
const policySql = `insert into policies (id, product_id, code, name, duration_seconds, floating, max_machines, expiration_basis,
    expiration_strategy, allow_vm, allow_offline, allow_borrow, lease_seconds, features, license_file_ttl_seconds, metadata,
    created_at, updated_at)
  values (?, ?, 'node-locked', 'Node-locked', null, 0, 3, 'issue', 'restrict', 1, 0, 0, 3600, '[]', 604800, '{}', ?, ?)`;
const licenseColumns = [
  'id',
  'key_hash',
  'key_sealed',
  'key_prefix',
  'product_id',
  'policy_id',
  'status',
  'starts_at',
  'trial',
  'transfers_count',
  'metadata',
  'first_activated_at',
  'created_at',
  'updated_at',
];
const machineColumns = [
  'id',
  'license_id',
  'fingerprint',
  'is_vm',
  'status',
  'offline',
  'activated_at',
  'last_seen_at',
];

/** Where the rows go: each call writes one batch (in one transaction on SQLite, in a few statements on PostgreSQL). */
interface Sink {
  first(product: unknown[], policy: unknown[]): Promise<void>;
  batch(licenses: unknown[][], machines: unknown[][]): Promise<void>;
  close(): Promise<void>;
}

const sqliteSink = (file: string): Sink => {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // seeding only; the server runs with FULL
  const insertLicense = db.prepare(
    `insert into licenses (${licenseColumns.join(', ')}) values (${licenseColumns.map(() => '?').join(', ')})`,
  );
  const insertMachine = db.prepare(
    `insert into machines (${machineColumns.join(', ')}) values (${machineColumns.map(() => '?').join(', ')})`,
  );
  const write = db.transaction((licenses: unknown[][], machines: unknown[][]) => {
    for (const row of licenses) insertLicense.run(...row);
    for (const row of machines) insertMachine.run(...row);
  });
  return {
    first: async (product, policy) => {
      db.prepare(productSql).run(...product);
      db.prepare(policySql).run(...policy);
    },
    batch: async (licenses, machines) => write(licenses, machines),
    close: async () => {
      // The seed's own rows in the validation change log (migration 0025) are history no server needs.
      db.prepare('delete from validation_changes').run();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
};

/** `?` placeholders as PostgreSQL's `$n`. */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

const postgresSink = async (url: string): Promise<Sink> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('set synchronous_commit = off'); // seeding only
  // Multi-row inserts: PostgreSQL binds at most 65,535 parameters a statement.
  const insertMany = async (table: string, columns: string[], rows: unknown[][]) => {
    const perStatement = Math.floor(60_000 / columns.length);
    for (let start = 0; start < rows.length; start += perStatement) {
      const part = rows.slice(start, start + perStatement);
      const values = part
        .map(
          (_, row) => `(${columns.map((_, column) => `$${row * columns.length + column + 1}`).join(', ')})`,
        )
        .join(', ');
      await client.query(`insert into ${table} (${columns.join(', ')}) values ${values}`, part.flat());
    }
  };
  return {
    first: async (product, policy) => {
      await client.query(numbered(productSql), product);
      await client.query(numbered(policySql), policy);
    },
    batch: async (licenses, machines) => {
      await client.query('begin');
      await insertMany('licenses', licenseColumns, licenses);
      await insertMany('machines', machineColumns, machines);
      await client.query('commit');
    },
    close: async () => {
      await client.query('analyze');
      await client.end();
    },
  };
};

export const seed = async (
  dataDir: string,
  options: SeedOptions,
  target: SeedTarget = { dialect: 'sqlite' },
): Promise<SeedSamples> => {
  const file = path.join(dataDir, 'charter.db');
  const migrated =
    target.dialect === 'sqlite'
      ? openDatabase({ dialect: 'sqlite', file })
      : openDatabase({ dialect: 'postgres', url: target.url });
  await migrateToLatest(migrated);
  await migrated.close();

  const sealer = createSealer(
    loadSecretKey(loadConfig({ env: {}, overrides: { CHARTER_DATA_DIR: dataDir } })),
  );
  const sink = target.dialect === 'sqlite' ? sqliteSink(file) : await postgresSink(target.url);
  const now = Date.now();
  const productId = newId('prod', now);
  const policyId = newId('pol', now);
  await sink.first(
    [productId, JSON.stringify({ enabled: false, days: 14, requireEmail: false }), now, now],
    [policyId, productId, now, now],
  );
  const samples: SeedSamples = { validate: [], activate: [] };
  const sampleEvery = Math.max(1, Math.floor(options.licenses / 20_000));
  const batch = 5000;
  const rowsOf = (from: number, to: number, withMachines: boolean) => {
    const licenses: unknown[][] = [];
    const machines: unknown[][] = [];
    for (let index = from; index < to; index++) {
      const key = generateLicenseKey();
      const licenseId = newId('lic', now);
      licenses.push([
        licenseId,
        licenseKeyHash(key),
        sealer.seal(key),
        licenseKeyPrefix(key),
        productId,
        policyId,
        'active',
        now,
        0,
        0,
        '{}',
        withMachines ? now : null,
        now,
        now,
      ]);
      if (withMachines) {
        for (let machine = 0; machine < options.machinesPerLicense; machine++)
          machines.push([newId('mach', now), licenseId, `fp-${index}-${machine}`, 0, 'active', 0, now, now]);
        if (index % sampleEvery === 0)
          samples.validate.push({ licenseKey: key, fingerprint: `fp-${index}-0` });
      } else {
        samples.activate.push(key);
      }
    }
    return { licenses, machines };
  };
  const progress = createProgress({
    label: 'seeding',
    total: options.licenses + options.activationPool,
    unit: 'licenses',
  });
  for (const [count, withMachines] of [
    [options.licenses, true],
    [options.activationPool, false],
  ] as const) {
    for (let from = 0; from < count; from += batch) {
      const to = Math.min(count, from + batch);
      const rows = rowsOf(from, to, withMachines);
      await sink.batch(rows.licenses, rows.machines);
      progress.advance(to - from);
    }
  }
  progress.finish();
  await sink.close();
  writeFileSync(path.join(dataDir, 'samples.json'), JSON.stringify(samples));
  return samples;
};
