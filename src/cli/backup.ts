// charter backup <file>: the SQLite database and its secret key, copied while the server runs and writes; on
// PostgreSQL, the pg_dump and pg_restore commands to use (nothing is run). Also what restore.ts shares with it.
//
// The secret key travels with the backup. License keys and signing private keys are sealed with it (lib/sealing.ts):
// a database restored without its key holds license keys nobody can read and signing keys that cannot sign, and
// nothing recovers them. A vendor restoring after losing a host has only what the backup holds, so `charter backup
// x.db` writes x.db and x.db.secret.key (mode 0600, as secret.key) and says so; --no-key leaves the key out, with a
// warning, for those who keep it apart (a secrets manager); a key from CHARTER_SECRET_KEY is never written to a file.
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config.js';
import {
  backupSqlite,
  postgresBackupCommands,
  removeSqlite,
  renameDurably,
  sqliteSidecars,
  writePrivateFile,
} from '../db/backup.js';
import { storageOptionsFromConfig } from '../db/connection.js';
import { systemClock } from '../lib/clock.js';
import { createProgress, formatDuration, type Progress } from '../lib/progress.js';
import { loadSecretKey, SealError, secretKeySource } from '../lib/sealing.js';
import { type Command, configFileOption } from './command.js';

export const keySuffix = '.secret.key';
const mib = 1024 * 1024;
export const sizeOf = (bytes: number) => `${(bytes / mib).toFixed(1)} MiB`;
const durationOf = (ms: number) => (ms < 1000 ? `${ms} ms` : formatDuration(ms));

export type Parsed = ReturnType<typeof parseArgs>;

const backupUsage = [
  'Usage: charter backup <file> [--force] [--no-key] [--config <file>]',
  '',
  'Copies the SQLite database (charter.db in CHARTER_DATA_DIR) to <file> while the server runs and writes: an',
  "online backup through SQLite's backup API, one consistent snapshot. Never copy charter.db with cp while a",
  'server runs: its latest writes are in charter.db-wal, and such a copy can be torn.',
  '',
  'The secret key goes with it: secret.key is copied to <file>.secret.key (mode 0600). License keys and signing',
  'keys are sealed with that key; a database restored without it cannot show a license key or sign. Keep the two',
  'files together, and as safe as the server: whoever has them can read every license key.',
  '',
  '  --force   replace <file> and <file>.secret.key if they exist',
  '  --no-key  leave the secret key out (you keep it elsewhere); warns',
  '',
  'With CHARTER_SECRET_KEY set, the key is written nowhere: keep that value with the backup. Progress goes to',
  'stderr when the copy takes more than a second. On PostgreSQL (DATABASE_URL) it prints the pg_dump and',
  'pg_restore commands to use, without the password, and runs nothing.',
].join('\n');

/** The one file name given, or undefined after printing the usage. */
export const fileArgument = (parsed: Parsed, name: string, usage: string): string | undefined => {
  const [file, ...more] = parsed.positionals;
  if (file && more.length === 0) return file;
  process.stderr.write(`charter ${name}: name one file\n\n${usage}\n`);
  return undefined;
};

export const sqliteFileOf = (config: Config): string => {
  const storage = storageOptionsFromConfig(config);
  if (storage.dialect !== 'sqlite') throw new Error('The storage is not SQLite');
  return storage.file;
};

const keyWhereabouts = (config: Config): string => {
  const source = secretKeySource(config);
  if (source === 'environment') return 'This host takes it from CHARTER_SECRET_KEY.';
  if (source === 'file') return `On this host it is ${path.join(config.dataDir, 'secret.key')}.`;
  return 'This host has none (no CHARTER_SECRET_KEY, no secret.key in the data dir): keep the one your servers use.';
};

export const printPostgres = (config: Config, file: string, command: 'backup' | 'restore'): number => {
  const { description, dump, restore } = postgresBackupCommands(config.databaseUrl ?? '', file);
  const restoring = [
    `  ${restore}`,
    '',
    'Restore into an empty database (createdb it first) with every Charter server stopped; to replace the',
    'contents of an existing one instead, add --clean --if-exists.',
  ];
  const lines =
    command === 'backup'
      ? [
          `Storage is PostgreSQL (${description}): back it up with pg_dump, which reads one consistent snapshot`,
          'while the servers run. This command runs nothing; run:',
          '',
          `  ${dump}`,
          '',
          'and restore it with:',
          '',
          ...restoring,
        ]
      : [
          `Storage is PostgreSQL (${description}): restore a dump made with pg_dump -Fc with pg_restore.`,
          'This command runs nothing; run:',
          '',
          ...restoring,
        ];
  const reminder = [
    '',
    'The password is not shown: both tools ask for it, or read PGPASSWORD or ~/.pgpass.',
    `Secret key: it is not in the dump. ${keyWhereabouts(config)}`,
    'Keep it with the dump: the license keys and signing keys in it open only with that key, and after a restore',
    'every host needs it again.',
  ];
  process.stdout.write(`${[...lines, ...reminder].join('\n')}\n`);
  return 0;
};

/** A secret key file's key, or an error naming the file. */
export const readKey = (file: string): Buffer => {
  const text = readFileSync(file, 'utf8').trim();
  try {
    if (text === '') throw new SealError('it is empty');
    return loadSecretKey({ secretKey: text, dataDir: path.dirname(file) });
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    throw new Error(`${file} is not a secret key: ${error.message}`);
  }
};

/** Copies with SQLite's backup API into `partial` (a new 0600 file); progress on stderr once it takes a second. */
export const copySqlite = async (source: string, partial: string, label: string) => {
  closeSync(openSync(partial, 'wx', 0o600));
  const now = () => systemClock.nowMs();
  const started = now();
  let progress: Progress | undefined;
  let reported = 0;
  const copy = await backupSqlite(source, partial, {
    progress: ({ copiedPages, totalPages, pageSize }) => {
      progress ??= createProgress({ label, total: (totalPages * pageSize) / mib, unit: 'MiB', now });
      progress.advance(((copiedPages - reported) * pageSize) / mib);
      reported = copiedPages;
    },
  });
  const elapsed = now() - started;
  if (elapsed >= 1000) progress?.finish();
  return { ...copy, elapsed };
};

const backupKeyWarning = (config: Config, copyKey: boolean): string | undefined => {
  const liveKey = path.join(config.dataDir, 'secret.key');
  const source = secretKeySource(config);
  const warning =
    source === 'environment'
      ? 'the secret key comes from CHARTER_SECRET_KEY and is not in this backup (it is never written to a file). Keep that value with the backup'
      : source === 'none'
        ? `no secret key found (no CHARTER_SECRET_KEY, no ${liveKey}). If the database holds license keys or signing keys, find the key that sealed them and keep it with the backup`
        : copyKey
          ? undefined
          : `the secret key was left out (--no-key). Keep ${liveKey} with the backup`;
  return (
    warning &&
    `${warning}: the license keys and signing keys in it open only with that key, and a restore without it cannot recover them.`
  );
};

const backup = async (parsed: Parsed): Promise<number> => {
  const file = fileArgument(parsed, 'backup', backupUsage);
  if (!file) return 2;
  const config = loadConfig(configFileOption(parsed));
  if (config.databaseUrl) return printPostgres(config, file, 'backup');
  const source = sqliteFileOf(config);
  const destination = path.resolve(file);
  const keyDestination = `${destination}${keySuffix}`;
  const liveKey = path.join(config.dataDir, 'secret.key');
  const copyKey = parsed.values['no-key'] !== true && secretKeySource(config) === 'file';
  if (!existsSync(source)) throw new Error(`No database at ${source}: nothing to back up`);
  const live = [source, ...sqliteSidecars(source), liveKey];
  if (live.includes(destination) || live.includes(keyDestination))
    throw new Error(`${destination} is a file of the live data dir; back up to another path`);
  if (!existsSync(path.dirname(destination))) throw new Error(`${path.dirname(destination)} does not exist`);
  for (const existing of [destination, keyDestination])
    if (existsSync(existing) && parsed.values.force !== true)
      throw new Error(`${existing} exists; --force replaces it`);

  const partial = `${destination}.partial-${process.pid}`;
  let copy: Awaited<ReturnType<typeof copySqlite>>;
  try {
    copy = await copySqlite(source, partial, 'backup');
    // The key lands first: a backup file present means its key is too. A key left from an earlier backup would
    // pass for this one's: it goes.
    if (copyKey) writePrivateFile(keyDestination, Buffer.from(`${readKey(liveKey).toString('base64')}\n`));
    else rmSync(keyDestination, { force: true });
    renameDurably(partial, destination);
  } finally {
    removeSqlite(partial);
  }
  const migration = copy.lastMigration ?? 'none (not a migrated Charter database)';
  const out = [
    `backed up sqlite:${source} to ${destination}: ${sizeOf(copy.bytes)}, one consistent snapshot at migration ${migration}, in ${durationOf(copy.elapsed)}`,
    ...(copyKey
      ? [
          `secret key copied to ${keyDestination} (mode 0600): keep it with the backup, as safe as the server; the license keys and signing keys in the backup open only with it`,
        ]
      : []),
    `restore with: charter restore ${destination}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const warning = backupKeyWarning(config, copyKey);
  if (warning) process.stderr.write(`charter backup: WARNING: ${warning}\n`);
  return 0;
};

export const backupCommand: Command = {
  summary: 'back up the SQLite database and its secret key while the server runs',
  usage: backupUsage,
  positionals: true,
  options: { force: { type: 'boolean' }, 'no-key': { type: 'boolean' } },
  run: backup,
};
