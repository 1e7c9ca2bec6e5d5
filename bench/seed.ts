// Seeds a SQLite database for the benchmarks: one product, a node-locked policy (3 machines), `licenses`
// licenses with `machinesPerLicense` machines each, and an activation pool of licenses with no machines. Batched
// inserts in transactions through better-sqlite3 directly: a million licenses take well under a minute.
// Writes samples of keys (with their fingerprints) for the load driver.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
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

export const seed = async (
  dataDir: string,
  options: { licenses: number; machinesPerLicense: number; activationPool: number },
) => {
  const file = path.join(dataDir, 'charter.db');
  const migrated = openDatabase({ dialect: 'sqlite', file });
  await migrateToLatest(migrated);
  await migrated.close();

  const sealer = createSealer(
    loadSecretKey(loadConfig({ env: {}, overrides: { CHARTER_DATA_DIR: dataDir } })),
  );
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // seeding only; the server runs with FULL
  const now = Date.now();
  const productId = newId('prod', now);
  const policyId = newId('pol', now);
  db.prepare(
    `insert into products (id, code, name, status, license_model, trial, metadata, created_at, updated_at) values (?, 'bench', 'Bench', 'active', 'key', ?, '{}', ?, ?)`,
  ).run(productId, JSON.stringify({ enabled: false, days: 14, requireEmail: false }), now, now);
  db.prepare(
    `insert into policies (id, product_id, code, name, duration_seconds, floating, max_machines, expiration_basis, expiration_strategy,
      allow_vm, allow_offline, allow_borrow, lease_seconds, features, license_file_ttl_seconds, metadata, created_at, updated_at)
     values (?, ?, 'node-locked', 'Node-locked', null, 0, 3, 'issue', 'restrict', 1, 0, 0, 3600, '[]', 604800, '{}', ?, ?)`,
  ).run(policyId, productId, now, now);

  const insertLicense = db.prepare(
    `insert into licenses (id, key_hash, key_sealed, key_prefix, product_id, policy_id, customer_id, status, starts_at, expires_at, trial,
      max_machines, transfers_count, features, metadata, first_activated_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, null, 'active', ?, null, 0, null, 0, null, '{}', ?, ?, ?)`,
  );
  const insertMachine = db.prepare(
    `insert into machines (id, license_id, fingerprint, is_vm, status, offline, activated_at, last_seen_at) values (?, ?, ?, 0, 'active', 0, ?, ?)`,
  );
  const samples: SeedSamples = { validate: [], activate: [] };
  const sampleEvery = Math.max(1, Math.floor(options.licenses / 20_000));
  const batch = 5000;
  const insertBatch = db.transaction((from: number, to: number, withMachines: boolean) => {
    for (let index = from; index < to; index++) {
      const key = generateLicenseKey();
      const licenseId = newId('lic', now);
      insertLicense.run(
        licenseId,
        licenseKeyHash(key),
        sealer.seal(key),
        licenseKeyPrefix(key),
        productId,
        policyId,
        now,
        withMachines ? now : null,
        now,
        now,
      );
      if (withMachines) {
        for (let machine = 0; machine < options.machinesPerLicense; machine++) {
          insertMachine.run(newId('mach', now), licenseId, `fp-${index}-${machine}`, now, now);
        }
        if (index % sampleEvery === 0)
          samples.validate.push({ licenseKey: key, fingerprint: `fp-${index}-0` });
      } else {
        samples.activate.push(key);
      }
    }
  });
  const progress = createProgress({
    label: 'seeding',
    total: options.licenses + options.activationPool,
    unit: 'licenses',
  });
  for (let from = 0; from < options.licenses; from += batch) {
    insertBatch(from, Math.min(options.licenses, from + batch), true);
    progress.advance(Math.min(options.licenses, from + batch) - from);
  }
  for (let from = 0; from < options.activationPool; from += batch) {
    insertBatch(from, Math.min(options.activationPool, from + batch), false);
    progress.advance(Math.min(options.activationPool, from + batch) - from);
  }
  progress.finish();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  writeFileSync(path.join(dataDir, 'samples.json'), JSON.stringify(samples));
  return samples;
};
