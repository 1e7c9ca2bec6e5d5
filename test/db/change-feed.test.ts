// SQLite's validation change log (db/change-feed.ts): changes arrive in commit order, pruning keeps the newest
// rows in small pages, and a process that missed pruned rows is told to forget everything ('*').
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openChangeFeed } from '../../src/db/change-feed.js';
import { createWriteBatcher, type WriteBatcher } from '../../src/db/write-batcher.js';
import { freshDatabase } from '../support/database.js';

const quiet = { warn: () => {} };

/** The license ids left in the change log, oldest first. */
const loggedLicenseIds = async (storage: Awaited<ReturnType<typeof freshDatabase>>) =>
  (
    await storage.db.kysely.selectFrom('validation_changes').select('license_id').orderBy('seq').execute()
  ).map((row) => row.license_id);

describe('validation change feed (sqlite)', () => {
  it('reports each committed change in order, keeps the newest rows when pruned, and answers * to a reader that missed pruned rows', async () => {
    const storage = await freshDatabase('sqlite');
    const seen: string[] = [];
    const behind: string[] = [];
    const feed = openChangeFeed(storage.db, { onChange: (id) => seen.push(id), log: quiet, keepRows: 10 });
    const late = openChangeFeed(storage.db, { onChange: (id) => behind.push(id), log: quiet });
    assert.ok(feed?.prune && late);
    try {
      const ids = Array.from({ length: 1_203 }, (_, index) => `lic_${index}`);
      for (let start = 0; start < ids.length; start += 100)
        await storage.db.kysely
          .insertInto('validation_changes')
          .values(ids.slice(start, start + 100).map((license_id) => ({ license_id })))
          .execute();
      assert.equal(feed.catchUp(), true);
      assert.deepEqual(seen, ids);

      await feed.prune();
      assert.deepEqual(await loggedLicenseIds(storage), ids.slice(-10));

      // The other reader never caught up: its next row is gone, so it forgets everything instead.
      await storage.db.kysely.insertInto('validation_changes').values({ license_id: 'lic_new' }).execute();
      late.catchUp();
      assert.deepEqual(behind, ['*']);
      // And follows the log from there.
      await storage.db.kysely.insertInto('validation_changes').values({ license_id: 'lic_next' }).execute();
      late.catchUp();
      assert.deepEqual(behind, ['*', 'lic_next']);
    } finally {
      await feed.close();
      await late.close();
      await storage.dispose();
    }
  });
  it("prunes through the server's group commit when given one: each page is a write job, and a client write queued beside it commits too", async () => {
    const storage = await freshDatabase('sqlite');
    const batcher = createWriteBatcher(storage.db);
    let jobs = 0;
    const writes: WriteBatcher = {
      run: (work) => {
        jobs += 1;
        return batcher.run(work);
      },
    };
    const feed = openChangeFeed(storage.db, { onChange: () => {}, log: quiet, keepRows: 10, writes });
    assert.ok(feed?.prune);
    try {
      const ids = Array.from({ length: 1_203 }, (_, index) => `lic_${index}`);
      await storage.db.kysely
        .insertInto('validation_changes')
        .values(ids.map((license_id) => ({ license_id })))
        .execute();
      // A client write queued beside the prune: both commit (the prune's page rides the same group commit).
      const [, inserted] = await Promise.all([
        feed.prune(),
        writes.run((tx) =>
          tx.insertInto('charter_meta').values({ key: 'beside-prune', value: '1', updated_at: 0 }).execute(),
        ),
      ]);
      assert.equal(inserted.length, 1);
      // 1,193 rows to delete in pages of 500: three pages, each a job of the batcher, plus the client write.
      assert.equal(jobs, 4);
      assert.deepEqual(await loggedLicenseIds(storage), ids.slice(-10));
    } finally {
      await feed.close();
      await storage.dispose();
    }
  });
});
