#!/usr/bin/env node
// Before the test suite: drops the PostgreSQL schemas (test_…) earlier runs left in TEST_DATABASE_URL's database.
// The suites leave theirs in place when they finish: dropping a schema while another test file's migrator reads
// the catalog (Kysely's introspection scans every schema's tables) can fail that read with `schema "test_…" does
// not exist`, and `npm test` runs two files at once. Without TEST_DATABASE_URL there is nothing to do.
import pg from 'pg';

const url = process.env.TEST_DATABASE_URL;
if (!url) process.exit(0);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const { rows } = await client.query(
    "select nspname from pg_catalog.pg_namespace where nspname ~ '^test_[0-9a-z]{26}$' order by nspname",
  );
  for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  if (rows.length > 0) process.stderr.write(`test: dropped ${rows.length} schemas left by earlier runs\n`);
} finally {
  await client.end();
}
