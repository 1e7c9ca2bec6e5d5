// Group commit for SQLite. With synchronous=FULL every commit waits for an fsync (≈ 200 µs here), and SQLite has
// one writer, so commit-per-request caps writes near 1/fsync. Write jobs that arrive while a transaction runs wait
// and then run together in the next one, each inside its own savepoint: a job that fails rolls back alone, and
// every job's promise settles only after the shared COMMIT, so nothing is acknowledged before it is durable.
// PostgreSQL runs each job in its own transaction (many connections, row locks).
import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from './connection.js';
import type { Schema } from './schema.js';
import { transaction } from './transaction.js';

export interface WriteBatcher {
  run<T>(work: (tx: Transaction<Schema>) => Promise<T>): Promise<T>;
}

interface Job {
  work: (tx: Transaction<Schema>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

// Built once: every write job runs these, and a raw compiled query skips Kysely's per-query building.
const savepoint = CompiledQuery.raw('savepoint job');
const releaseSavepoint = CompiledQuery.raw('release savepoint job');
const rollbackToSavepoint = CompiledQuery.raw('rollback to savepoint job');

/** At most this many jobs share one transaction, so one batch never holds the write lock for long. */
const maxBatch = 32;

export const createWriteBatcher = (db: Database): WriteBatcher => {
  if (db.dialect !== 'sqlite') return { run: (work) => transaction(db, work) };
  const queue: Job[] = [];
  let draining = false;

  const runBatch = async (batch: Job[]) => {
    const outcomes: Outcome[] = [];
    try {
      await transaction(db, async (tx) => {
        for (const job of batch) {
          await tx.executeQuery(savepoint);
          try {
            const value = await job.work(tx);
            await tx.executeQuery(releaseSavepoint);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await tx.executeQuery(rollbackToSavepoint);
            await tx.executeQuery(releaseSavepoint);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of this batch is durable.
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  };

  const drain = async () => {
    try {
      while (queue.length > 0) await runBatch(queue.splice(0, maxBatch));
    } finally {
      draining = false;
    }
  };

  return {
    run: <T>(work: (tx: Transaction<Schema>) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        // better-sqlite3 runs a whole transaction inside one turn of the event loop; starting it on the next turn
        // lets every request already read from the sockets join this batch.
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      }),
  };
};
