// Backup and restore at the storage level: SQLite's online backup of one read snapshot, the checks a copied file
// passes before it replaces a database, whether a process has a database open, files put in place durably, and
// the PostgreSQL commands to use.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { migrations } from './migrations/index.js';

export interface BackupProgress {
  copiedPages: number;
  totalPages: number;
  pageSize: number;
}

export interface SqliteCopy {
  pages: number;
  bytes: number;
  /** The newest migration the copy has applied; undefined when it has none (not a Charter database). */
  lastMigration: string | undefined;
}

/** The files SQLite keeps beside a database: the write-ahead log and its index, or a rollback journal. */
export const sqliteSidecars = (file: string): string[] => [`${file}-wal`, `${file}-shm`, `${file}-journal`];

/** Removes a SQLite file and whatever SQLite kept beside it (a copy that failed or was abandoned). */
export const removeSqlite = (file: string): void => {
  for (const leftover of [file, ...sqliteSidecars(file)]) rmSync(leftover, { force: true });
};

/** Flushes a directory, so that a rename in it survives power loss. */
const syncDirectory = (directory: string): void => {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Renames `from` over `to` and flushes the directory. */
export const renameDurably = (from: string, to: string): void => {
  renameSync(from, to);
  syncDirectory(path.dirname(to));
};

/** Writes a file readable by its owner only (0600) beside `target`, flushed, then renames it into place: a reader
 * never meets it half-written. */
export const writePrivateFile = (target: string, content: Buffer): void => {
  const partial = `${target}.partial-${process.pid}`;
  try {
    writeFileSync(partial, content, { mode: 0o600, flag: 'wx', flush: true });
    renameDurably(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
};

/**
 * Copies the SQLite database `source` into `destination` (an empty or new file) with SQLite's backup API, while
 * other processes go on reading and writing it. The copy is the snapshot of one read transaction held across every
 * step: SQLite otherwise restarts a stepwise backup whenever another connection (the server) commits between two
 * steps, and under steady writes it never finishes. In WAL mode that read transaction blocks no writer. The copy
 * is left in rollback-journal mode: one self-contained file that opens anywhere, read-only too.
 */
export const backupSqlite = async (
  source: string,
  destination: string,
  options: { progress?: (progress: BackupProgress) => void; pagesPerStep?: number } = {},
): Promise<SqliteCopy> => {
  const pagesPerStep = options.pagesPerStep ?? 1024;
  const database = new SqliteDatabase(source, { readonly: true, fileMustExist: true, timeout: 5000 });
  let copy: { totalPages: number };
  let lastMigration: string | undefined;
  let pageSize: number;
  try {
    database.exec('begin');
    // The first read starts the snapshot; the backup below copies exactly what this read sees.
    lastMigration = newestMigration(database);
    pageSize = database.pragma('page_size', { simple: true }) as number;
    copy = await database.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        options.progress?.({ copiedPages: totalPages - remainingPages, totalPages, pageSize });
        return pagesPerStep;
      },
    });
    database.exec('commit');
  } finally {
    database.close();
  }
  const written = new SqliteDatabase(destination, { fileMustExist: true });
  try {
    written.pragma('journal_mode = DELETE');
  } finally {
    written.close();
  }
  options.progress?.({ copiedPages: copy.totalPages, totalPages: copy.totalPages, pageSize });
  return { pages: copy.totalPages, bytes: copy.totalPages * pageSize, lastMigration };
};

const newestMigration = (database: SqliteDatabase.Database): string | undefined => {
  const table = database
    .prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'")
    .get();
  if (!table) return undefined;
  return database.prepare('select name from kysely_migration order by name desc limit 1').pluck().get() as
    | string
    | undefined;
};

export interface SqliteInspection {
  /** `PRAGMA integrity_check`'s findings; empty when it answers ok. */
  integrityProblems: string[];
  /** Migrations the file has applied, in order. */
  applied: string[];
  /** Applied migrations this version of Charter does not know (the file comes from a newer version). */
  unknown: string[];
  /** Migrations this version has and the file has not applied yet (the server applies them at its next start). */
  pending: string[];
}

/** Checks a SQLite file before it becomes the database: its integrity, and whether its migrations are known. */
export const inspectSqlite = (file: string): SqliteInspection => {
  const database = new SqliteDatabase(file, { fileMustExist: true, timeout: 5000 });
  try {
    const findings = database.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    const integrityProblems = findings
      .map((row) => row.integrity_check)
      .filter((finding) => finding !== 'ok');
    const applied =
      newestMigration(database) === undefined
        ? []
        : (database.prepare('select name from kysely_migration order by name').pluck().all() as string[]);
    const known = Object.keys(migrations);
    return {
      integrityProblems,
      applied,
      unknown: applied.filter((name) => !known.includes(name)),
      pending: known.filter((name) => !applied.includes(name)),
    };
  } finally {
    database.close();
  }
};

/**
 * Whether another connection, in this process or another, has the SQLite database open. In WAL mode every open
 * connection (a running server's writer, reader and checkpointer, any charter command) holds a shared lock on the
 * database file for as long as it is open; this takes the exclusive lock for a moment, without waiting, and lets it
 * go at once. Reliable on a local file system; network file systems may not honour the locks.
 */
export const sqliteInUse = (file: string): boolean => {
  if (!existsSync(file)) return false;
  const database = new SqliteDatabase(file, { fileMustExist: true, timeout: 0 });
  try {
    database.pragma('locking_mode = EXCLUSIVE');
    database.prepare('select count(*) from sqlite_master').get();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
    throw error;
  } finally {
    // As the only connection, closing checkpoints the write-ahead log into the file and removes it.
    database.close();
  }
};

export interface PostgresBackupCommands {
  /** The database as the server logs it: host, port and name, never the password. */
  description: string;
  /** `pg_dump` in custom format (-Fc) to `file`. */
  dump: string;
  /** `pg_restore` of `file` into the same database. */
  restore: string;
}

const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The pg_dump and pg_restore commands for the database of `url`: its host, port, database, user, the schema its
 * `options=-c search_path=…` names, and its sslmode; never its password (the tools ask for it, or read PGPASSWORD
 * or ~/.pgpass).
 */
export const postgresBackupCommands = (url: string, file: string): PostgresBackupCommands => {
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host') ?? parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const connection = [
    ...(host ? ['-h', host] : []),
    '-p',
    parsed.port || '5432',
    ...(parsed.username ? ['-U', decodeURIComponent(parsed.username)] : []),
    ...(parsed.pathname.length > 1 ? ['-d', decodeURIComponent(parsed.pathname.slice(1))] : []),
  ];
  const schema = /search_path\s*=\s*([^\s,]+)/.exec(parsed.searchParams.get('options') ?? '')?.[1];
  const sslMode = parsed.searchParams.get('sslmode');
  const prefix = sslMode ? [`PGSSLMODE=${sslMode}`] : [];
  const line = (words: string[]) => words.map(shellWord).join(' ');
  return {
    description: `postgres://${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`,
    dump: line([...prefix, 'pg_dump', '-Fc', ...connection, ...(schema ? ['-n', schema] : []), '-f', file]),
    restore: line([...prefix, 'pg_restore', '--single-transaction', '--no-owner', ...connection, file]),
  };
};
