// Storage on both engines: migrations, transactions that roll back, and exact limits under concurrency.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';

const allMigrations = Object.keys(migrations);

import { forUpdate, transaction } from '../../src/db/transaction.js';
import { type TestApp, withApp } from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`storage (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await withApp({ dialect });
    });
    after(() => t.close());

    it('migrates a fresh database through every migration, and a second run applies nothing', async () => {
      const storage = await freshDatabase(dialect, { migrate: false });
      try {
        assert.deepEqual(await pendingMigrations(storage.db), allMigrations);
        const first = await migrateToLatest(storage.db);
        assert.deepEqual(first.applied, allMigrations);
        const second = await migrateToLatest(storage.db);
        assert.deepEqual(second.applied, []);
        assert.deepEqual(await pendingMigrations(storage.db), []);
      } finally {
        await storage.dispose();
      }
    });

    it('a transaction that throws leaves nothing behind', async () => {
      await assert.rejects(
        transaction(t.db, async (tx) => {
          await tx
            .insertInto('charter_meta')
            .values({ key: 'rolled-back', value: 'x', updated_at: 1 })
            .execute();
          throw new Error('abort');
        }),
        /abort/,
      );
      const row = await t.db.kysely
        .selectFrom('charter_meta')
        .selectAll()
        .where('key', '=', 'rolled-back')
        .executeTakeFirst();
      assert.equal(row, undefined);
    });

    it('50 concurrent read-check-writes against a limit of 7 let exactly 7 through', async () => {
      await t.db.kysely
        .insertInto('charter_meta')
        .values({ key: 'seats', value: '0', updated_at: 0 })
        .execute();
      const limit = 7;
      const attempt = () =>
        transaction(t.db, async (tx) => {
          const row = await forUpdate(
            tx.selectFrom('charter_meta').select('value').where('key', '=', 'seats'),
            t.db.dialect,
          ).executeTakeFirstOrThrow();
          const used = Number(row.value);
          if (used >= limit) return false;
          await tx
            .updateTable('charter_meta')
            .set({ value: String(used + 1) })
            .where('key', '=', 'seats')
            .execute();
          return true;
        });
      const outcomes = await Promise.all(Array.from({ length: 50 }, attempt));
      assert.equal(outcomes.filter(Boolean).length, limit);
      const final = await t.db.kysely
        .selectFrom('charter_meta')
        .select('value')
        .where('key', '=', 'seats')
        .executeTakeFirstOrThrow();
      assert.equal(final.value, String(limit));
    });
  });
}

describe('SQLite WAL checkpoints on a worker thread (the server)', () => {
  it('the worker copies committed pages into the database file; closing removes the WAL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'charter-checkpoint-'));
    const file = path.join(dir, 'charter.db');
    const db = openDatabase({ dialect: 'sqlite', file, backgroundCheckpoints: true });
    try {
      assert.ok(db.checkpointer, 'a server database has a checkpointer');
      await sql`create table filler (id integer primary key, body text not null)`.execute(db.kysely);
      await db.checkpointer.checkpoint();
      const before = statSync(file).size;
      await transaction(db, async (tx) => {
        for (let row = 0; row < 500; row++)
          await sql`insert into filler (body) values (${'x'.repeat(1000)})`.execute(tx);
      });
      // Committed, and still only in the WAL: the writer's own checkpoint waits for far more pages.
      assert.equal(statSync(file).size, before);
      assert.ok(statSync(`${file}-wal`).size > 500_000);
      await db.checkpointer.checkpoint();
      assert.ok(statSync(file).size >= before + 500_000, 'the pages reached the database file');
    } finally {
      await db.close();
    }
    assert.equal(existsSync(`${file}-wal`), false, 'the last connection to close removes the WAL');
    rmSync(dir, { recursive: true, force: true });
  });
});
