// charter backup and charter restore, run as a user runs them: an online backup of a running server's SQLite
// database while licenses are written through HTTP, restored into a fresh data dir where a new server finds every
// license acknowledged before the backup began and opens its key; the refusals (an existing file, an existing or
// open database, a newer version's backup, a damaged file, the wrong key); PostgreSQL's printed commands; and the
// storage-level copy, which a writer on another connection does not restart.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { backupSqlite } from '../../src/db/backup.js';
import { repoRoot, runCli, type ServedCli, serveCli, signInAsOwner } from '../support/cli.js';

type Server = ServedCli;

const serve = (dataDir: string): Promise<Server> => serveCli({ CHARTER_DATA_DIR: dataDir });

const stop = async (server: Server | undefined) => {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
};

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('charter backup and restore (sqlite)', () => {
  let root: string;
  let sourceDir: string;
  let backupFile: string;
  let source: Server | undefined;
  let restored: Server | undefined;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'charter-backup-'));
    sourceDir = path.join(root, 'source');
    backupFile = path.join(root, 'nightly.db');
  });
  after(async () => {
    for (const server of [source, restored])
      if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('backs up a running server while licenses are written, and a server on the restored copy has every license acknowledged before the backup began, its key opened', async () => {
    source = await serve(sourceDir);
    const call = await signInAsOwner(source.url);
    const product = await call('POST', '/v1/products', { code: 'studio', name: 'Studio' });
    const policy = await call('POST', '/v1/policies', {
      productId: product.body.id,
      code: 'std',
      name: 'Std',
    });
    const acknowledged: { id: string; key: string; at: number }[] = [];
    const refused: number[] = [];
    let writing = true;
    let warmedUp: () => void = () => {};
    const warm = new Promise<void>((resolve) => {
      warmedUp = resolve;
    });
    const writer = async () => {
      while (writing) {
        const res = await call('POST', '/v1/licenses', { policyId: policy.body.id });
        if (res.status !== 201) refused.push(res.status);
        else acknowledged.push({ id: String(res.body.id), key: String(res.body.key), at: performance.now() });
        if (acknowledged.length >= 40) warmedUp();
      }
    };
    const writers = Array.from({ length: 4 }, writer);
    await warm;
    const backupStarted = performance.now();
    const result = await runCli(['backup', backupFile], { CHARTER_DATA_DIR: sourceDir });
    const backupEnded = performance.now();
    writing = false;
    await Promise.all(writers);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(refused, []);
    const during = acknowledged.filter((license) => license.at > backupStarted && license.at < backupEnded);
    assert.ok(during.length > 0, 'licenses were written while the backup ran');
    assert.match(
      result.stdout,
      /^backed up sqlite:.*charter\.db to .*nightly\.db: .*one consistent snapshot at migration \d{4}-/m,
    );
    assert.match(
      result.stdout,
      new RegExp(`secret key copied to ${backupFile}\\.secret\\.key \\(mode 0600\\)`),
    );
    assert.equal(result.stderr, '', 'no warning when the key is in the backup');
    assert.equal(modeOf(backupFile), 0o600);
    assert.equal(modeOf(`${backupFile}.secret.key`), 0o600);
    assert.equal(
      readFileSync(`${backupFile}.secret.key`, 'utf8').trim(),
      readFileSync(path.join(sourceDir, 'secret.key'), 'utf8').trim(),
    );

    const targetDir = path.join(root, 'restored');
    const restore = await runCli(['restore', backupFile], { CHARTER_DATA_DIR: targetDir });
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(
      restore.stdout,
      /integrity ok, at migration \d{4}-[a-z-]+ \(\d+ applied, all known to this version\)/,
    );
    assert.match(
      restore.stdout,
      /secret key: .*nightly\.db\.secret\.key restored to .*secret\.key \(mode 0600\)/,
    );
    assert.equal(modeOf(path.join(targetDir, 'secret.key')), 0o600);

    restored = await serve(targetDir);
    const callRestored = await signInAsOwner(restored.url);
    const before = acknowledged.filter((license) => license.at < backupStarted);
    assert.ok(before.length >= 40);
    const reads = await Promise.all(
      before.map((license) => callRestored('GET', `/v1/licenses/${license.id}`)),
    );
    const missing = before.filter((license, index) => reads[index]?.body.key !== license.key);
    assert.deepEqual(missing, [], 'every license acknowledged before the backup is restored, its key opened');
    // The signing key's private key opens too: a validation with a nonce comes back signed.
    const validation = await fetch(`${restored.url}/v1/client/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ licenseKey: before[0]?.key, nonce: 'backup-restore-nonce' }),
    });
    const answer = (await validation.json()) as { valid: boolean; code: string; signature?: string };
    assert.deepEqual([validation.status, answer.valid, answer.code], [200, true, 'VALID']);
    assert.equal(typeof answer.signature, 'string');
    await stop(restored);
  });

  it('backup refuses to replace an existing file without --force, replaces it with --force, and warns with --no-key', async () => {
    const first = readFileSync(backupFile);
    const keyless = path.join(root, 'keyless.db');
    const [refused, noKey] = await Promise.all([
      runCli(['backup', backupFile], { CHARTER_DATA_DIR: sourceDir }),
      runCli(['backup', keyless, '--no-key'], { CHARTER_DATA_DIR: sourceDir }),
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /nightly\.db exists; --force replaces it/);
    assert.ok(readFileSync(backupFile).equals(first), 'the existing backup is untouched');
    assert.equal(noKey.code, 0, noKey.stderr);
    assert.match(
      noKey.stderr,
      /WARNING: the secret key was left out \(--no-key\)\. Keep .*secret\.key with the backup/,
    );
    const forced = await runCli(['backup', backupFile, '--force'], { CHARTER_DATA_DIR: sourceDir });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(existsSync(`${keyless}.secret.key`), false);
  });

  it('restore refuses an existing database without --force, and one a running server has open even with --force', async () => {
    const before = readFileSync(path.join(sourceDir, 'secret.key'));
    const [refused, open] = await Promise.all([
      runCli(['restore', backupFile], { CHARTER_DATA_DIR: sourceDir }),
      runCli(['restore', backupFile, '--force'], { CHARTER_DATA_DIR: sourceDir }),
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /charter\.db exists; --force replaces it/);
    assert.equal(open.code, 1);
    assert.match(open.stderr, /charter\.db is open in another process \(a running charter serve/);
    assert.ok(readFileSync(path.join(sourceDir, 'secret.key')).equals(before));
    assert.equal((await fetch(`${source?.url}/readyz`)).status, 200);
  });

  it('restore --force into a stopped server’s data dir keeps the replaced database aside', async () => {
    await stop(source);
    const result = await runCli(['restore', backupFile, '--force'], { CHARTER_DATA_DIR: sourceDir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /secret key: .*secret\.key already holds the backup's key/);
    const kept = /kept what was replaced: (\S+charter\.db\.replaced-\d{8}T\d{6}Z);/.exec(result.stdout)?.[1];
    assert.ok(kept && existsSync(kept), result.stdout);
  });

  it('restore refuses a backup from a newer Charter, a damaged file and a key that does not open it, and writes nothing', async () => {
    const newer = path.join(root, 'newer.db');
    copyFileSync(backupFile, newer);
    const database = new SqliteDatabase(newer);
    database
      .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
      .run('9999-from-the-future', '2026-11-22T10:30:45.123Z');
    database.close();
    const target = path.join(root, 'refused');

    const damaged = path.join(root, 'damaged.db');
    const bytes = readFileSync(backupFile);
    bytes.fill(0x5a, 8 * 4096, 12 * 4096);
    writeFileSync(damaged, bytes);

    const otherKey = path.join(root, 'other.key');
    writeFileSync(otherKey, `${Buffer.alloc(32, 7).toString('base64')}\n`);
    const [fromNewer, fromDamaged, wrongKey] = await Promise.all([
      runCli(['restore', newer], { CHARTER_DATA_DIR: target }),
      runCli(['restore', damaged], { CHARTER_DATA_DIR: target }),
      runCli(['restore', backupFile, '--key', otherKey], { CHARTER_DATA_DIR: target }),
    ]);
    assert.deepEqual([fromNewer.code, fromDamaged.code, wrongKey.code], [1, 1, 1]);
    assert.match(fromNewer.stderr, /comes from a newer Charter: .* \(9999-from-the-future\)/);
    assert.match(fromDamaged.stderr, /integrity_check|malformed/);
    assert.match(
      wrongKey.stderr,
      /other\.key does not open the license keys and signing keys of .*nightly\.db/,
    );
    assert.equal(existsSync(path.join(target, 'charter.db')), false);
    assert.equal(existsSync(path.join(target, 'secret.key')), false);
  });
});

describe('charter backup and restore (PostgreSQL)', () => {
  const env = {
    DATABASE_URL: 'postgres://charter:pa55-w0rd@db.example.com:6543/licensing?sslmode=require',
    CHARTER_DATA_DIR: path.join(tmpdir(), 'charter-backup-pg-unused'),
  };

  it('backup prints the pg_dump (custom format) and pg_restore commands, restore the pg_restore one, never the password; both run nothing and exit 0', async () => {
    const [backup, restore] = await Promise.all([
      runCli(['backup', 'nightly.dump'], env),
      runCli(['restore', 'nightly.dump'], env),
    ]);
    assert.deepEqual([backup.code, restore.code], [0, 0], backup.stderr + restore.stderr);
    assert.match(
      backup.stdout,
      /PGSSLMODE=require pg_dump -Fc -h db\.example\.com -p 6543 -U charter -d licensing -f nightly\.dump/,
    );
    const pgRestore =
      /PGSSLMODE=require pg_restore --single-transaction --no-owner -h db\.example\.com -p 6543 -U charter -d licensing nightly\.dump/;
    assert.match(backup.stdout, pgRestore);
    assert.match(restore.stdout, pgRestore);
    assert.doesNotMatch(restore.stdout, /^\s*pg_dump/m);
    for (const result of [backup, restore]) {
      assert.match(result.stdout, /Secret key: it is not in the dump\./);
      assert.doesNotMatch(result.stdout + result.stderr, /pa55-w0rd/);
    }
    assert.equal(existsSync(path.join(repoRoot, 'nightly.dump')), false);
  });
});

describe('backupSqlite (the storage-level copy)', () => {
  it('copies the snapshot of its first read, and a writer committing on another connection between its steps does not restart it', {
    timeout: 20_000,
  }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'charter-backup-db-'));
    try {
      const file = path.join(dir, 'live.db');
      const owner = new SqliteDatabase(file);
      owner.pragma('journal_mode = WAL');
      owner.exec('create table rows (id integer primary key, body text)');
      const insert = owner.prepare('insert into rows (body) values (?)');
      owner.transaction(() => {
        for (let index = 0; index < 2000; index++) insert.run('x'.repeat(1000));
      })();
      let steps = 0;
      const copy = await backupSqlite(file, path.join(dir, 'copy.db'), {
        pagesPerStep: 10,
        progress: () => {
          steps += 1;
          insert.run('written during the backup');
        },
      });
      owner.close();
      assert.ok(steps > 50, `${steps} steps`);
      const copied = new SqliteDatabase(path.join(dir, 'copy.db'), { readonly: true });
      assert.equal(copied.prepare('select count(*) from rows').pluck().get(), 2000);
      assert.equal(copied.pragma('journal_mode', { simple: true }), 'delete');
      copied.close();
      assert.equal(copy.lastMigration, undefined);
      assert.equal(copy.bytes, copy.pages * 4096);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
