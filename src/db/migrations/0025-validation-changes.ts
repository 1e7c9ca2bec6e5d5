// 0025: every committed change to what a validation reads names the license it changed, so a process can keep
// validation answers in memory and drop exactly the changed ones (licensing/client/validation-cache.ts, the feed in
// db/change-feed.ts). The tables validation reads: licenses, machines, leases and meters name one license; a
// change to policies, products or the blocklist can touch many, so it names all ('*').
// - SQLite: triggers append the license id to validation_changes inside the writing transaction, whichever
//   process writes (the server, the CLI); a reader follows the log when PRAGMA data_version moves.
// - PostgreSQL: statement triggers send NOTIFY charter_validation with each changed license id (one '*' past 100
//   in a statement); PostgreSQL delivers them at commit to every listening process.
// Frozen once landed.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

const byLicense = [
  ['licenses', 'id'],
  ['machines', 'license_id'],
  ['leases', 'license_id'],
  ['meters', 'license_id'],
] as const;
const byAll = ['policies', 'products', 'blocklist'] as const;

const upSqlite = async (db: Kysely<unknown>): Promise<void> => {
  // No AUTOINCREMENT: the pruning keeps the newest rows, so a sequence number is never handed out twice.
  await sql`create table validation_changes (seq integer primary key, license_id text not null)`.execute(db);
  for (const [table, column] of byLicense) {
    await sql
      .raw(`create trigger ${table}_validation_insert after insert on ${table} begin
        insert into validation_changes (license_id) values (new.${column}); end`)
      .execute(db);
    await sql
      .raw(`create trigger ${table}_validation_update after update on ${table} begin
        insert into validation_changes (license_id) values (new.${column});
        insert into validation_changes (license_id) select old.${column} where old.${column} is not new.${column}; end`)
      .execute(db);
    await sql
      .raw(`create trigger ${table}_validation_delete after delete on ${table} begin
        insert into validation_changes (license_id) values (old.${column}); end`)
      .execute(db);
  }
  for (const table of byAll) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql
        .raw(`create trigger ${table}_validation_${event} after ${event} on ${table} begin
          insert into validation_changes (license_id) values ('*'); end`)
        .execute(db);
    }
  }
};

const upPostgres = async (db: Kysely<unknown>): Promise<void> => {
  // One function per source of rows: the statement's new rows, its old rows, or both (an update).
  const sources = {
    new: 'select %c from changed_new',
    old: 'select %c from changed_old',
    both: 'select %c from changed_new union select %c from changed_old',
  } as const;
  for (const column of ['id', 'license_id']) {
    for (const [kind, source] of Object.entries(sources)) {
      await sql
        .raw(`create function charter_validation_${column}_${kind}() returns trigger language plpgsql as $$
          declare ids text[];
          begin
            select array_agg(distinct changed.c) into ids
              from (${source.replaceAll('%c', `${column} as c`)}) changed where changed.c is not null;
            if ids is null then return null; end if;
            if array_length(ids, 1) > 100 then perform pg_notify('charter_validation', '*');
            else perform pg_notify('charter_validation', id) from unnest(ids) id; end if;
            return null;
          end $$`)
        .execute(db);
    }
  }
  await sql
    .raw(`create function charter_validation_all() returns trigger language plpgsql as $$
      begin perform pg_notify('charter_validation', '*'); return null; end $$`)
    .execute(db);
  // Each event with the transition tables it has and the function that reads them; a truncate names all.
  const events = [
    ['insert', 'referencing new table as changed_new', '_new'],
    ['update', 'referencing new table as changed_new old table as changed_old', '_both'],
    ['delete', 'referencing old table as changed_old', '_old'],
    ['truncate', '', null],
  ] as const;
  for (const [table, column] of byLicense) {
    for (const [event, referencing, kind] of events) {
      const fn = kind === null ? 'charter_validation_all' : `charter_validation_${column}${kind}`;
      await sql
        .raw(`create trigger ${table}_validation_${event} after ${event} on ${table}
          ${referencing} for each statement execute function ${fn}()`)
        .execute(db);
    }
  }
  for (const table of byAll) {
    await sql
      .raw(`create trigger ${table}_validation after insert or update or delete or truncate on ${table}
        for each statement execute function charter_validation_all()`)
      .execute(db);
  }
};

export const up = async (db: Kysely<unknown>): Promise<void> => {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await upPostgres(db);
  else await upSqlite(db);
};
