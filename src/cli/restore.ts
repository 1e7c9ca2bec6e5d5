// charter restore <file>: a backup made by charter backup put back into the configured data dir, with its secret
// key, once the copy passes its checks (integrity, known migrations, the key opens it); the database and key it
// replaces are kept aside. On PostgreSQL it prints the pg_restore command to use. Why the key travels with the
// backup: backup.ts.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { checkSecretKey } from '../access/signing-keys/service.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import {
  inspectSqlite,
  removeSqlite,
  renameDurably,
  sqliteInUse,
  sqliteSidecars,
  writePrivateFile,
} from '../db/backup.js';
import { openDatabase } from '../db/connection.js';
import { systemClock } from '../lib/clock.js';
import { createSealer, loadSecretKey, SealError, type Sealer } from '../lib/sealing.js';
import { licensePage } from '../licensing/licenses/service.js';
import {
  copySqlite,
  fileArgument,
  keySuffix,
  type Parsed,
  printPostgres,
  readKey,
  sizeOf,
  sqliteFileOf,
} from './backup.js';
import { type Command, configFileOption } from './command.js';

const restoreUsage = [
  'Usage: charter restore <file> [--force] [--key <file>] [--config <file>]',
  '',
  'Restores a backup made by charter backup into the configured data dir (CHARTER_DATA_DIR/charter.db), with the',
  'secret key beside it (<file>.secret.key, or --key) as CHARTER_DATA_DIR/secret.key (0600). Before anything is',
  'replaced, the copy must pass PRAGMA integrity_check, have applied only migrations this version knows (pending',
  'ones run at the next start), and its license keys and signing keys must open with the key it will be used with.',
  '',
  '  --force       replace an existing database (and a different secret.key); the replaced files are kept',
  '                beside them as charter.db.replaced-<time> and secret.key.replaced-<time>',
  '  --key <file>  the secret key, when it is not <file>.secret.key',
  '',
  'Refuses while another process has the database open: a running charter serve holds a shared SQLite lock, and',
  'restore tries the exclusive lock without waiting. Stop the server first, start it again afterwards. (Locks',
  'are not reliable on network file systems, and a server started during the final rename is not seen.)',
  'With CHARTER_SECRET_KEY set, the server uses that key: it must open the backup, and no key file is written.',
  'On PostgreSQL (DATABASE_URL) it prints the pg_restore command to use, without the password, and runs nothing.',
].join('\n');

/** What a restore reads and writes, and which secret key the restored database will be used with. */
interface RestorePlan {
  backupFile: string;
  backupKeyFile: string;
  target: string;
  targetExists: boolean;
  targetKeyFile: string;
  /** The backup's key, to be written as the data dir's secret.key. */
  writeKey: boolean;
  presentKey: Buffer | undefined;
  /** The key the server will use: CHARTER_SECRET_KEY, else the backup's, else the data dir's. */
  key: { bytes: Buffer; name: string } | undefined;
  fromEnvironment: boolean;
}

const refuseWhileOpen = (target: string) => {
  if (sqliteInUse(target))
    throw new Error(
      `${target} is open in another process (a running charter serve, or another charter command); stop it, then restore`,
    );
};

/** Everything restore can refuse before it copies a byte. */
const planRestore = (parsed: Parsed, config: Config, file: string): RestorePlan => {
  const force = parsed.values.force === true;
  const backupFile = path.resolve(file);
  const keyOption = parsed.values.key;
  const backupKeyFile = typeof keyOption === 'string' ? path.resolve(keyOption) : `${backupFile}${keySuffix}`;
  const target = sqliteFileOf(config);
  const targetKeyFile = path.join(config.dataDir, 'secret.key');
  if (!existsSync(backupFile)) throw new Error(`${backupFile} does not exist`);
  if (typeof keyOption === 'string' && !existsSync(backupKeyFile))
    throw new Error(`${backupKeyFile} does not exist`);
  if (backupFile === target) throw new Error(`${backupFile} is the configured database itself`);
  const targetExists = existsSync(target);
  if (targetExists && !force)
    throw new Error(`${target} exists; --force replaces it (the replaced database is kept beside it)`);
  if (targetExists) refuseWhileOpen(target);
  const backupKey = existsSync(backupKeyFile) ? readKey(backupKeyFile) : undefined;
  const presentKey = existsSync(targetKeyFile) ? readKey(targetKeyFile) : undefined;
  const environmentKey = config.secretKey ? loadSecretKey(config) : undefined;
  const writeKey = backupKey !== undefined && !environmentKey && !presentKey?.equals(backupKey);
  if (writeKey && presentKey && !force)
    throw new Error(
      `${targetKeyFile} holds another secret key than ${backupKeyFile}; --force replaces it (the replaced key is kept beside it)`,
    );
  const key = environmentKey
    ? { bytes: environmentKey, name: 'CHARTER_SECRET_KEY' }
    : backupKey
      ? { bytes: backupKey, name: backupKeyFile }
      : presentKey && { bytes: presentKey, name: targetKeyFile };
  return {
    backupFile,
    backupKeyFile,
    target,
    targetExists,
    targetKeyFile,
    writeKey,
    presentKey,
    key,
    fromEnvironment: environmentKey !== undefined,
  };
};

const noKey: Sealer = {
  seal: () => {
    throw new SealError('no secret key');
  },
  open: () => {
    throw new SealError('no secret key');
  },
};

/** Refuses unless a signing key and a license key of `file` open with the plan's key (the server's own check). */
const assertKeyOpens = async (file: string, plan: RestorePlan) => {
  const sealer = plan.key ? createSealer(plan.key.bytes) : noKey;
  const db = openDatabase({ dialect: 'sqlite', file });
  try {
    await checkSecretKey(db, { source: plan.key ? 'file' : 'none', open: () => sealer });
    await licensePage({ db, clock: systemClock, sealer }, undefined, { limit: 1 });
  } catch (error) {
    if (!(error instanceof SealError || error instanceof ConfigError)) throw error;
    const sealed = `the license keys and signing keys of ${plan.backupFile}`;
    throw new Error(
      !plan.key
        ? `${sealed} are sealed with a secret key, and there is none: no ${plan.backupFile}${keySuffix}, no --key, no CHARTER_SECRET_KEY, no secret.key in the data dir`
        : plan.fromEnvironment
          ? `CHARTER_SECRET_KEY does not open ${sealed}; the server uses it when set: set it to the key the backup was made with, or unset it`
          : `${plan.key.name} does not open ${sealed}: name the key it was made with (--key <file>)`,
    );
  } finally {
    await db.close();
  }
};

/** Copies the backup into the data dir beside the target and checks the copy; throws, copy removed, on a fault. */
const checkedCopy = async (plan: RestorePlan, partial: string) => {
  let copy: Awaited<ReturnType<typeof copySqlite>>;
  try {
    copy = await copySqlite(plan.backupFile, partial, 'restore');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB') throw new Error(`${plan.backupFile} is not a SQLite database`);
    if (code.startsWith('SQLITE_CORRUPT'))
      throw new Error(`${plan.backupFile} is damaged (${(error as Error).message}): it cannot be restored`);
    throw error;
  }
  // A large copy took a while; its check takes about as long, and says so rather than sit silent.
  if (copy.elapsed >= 1000) process.stderr.write('restore: checking the copy (PRAGMA integrity_check) …\n');
  const inspection = inspectSqlite(partial);
  const problems = inspection.integrityProblems;
  if (problems.length > 0)
    throw new Error(`${plan.backupFile} fails PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`);
  if (inspection.applied.length === 0)
    throw new Error(`${plan.backupFile} is not a Charter database: it has applied no migrations`);
  if (inspection.unknown.length > 0)
    throw new Error(
      `${plan.backupFile} comes from a newer Charter: it has applied migrations this version does not know (${inspection.unknown.join(', ')}); restore it with that version or a later one`,
    );
  await assertKeyOpens(partial, plan);
  return { ...copy, inspection };
};

/** Puts the checked copy and its key in place, the replaced files kept aside; returns what was kept. */
const swapIn = (plan: RestorePlan, partial: string): string[] => {
  const stamp = systemClock
    .now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const kept: string[] = [];
  if (plan.targetExists) refuseWhileOpen(plan.target);
  // The key first: no server finds the new database without its key.
  if (plan.writeKey) {
    if (plan.presentKey) {
      renameSync(plan.targetKeyFile, `${plan.targetKeyFile}.replaced-${stamp}`);
      kept.push(`${plan.targetKeyFile}.replaced-${stamp}`);
    }
    writePrivateFile(plan.targetKeyFile, readFileSync(plan.backupKeyFile));
  }
  if (plan.targetExists) {
    // A write-ahead log goes with its database, under the matching name; the -shm index is rebuilt from it.
    const aside = `${plan.target}.replaced-${stamp}`;
    renameSync(plan.target, aside);
    if (existsSync(`${plan.target}-wal`)) renameSync(`${plan.target}-wal`, `${aside}-wal`);
    kept.push(aside);
  }
  // Whatever is left beside the target belongs to no database now; a stale log must never meet the new file.
  for (const sidecar of sqliteSidecars(plan.target)) rmSync(sidecar, { force: true });
  renameDurably(partial, plan.target);
  return kept;
};

const restoredKeyLine = (plan: RestorePlan): string => {
  if (plan.fromEnvironment)
    return `secret key: CHARTER_SECRET_KEY, which opens the restored database${
      existsSync(plan.backupKeyFile)
        ? `; ${plan.backupKeyFile} was not copied, since the server uses the variable`
        : ''
    }`;
  if (plan.writeKey)
    return `secret key: ${plan.backupKeyFile} restored to ${plan.targetKeyFile} (mode 0600); it opens the restored license keys and signing keys`;
  if (plan.key?.name === plan.backupKeyFile)
    return `secret key: ${plan.targetKeyFile} already holds the backup's key`;
  if (plan.key)
    return `secret key: the backup has none beside it; ${plan.targetKeyFile}, already in the data dir, opens it`;
  return 'secret key: none; the database holds no sealed values, and the server makes a key at its first start';
};

const restore = async (parsed: Parsed): Promise<number> => {
  const file = fileArgument(parsed, 'restore', restoreUsage);
  if (!file) return 2;
  const config = loadConfig(configFileOption(parsed));
  if (config.databaseUrl) return printPostgres(config, file, 'restore');
  const plan = planRestore(parsed, config, file);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const partial = `${plan.target}.restoring-${process.pid}`;
  let copy: Awaited<ReturnType<typeof checkedCopy>>;
  let kept: string[];
  try {
    copy = await checkedCopy(plan, partial);
    kept = swapIn(plan, partial);
  } finally {
    removeSqlite(partial);
  }
  const { applied, pending } = copy.inspection;
  const out = [
    `restored ${plan.backupFile} into ${plan.target}: ${sizeOf(copy.bytes)}, integrity ok, at migration ${copy.lastMigration} (${applied.length} applied, all known to this version${
      pending.length > 0 ? `; ${pending.length} pending, which the server applies at its next start` : ''
    })`,
    restoredKeyLine(plan),
    ...(kept.length > 0
      ? [`kept what was replaced: ${kept.join(', ')}; delete it once the restore is confirmed`]
      : []),
    'start the server: charter serve',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
};

export const restoreCommand: Command = {
  summary: 'restore a backup (database and secret key) into the data dir',
  usage: restoreUsage,
  positionals: true,
  options: { force: { type: 'boolean' }, key: { type: 'string' } },
  run: restore,
};
