// Group commit on SQLite: concurrent write jobs share a transaction, each in its own savepoint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createWriteBatcher } from '../../src/db/write-batcher.js';
import { freshDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`write batcher (${dialect})`, () => {
    it('a failing job rolls back alone; the others commit and resolve with their values', async () => {
      const storage = await freshDatabase(dialect);
      try {
        const writes = createWriteBatcher(storage.db);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) =>
            writes.run(async (tx) => {
              await tx
                .insertInto('charter_meta')
                .values({ key: `job-${index}`, value: String(index), updated_at: index })
                .execute();
              if (index % 2 === 1) throw new Error(`job ${index} refuses`);
              return index;
            }),
          ),
        );
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          Array.from({ length: 20 }, (_, index) => (index % 2 ? 'rejected' : 'fulfilled')),
        );
        assert.deepEqual(
          outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value),
          [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
        );
        const rows = await storage.db.kysely
          .selectFrom('charter_meta')
          .select('key')
          .where('key', 'like', 'job-%')
          .execute();
        assert.deepEqual(
          rows.map((row) => row.key).sort(),
          Array.from({ length: 10 }, (_, index) => `job-${index * 2}`).sort(),
        );
      } finally {
        await storage.dispose();
      }
    });

    it('a job sees the writes of the jobs before it in its batch, so limits hold (SQLite batches)', {
      skip: dialect !== 'sqlite' && 'PostgreSQL runs each job in its own transaction',
    }, async () => {
      const storage = await freshDatabase(dialect);
      try {
        const writes = createWriteBatcher(storage.db);
        const limit = 5;
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, index) =>
            writes.run(async (tx) => {
              const row = await tx
                .selectFrom('charter_meta')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('key', 'like', 'seat-%')
                .executeTakeFirstOrThrow();
              if (Number(row.n) >= limit) throw new Error('full');
              await tx
                .insertInto('charter_meta')
                .values({ key: `seat-${index}`, value: 'x', updated_at: 0 })
                .execute();
            }),
          ),
        );
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, limit);
        const rows = await storage.db.kysely
          .selectFrom('charter_meta')
          .select('key')
          .where('key', 'like', 'seat-%')
          .execute();
        assert.equal(rows.length, limit);
      } finally {
        await storage.dispose();
      }
    });

    it('jobs that change more than 64 KiB each keep their savepoint journals in memory and still roll back alone', {
      skip: dialect !== 'sqlite' && 'PostgreSQL runs each job in its own transaction, without savepoints',
    }, async () => {
      const storage = await freshDatabase(dialect);
      try {
        // temp_store = MEMORY (2): the statement journal of each job's savepoint never spills to a temporary file.
        const pragma = await sql<{ temp_store: number }>`pragma temp_store`.execute(storage.db.kysely);
        assert.equal(pragma.rows[0]?.temp_store, 2);
        const writes = createWriteBatcher(storage.db);
        const text = 'x'.repeat(2000);
        // 8 jobs of 60 rows × 2 KB (about 120 KiB each, past SQLite's 64 KiB spill threshold); every third fails
        // after writing all of its rows.
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, (_, job) =>
            writes.run(async (tx) => {
              for (let row = 0; row < 60; row++)
                await tx
                  .insertInto('charter_meta')
                  .values({ key: `big-${job}-${row}`, value: `${job}:${text}`, updated_at: row })
                  .execute();
              if (job % 3 === 2) throw new Error(`job ${job} refuses after writing`);
              return job;
            }),
          ),
        );
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          [
            'fulfilled',
            'fulfilled',
            'rejected',
            'fulfilled',
            'fulfilled',
            'rejected',
            'fulfilled',
            'fulfilled',
          ],
        );
        const counts = await storage.db.kysely
          .selectFrom('charter_meta')
          .select(['value', (eb) => eb.fn.countAll<number>().as('n')])
          .where('key', 'like', 'big-%')
          .groupBy('value')
          .execute();
        assert.deepEqual(
          counts
            .map((row): [number, number] => [Number(String(row.value).split(':')[0]), Number(row.n)])
            .sort(([a], [b]) => a - b),
          [0, 1, 3, 4, 6, 7].map((job) => [job, 60]),
        );
      } finally {
        await storage.dispose();
      }
    });
  });
}
