// Leadership among processes sharing one database: on PostgreSQL, a session advisory lock held on a connection of
// its own for as long as the process leads; on SQLite, one process owns the database and always leads.
import { sql } from 'kysely';
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
  const tryLock = sql<{
    locked: boolean;
  }>`select pg_try_advisory_lock(${key}::int, hashtext(current_schema())) as locked`;
  const unlock = sql`select pg_advisory_unlock(${key}::int, hashtext(current_schema()))`;
  const lead = async () => {
    while (!stopped) {
      try {
        await db.kysely.connection().execute(async (connection) => {
          while (!stopped) {
            if ((await tryLock.execute(connection)).rows[0]?.locked) {
              leader = true;
              options.onLead();
              // The lock lives as long as this connection: a check that fails means both are gone, and this
              // process stops leading until it takes the lock again.
              while (!stopped) {
                await pause(retryMs);
                await sql`select 1`.execute(connection);
              }
              await unlock.execute(connection);
              leader = false;
              return;
            }
            await pause(retryMs);
          }
        });
      } catch (error) {
        leader = false;
        if (stopped) return;
        options.onConnectionLost(error);
        await pause(retryMs);
      }
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
