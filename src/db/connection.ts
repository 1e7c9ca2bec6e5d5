// Storage connections: Kysely over better-sqlite3 (the default, a file in the data dir) or over pg (DATABASE_URL).
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import pg from 'pg';
import { backstopCheckpointPages, type Checkpointer, startCheckpointer } from './checkpointer.js';
import type { Schema } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly kysely: Kysely<Schema>;
  readonly dialect: DialectName;
  /** Human description for logs: the SQLite file, or the PostgreSQL host and database (never the password). */
  readonly description: string;
  /** PostgreSQL schema set as search_path by the caller (tests); otherwise the server's current_schema(). */
  readonly schema?: string;
  /** The pg pool, for libraries that speak to PostgreSQL themselves (the shared rate-limit store). */
  readonly pgPool?: pg.Pool;
  /**
   * How many statements other than a plain select this process has completed on its writing connections (commits
   * included): when it has not moved, this process committed nothing since. A reader that must see this
   * process's own writes compares it (db/change-feed.ts).
   */
  readonly writesCompleted?: () => number;
  /**
   * SQLite on a file: a second, read-only connection for the hot reads (validation). It reads without Kysely's
   * per-query machinery and connection mutex, so a read never queues behind an open write transaction, and WAL
   * shows it only committed data: what it reads is what was acknowledged.
   */
  readonly reader?: SyncReader;
  /**
   * SQLite: reads as values on the writer's own connection, for reads inside a write transaction (SQLite has one
   * connection, so this is the transaction's connection; call it only from inside one, where it sees that
   * transaction's writes).
   */
  readonly writerValues?: SyncReader;
  /** SQLite opened for the server: WAL checkpoints run on a worker thread (see checkpointer.ts). */
  readonly checkpointer?: Checkpointer;
  close(): Promise<void>;
}

export interface SyncReader {
  /**
   * The first row of a compiled query (SQL compiled by Kysely, parameters bound) as its column values in select
   * order, or undefined. Values, not an object: building a 40-key object per row costs more than the read.
   */
  firstRowValues(sql: string, parameters: readonly unknown[]): unknown[] | undefined;
  /** Every row of a compiled query, each as its column values in select order. */
  allRowValues(sql: string, parameters: readonly unknown[]): unknown[][];
  /** SQLite's PRAGMA data_version on this connection: it moves when another connection commits. */
  dataVersion(): number;
}

export type StorageOptions =
  | { dialect: 'sqlite'; file: string; backgroundCheckpoints?: boolean }
  | {
      dialect: 'postgres';
      url: string;
      searchPath?: string;
      poolSize?: number;
      /** Run the registered hot statements prepared (default); off behind a transaction-mode pooler. */
      preparedStatements?: boolean;
    };

/**
 * SQLite transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so a read-check-write
 * never fails half-way with SQLITE_BUSY on upgrade when another process (the CLI) writes too.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** better-sqlite3 with a statement cache: Kysely prepares every query anew, and preparing costs more than running. */
const withStatementCache = (
  database: SqliteDatabase.Database,
  configure: (statement: SqliteDatabase.Statement) => SqliteDatabase.Statement = (statement) => statement,
  capacity = 500,
) => {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = configure(database.prepare(sql));
        if (statements.size >= capacity) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
};

/** A SyncReader over a connection that gives rows as values (statements prepared raw). */
const syncReader = (connection: () => ReturnType<typeof withStatementCache>): SyncReader => ({
  firstRowValues: (sql, parameters) =>
    connection()
      .prepare(sql)
      .get(...parameters) as unknown[] | undefined,
  allRowValues: (sql, parameters) =>
    connection()
      .prepare(sql)
      .all(...parameters) as unknown[][],
  dataVersion: () => (connection().prepare('pragma data_version').get() as [number])[0],
});

/** Opened on first use, once the writer has made the file and switched it to WAL. */
const readerOn = (file: string) => {
  let connection: ReturnType<typeof withStatementCache> | undefined;
  const reader = syncReader(() => {
    if (!connection) {
      const database = new SqliteDatabase(file, { readonly: true, timeout: 5000 });
      connection = withStatementCache(database, (statement) => statement.raw(true));
    }
    return connection;
  });
  return { reader, close: () => connection?.close() };
};

const isPlainSelect = (sql: string) => /^\s*select\b/i.test(sql);

/**
 * A statement whose every completed execution calls `onWrite`, with only what Kysely's SQLite driver uses of it
 * (reader, all, run; iterate serves selects only). SQLite calls COMMIT read-only, so statements are told apart by
 * their text: anything but a plain select counts.
 */
const countingStatement = (statement: SqliteDatabase.Statement, onWrite: () => void) =>
  ({
    reader: statement.reader,
    all: (...parameters: unknown[]) => {
      const rows = statement.all(...parameters);
      onWrite();
      return rows;
    },
    run: (...parameters: unknown[]) => {
      const result = statement.run(...parameters);
      onWrite();
      return result;
    },
    iterate: (...parameters: unknown[]) => statement.iterate(...parameters),
  }) as unknown as SqliteDatabase.Statement;

const openSqlite = (file: string, backgroundCheckpoints: boolean): Database => {
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // A new database file is the owner's only, as secret.key beside it (SQLite gives its -wal and -shm files the
    // same mode); an existing file keeps the mode its owner chose.
    closeSync(openSync(file, 'a', 0o600));
  }
  const database = new SqliteDatabase(file, { timeout: 5000 });
  database.pragma('journal_mode = WAL');
  // FULL: an acknowledged write survives power loss, not only a process crash.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Statement journals in memory: each write job of a group commit runs in its own savepoint (write-batcher.ts),
  // whose journal of the pages it changed SQLite otherwise spills to a temporary file once past 64 KiB — about 24
  // write syscalls per activation, half its system time. Nothing durable lives there (the WAL is the journal), and
  // it holds only the pages one transaction changed. A sort or grouping too big for the page cache would spill to
  // memory as well; Charter's lists and scans are paged in index order, so none of them sorts a whole table.
  database.pragma('temp_store = MEMORY');
  let writes = 0;
  const onWrite = () => {
    writes++;
  };
  const driverConfig = {
    database: withStatementCache(database, (statement) =>
      isPlainSelect(statement.source) ? statement : countingStatement(statement, onWrite),
    ),
  };
  const valuesOnWriter = withStatementCache(database, (statement) => statement.raw(true));
  const writerValues = syncReader(() => valuesOnWriter);
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ImmediateSqliteDriver(driverConfig),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  const kysely = new Kysely<Schema>({ dialect });
  // An in-memory database exists on its own connection only: no second connection can read it.
  const onFile = file !== ':memory:';
  const read = onFile ? readerOn(file) : undefined;
  let checkpointer: Checkpointer | undefined;
  if (onFile && backgroundCheckpoints) {
    database.pragma(`wal_autocheckpoint = ${backstopCheckpointPages}`);
    checkpointer = startCheckpointer(file);
  }
  return {
    kysely,
    dialect: 'sqlite',
    description: `sqlite:${file}`,
    ...(read ? { reader: read.reader } : {}),
    writerValues,
    writesCompleted: () => writes,
    ...(checkpointer ? { checkpointer } : {}),
    close: async () => {
      // The writer closes last: as the last connection it checkpoints the WAL into the file and removes it.
      await checkpointer?.stop();
      read?.close();
      await kysely.destroy();
    },
  };
};

// int8 (bigint) columns hold epoch-ms timestamps and counters, all within Number's safe range.
const int8Oid = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * PostgreSQL plans a statement anew for each unnamed query: for validation's read, 0.9 ms of planning against 0.15 ms
 * of execution. The hot statements (registered with `preparedOnPostgres`) run as named prepared statements instead:
 * each connection parses and plans one once and then only binds and executes it (validation's read 620 → 170 µs a
 * call here). Only registered statements: a name per distinct text would grow without bound with `in (…)` lists.
 * A named statement lives on its connection: behind a pooler in transaction mode (pgbouncer) that breaks, so
 * CHARTER_PG_PREPARED_STATEMENTS=false turns it off.
 */
const statementNames = new Map<string, string>();

/** Marks a statement (its exact SQL text) as one to run prepared on PostgreSQL connections. */
export const preparedOnPostgres = (sql: string): void => {
  if (!statementNames.has(sql)) statementNames.set(sql, `charter_${statementNames.size + 1}`);
};

/**
 * Wraps a pool client's query (Kysely calls query(text, values)): a registered text runs as its named statement
 * (when `prepared`), and each completed statement that is not a plain select calls `onWrite`.
 */
const instrumentClient = (client: pg.PoolClient, prepared: boolean, onWrite: () => void) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string') return query(...args);
    const name = prepared && Array.isArray(values) ? statementNames.get(text) : undefined;
    const result = name === undefined ? query(...args) : query({ name, text, values });
    if (isPlainSelect(text) || !(result instanceof Promise)) return result;
    return result.then((value) => {
      onWrite();
      return value;
    });
  }) as typeof client.query;
};

const describePostgres = (url: string): string => {
  const parsed = new URL(url);
  return `postgres://${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
};

const openPostgres = (
  url: string,
  searchPath?: string,
  poolSize = 10,
  preparedStatements = true,
): Database => {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
  });
  // A client losing its connection must not crash the process, idle in the pool or checked out between queries
  // (the monitor's leader holds one for its advisory lock): the next query on it reports the loss.
  pool.on('error', () => {});
  let writes = 0;
  pool.on('connect', (client) => {
    client.on('error', () => {});
    instrumentClient(client, preparedStatements, () => {
      writes++;
    });
  });
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    description: describePostgres(url),
    ...(searchPath ? { schema: searchPath } : {}),
    pgPool: pool,
    writesCompleted: () => writes,
    close: () => kysely.destroy(),
  };
};

/** One round trip to storage: throws when it does not answer (readiness). */
export const pingDatabase = async (db: Database): Promise<void> => {
  await db.kysely.executeQuery(CompiledQuery.raw('select 1'));
};

export const openDatabase = (options: StorageOptions): Database =>
  options.dialect === 'sqlite'
    ? openSqlite(options.file, options.backgroundCheckpoints ?? false)
    : openPostgres(options.url, options.searchPath, options.poolSize, options.preparedStatements);

/**
 * The storage the configuration names: PostgreSQL when DATABASE_URL is set, else `charter.db` in the data dir.
 * The server (`forServer`) checkpoints SQLite's WAL on a worker thread; short-lived commands leave it to SQLite.
 */
export const storageOptionsFromConfig = (
  config: {
    databaseUrl: string | undefined;
    dataDir: string;
    pgPreparedStatements?: boolean;
  },
  { forServer = false }: { forServer?: boolean } = {},
): StorageOptions =>
  config.databaseUrl
    ? {
        dialect: 'postgres',
        url: config.databaseUrl,
        ...(config.pgPreparedStatements === false ? { preparedStatements: false } : {}),
      }
    : {
        dialect: 'sqlite',
        file: path.join(config.dataDir, 'charter.db'),
        ...(forServer ? { backgroundCheckpoints: true } : {}),
      };
