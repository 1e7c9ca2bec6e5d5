// prepared(): a statement built once per dialect runs with each call's parameters, in the right places, on both
// engines, inside and outside transactions; literals the builder bound stay constant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { prepared } from '../../src/db/prepared.js';
import { transaction } from '../../src/db/transaction.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

const insertMeta = prepared<{ key: string; value: string; updated_at: number }>(
  ['key', 'value', 'updated_at'],
  (db, row) => db.insertInto('charter_meta').values(row),
);
const bumpMeta = prepared<
  { key: string; suffix: string },
  { key: string; value: string; updated_at: number }
>(['key', 'suffix'], (db, p) =>
  db
    .updateTable('charter_meta')
    .set({ value: sql<string>`value || ${p.suffix}`, updated_at: 7 })
    .where('key', '=', p.key)
    .returning(['key', 'value', 'updated_at']),
);

for (const dialect of dialects()) {
  describe(`prepared statements (${dialect})`, () => {
    let storage: TestDatabase;
    before(async () => {
      storage = await freshDatabase(dialect);
    });
    after(() => storage.dispose());

    it('bind each call’s parameters where the builder put them, and keep bound literals', async () => {
      const db = storage.db.kysely;
      await insertMeta(db, { key: 'prep-a', value: 'one', updated_at: 1 });
      await transaction(storage.db, (tx) => insertMeta(tx, { key: 'prep-b', value: 'two', updated_at: 2 }));
      const rows = await db
        .selectFrom('charter_meta')
        .selectAll()
        .where('key', 'like', 'prep-%')
        .orderBy('key')
        .execute();
      assert.deepEqual(
        rows.map((row) => [row.key, row.value, Number(row.updated_at)]),
        [
          ['prep-a', 'one', 1],
          ['prep-b', 'two', 2],
        ],
      );
      const [bumped] = await bumpMeta(db, { key: 'prep-b', suffix: '!' });
      assert.deepEqual([bumped?.value, Number(bumped?.updated_at)], ['two!', 7]);
      assert.deepEqual(await bumpMeta(db, { key: 'missing', suffix: '?' }), []);
    });
  });
}
