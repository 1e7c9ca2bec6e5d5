// prepared(): a statement built once per dialect runs with each call's parameters, in the right places, on both
// engines, inside and outside transactions; literals the builder bound stay constant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type StorageOptions, storageOptionsFromConfig } from '../../src/db/connection.js';
import { prepared } from '../../src/db/prepared.js';
import { transaction } from '../../src/db/transaction.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects, postgresUrl } from '../support/services.js';

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

    it('with CHARTER_PG_PREPARED_STATEMENTS=false (behind a transaction-mode pooler), nothing is prepared', {
      skip: dialect !== 'postgres' && 'PostgreSQL only',
    }, async () => {
      const config = loadConfig({
        env: { DATABASE_URL: postgresUrl(), CHARTER_PG_PREPARED_STATEMENTS: 'false' },
        overrides: { CHARTER_DATA_DIR: storage.dataDir },
      });
      const options = storageOptionsFromConfig(config);
      assert.equal(options.dialect === 'postgres' && options.preparedStatements, false);
      const single = openDatabase({
        ...options,
        ...(storage.db.schema ? { searchPath: storage.db.schema } : {}),
        poolSize: 1,
      } as StorageOptions);
      try {
        await insertMeta(single.kysely, { key: 'prep-unnamed', value: 'v', updated_at: 1 });
        const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(
          single.kysely,
        );
        assert.deepEqual(rows, []);
      } finally {
        await single.close();
      }
    });

    it('on PostgreSQL, run as a named statement of the connection: planned once, then only bound and run', {
      skip: dialect !== 'postgres' && 'PostgreSQL only',
    }, async () => {
      // One connection, so the session that ran the statement is the one asked about its prepared statements.
      const single = openDatabase({
        dialect: 'postgres',
        url: postgresUrl(),
        ...(storage.db.schema ? { searchPath: storage.db.schema } : {}),
        poolSize: 1,
      });
      try {
        for (let n = 0; n < 3; n++)
          await insertMeta(single.kysely, { key: `prep-named-${n}`, value: 'v', updated_at: n });
        await transaction(single, (tx) => bumpMeta(tx, { key: 'prep-named-0', suffix: '+' }));
        const { rows } = await sql<{ name: string; statement: string }>`
          select name, statement from pg_prepared_statements order by name`.execute(single.kysely);
        const named = rows.filter((row) => row.name.startsWith('charter_'));
        assert.ok(
          named.some((row) => /insert into "charter_meta"/.test(row.statement)),
          `the insert is prepared: ${JSON.stringify(rows)}`,
        );
        assert.ok(
          named.some((row) => /update "charter_meta"/.test(row.statement)),
          'and the update',
        );
        assert.ok(
          rows.every((row) => !/pg_prepared_statements/.test(row.statement)),
          'a statement that was not registered runs unnamed',
        );
        const value = await single.kysely
          .selectFrom('charter_meta')
          .select('value')
          .where('key', '=', 'prep-named-0')
          .executeTakeFirst();
        assert.equal(value?.value, 'v+');
      } finally {
        await single.close();
      }
    });
  });
}
