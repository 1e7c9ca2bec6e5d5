// The committed changes to what a validation reads, as the id of each license changed ('*': possibly any), from
// every process that writes (migration 0025 records them). Both engines tell this process's own commits from the
// count of writing statements its connections completed (`Database.writesCompleted`): when it moved since the last
// look, the feed catches up before answering, so a validation always sees what this process committed before it.
// - SQLite: triggers append to validation_changes inside the writing transaction; catching up reads the log past
//   the last sequence number seen. Another process's commit (the CLI) is noticed by the read connection's
//   PRAGMA data_version, which moves when any other connection commits; asking costs a read transaction (about
//   as much as the validation's own read), so it is asked at most every 5 ms: the bound for another process.
// - PostgreSQL: triggers NOTIFY charter_validation; one connection per process LISTENs. Another process's change
//   arrives as its notification does (PostgreSQL sends it at commit; milliseconds). For this process's own
//   writes catching up is one round trip on the listening connection: PostgreSQL delivers the notifications
//   committed before it ahead of its answer. While the listening connection is down `catchUp` answers false
//   (nothing may be trusted); once back, '*'. A connection that dies silently (a network cut) is found by a probe
//   every 5 s that must answer within 2 s.
import pg from 'pg';
import { background } from '../lib/background.js';
import { yieldToEventLoop } from '../lib/yield.js';
import type { Database, SyncReader } from './connection.js';
import type { Executor } from './transaction.js';
import type { WriteBatcher } from './write-batcher.js';

export const changeChannel = 'charter_validation';
export const feedApplicationName = 'charter-change-feed';

export interface ChangeFeed {
  /**
   * Brings the feed up to the last committed change (calling the listener for each); false when it cannot vouch
   * for that (PostgreSQL's listening connection is down), so nothing remembered may be used.
   */
  catchUp(): boolean | Promise<boolean>;
  /** SQLite: deletes the log's rows older than the newest `keepRows` (run every minute by the feed itself). */
  prune?(): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  onChange: (licenseId: string) => void;
  log: { warn: (object: object, message: string) => void };
  /** SQLite: how many log rows to keep (older ones are pruned every minute). */
  keepRows?: number;
  /**
   * SQLite: the server's group commit, which the prune's deletes join: under writes they ride a commit that is
   * happening anyway (one fsync for many), where each alone would wait for its own fsync on the event loop.
   */
  writes?: WriteBatcher;
  /** PostgreSQL: wait before reconnecting the listening connection. */
  reconnectMs?: number;
}

/** The feed of this storage; undefined where none can be had (SQLite in memory has no second connection). */
export const openChangeFeed = (db: Database, options: ChangeFeedOptions): ChangeFeed | undefined => {
  if (db.dialect === 'postgres' && db.pgPool && db.writesCompleted)
    return postgresFeed(db.pgPool, db.writesCompleted, options);
  if (db.dialect === 'sqlite' && db.reader && db.writesCompleted)
    return sqliteFeed(db, db.reader, db.writesCompleted, options);
  return undefined;
};

/** Past this many changes at once, one '*' instead (a bulk write: cheaper to forget all than to read them). */
const maxRowsPerCatchUp = 10_000;

/** SQLite: log rows deleted per statement when pruning. */
const prunePage = 500;

/** SQLite: how often another process's commits are looked for (PRAGMA data_version). */
export const sqliteOtherProcessCheckMs = 5;

const sqliteFeed = (
  db: Database,
  reader: SyncReader,
  writesCompleted: () => number,
  options: ChangeFeedOptions,
): ChangeFeed => {
  const lastSeqSql = 'select coalesce(max(seq), 0) from validation_changes';
  const sinceSql = `select seq, license_id from validation_changes where seq > ? order by seq limit ${maxRowsPerCatchUp + 1}`;
  let version = reader.dataVersion();
  let nextVersionCheck = performance.now() + sqliteOtherProcessCheckMs;
  let seenWrites = writesCompleted();
  let lastSeq = Number(reader.firstRowValues(lastSeqSql, [])?.[0] ?? 0);
  const readLog = () => {
    const rows = reader.allRowValues(sinceSql, [lastSeq]);
    const first = rows[0];
    if (!first) return;
    // Sequence numbers are gapless in commit order: a gap means pruned rows this process never read.
    if (Number(first[0]) !== lastSeq + 1 || rows.length > maxRowsPerCatchUp) {
      options.onChange('*');
      lastSeq = Number(reader.firstRowValues(lastSeqSql, [])?.[0] ?? lastSeq);
      return;
    }
    for (const [seq, licenseId] of rows) {
      options.onChange(String(licenseId));
      lastSeq = Number(seq);
    }
  };
  const catchUp = (): boolean => {
    // Counted before reading: a commit after this moves the count again, and the next call reads its rows.
    const writes = writesCompleted();
    if (writes !== seenWrites) {
      seenWrites = writes;
      readLog();
    }
    const now = performance.now();
    if (now >= nextVersionCheck) {
      nextVersionCheck = now + sqliteOtherProcessCheckMs;
      const current = reader.dataVersion();
      if (current !== version) {
        version = current;
        readLog();
      }
    }
    return true;
  };
  const keep = options.keepRows ?? 50_000;
  const prune = async () => {
    // Ranges of 500 sequence numbers with a turn of the event loop between: a bulk write's million rows never
    // hold requests up for more than one small delete.
    const bounds = await db.kysely
      .selectFrom('validation_changes')
      .select((eb) => [eb.fn.min('seq').as('oldest'), eb.fn.max('seq').as('newest')])
      .executeTakeFirst();
    const below = Number(bounds?.newest ?? 0) - keep;
    for (let from = Number(bounds?.oldest ?? 0); from <= below; from += prunePage) {
      const upTo = Math.min(below, from + prunePage - 1);
      const page = async (executor: Executor) => {
        await executor.deleteFrom('validation_changes').where('seq', '<=', upTo).execute();
      };
      await (options.writes ? options.writes.run(page) : page(db.kysely));
      await yieldToEventLoop();
    }
  };
  const timer = setInterval(() => {
    background('validation-changes-prune', prune).catch((error: unknown) =>
      options.log.warn({ err: error }, 'pruning the validation change log failed'),
    );
  }, 60_000);
  timer.unref();
  return {
    catchUp,
    prune,
    close: async () => clearInterval(timer),
  };
};

/** PostgreSQL: how often the listening connection is probed, and how long an answer may take. */
const probeEveryMs = 5_000;
const probeTimeoutMs = 2_000;

const postgresFeed = (
  pool: pg.Pool,
  writesCompleted: () => number,
  options: ChangeFeedOptions,
): ChangeFeed => {
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let reconnect: NodeJS.Timeout | undefined;
  /** Writes of this process that the listening connection has provably seen the notifications of. */
  let seenWrites = writesCompleted();
  let pending: { promise: Promise<boolean>; writes: number } | undefined;

  const lost = (current: pg.Client, error?: unknown) => {
    if (client !== current) return;
    client = undefined;
    live = false;
    current.end().catch(() => {});
    if (closed) return;
    options.log.warn({ err: error }, 'the validation change feed lost its connection; reconnecting');
    reconnect = setTimeout(connect, options.reconnectMs ?? 1_000);
    reconnect.unref();
  };

  const connect = async () => {
    const current = new pg.Client({
      ...pool.options,
      // Named in pg_stat_activity, so an operator can tell it from the pool's connections.
      application_name: feedApplicationName,
      keepAlive: true,
      query_timeout: probeTimeoutMs,
    });
    client = current;
    current.on('error', (error) => lost(current, error));
    current.on('end', () => lost(current));
    current.on('notification', (message) => {
      if (message.channel === changeChannel) options.onChange(message.payload ?? '*');
    });
    try {
      await current.connect();
      await current.query(`listen ${changeChannel}`);
      if (client !== current) return;
      // Anything may have changed while no one listened.
      options.onChange('*');
      live = true;
    } catch (error) {
      lost(current, error);
    }
  };
  const ready = connect();
  // A connection that dies without closing its socket (a network cut) is found by a probe that gets no answer.
  const probe = setInterval(() => {
    const current = client;
    if (live && current && !pending) current.query('select 1').catch((error) => lost(current, error));
  }, probeEveryMs);
  probe.unref();

  const barrier = (writes: number): Promise<boolean> => {
    if (pending && pending.writes >= writes) return pending.promise;
    const previous = pending?.promise ?? Promise.resolve(true);
    const promise = previous
      .then(async () => {
        const current = client;
        if (!live || !current) return false;
        // A notification committed before this round trip is delivered (and handled) before its answer.
        await current.query('select 1');
        seenWrites = Math.max(seenWrites, writes);
        return live && client === current;
      })
      .catch(() => false);
    const entry = { promise, writes };
    pending = entry;
    promise.finally(() => {
      if (pending === entry) pending = undefined;
    });
    return promise;
  };

  return {
    catchUp: () => {
      if (!live) return false;
      const writes = writesCompleted();
      return writes === seenWrites ? true : barrier(writes);
    },
    close: async () => {
      closed = true;
      clearTimeout(reconnect);
      clearInterval(probe);
      await ready;
      const current = client;
      client = undefined;
      live = false;
      await current?.end().catch(() => {});
    },
  };
};
