// Leadership among processes sharing one database: on PostgreSQL, a session advisory lock held on a connection of
// its own for as long as the process leads; on SQLite, one process owns the database and always leads.
import type pg from 'pg';
import type { Database } from './connection.js';

export interface Leadership {
  isLeader(): boolean;
  /** Lets the lock go (if held) and returns the connection; resolves once both are done. */
  stop(): Promise<void>;
}

/**
 * Tries for the lock every `retryMs` until it is taken, then checks the held connection at the same pace. The lock
 * is keyed by `key` and the hash of the schema the tables live in, so installations sharing one PostgreSQL database
 * in different schemas each have their own leader. When the leader dies its connection closes and the lock goes
 * with it: another process takes it at its next try.
 */
export const holdLeadership = (
  db: Database,
  options: {
    key: number;
    retryMs: number;
    onLead: () => void;
    onConnectionLost: (error: unknown) => void;
  },
): Leadership => {
  if (db.dialect === 'sqlite') return { isLeader: () => true, stop: async () => {} };
  const { key, retryMs } = options;
  let leader = false;
  let stopped = false;
  let wake: () => void = () => {};
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const pool = db.pgPool;
  if (!pool) throw new Error('A PostgreSQL database without its pool cannot hold leadership');
  const tryLock = 'select pg_try_advisory_lock($1::int, hashtext(current_schema())) as locked';
  const unlock = 'select pg_advisory_unlock($1::int, hashtext(current_schema()))';
  const lead = async () => {
    while (!stopped) {
      let client: pg.PoolClient | undefined;
      let lost: Error | undefined;
      // A connection that ends while idle says so by an event, not by a failed query: it wakes the loop.
      const onError = (error: Error) => {
        lost = error;
        wake();
      };
      try {
        client = await pool.connect();
        client.on('error', onError);
        while (!stopped) {
          const { rows } = await client.query<{ locked: boolean }>(tryLock, [key]);
          if (rows[0]?.locked) {
            leader = true;
            options.onLead();
            // The lock lives as long as this connection: a check that fails means both are gone, and this
            // process stops leading until it takes the lock again.
            while (!stopped) {
              await pause(retryMs);
              if (lost) throw lost;
              await client.query('select 1');
            }
            await client.query(unlock, [key]);
            return;
          }
          await pause(retryMs);
          if (lost) throw lost;
        }
      } catch (error) {
        lost ??= error instanceof Error ? error : new Error(String(error));
        leader = false;
        if (!stopped) options.onConnectionLost(error);
      } finally {
        leader = false;
        client?.removeListener('error', onError);
        // A failed connection is destroyed, never handed back to the pool for the next query to meet.
        client?.release(lost);
      }
      if (!stopped) await pause(retryMs);
    }
  };
  const held = lead();
  return {
    isLeader: () => leader,
    stop: async () => {
      stopped = true;
      wake();
      await held;
    },
  };
};
