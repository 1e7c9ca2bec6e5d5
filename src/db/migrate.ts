// Running and inspecting the migrations, on either dialect.
import { type Kysely, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database } from './connection.js';
import { migrationProvider, migrations } from './migrations/index.js';

// On PostgreSQL the schema is named, so that Kysely's bookkeeping is not confused by a migration
// table in another schema of the same database.
const migrationSchema = async (db: Database): Promise<string | undefined> => {
  if (db.dialect !== 'postgres') return undefined;
  if (db.schema) return db.schema;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely);
  return rows[0]?.schema ?? 'public';
};

/** Told of each migration as it runs: before it starts, and when it is done with how long it took. */
export interface MigrationProgress {
  started?(name: string): void;
  finished?(name: string, ms: number): void;
}

/** The provider's migrations, each telling `progress` when it starts and ends. */
const reporting = (progress: MigrationProgress | undefined): MigrationProvider => {
  if (!progress) return migrationProvider;
  return {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(await migrationProvider.getMigrations()).map(([name, migration]) => [
          name,
          {
            ...migration,
            up: async (db: Kysely<unknown>) => {
              progress.started?.(name);
              const started = performance.now();
              await migration.up(db);
              progress.finished?.(name, Math.round(performance.now() - started));
            },
          },
        ]),
      ),
  };
};

const migratorFor = async (db: Database, progress?: MigrationProgress) => {
  const schema = await migrationSchema(db);
  return new Migrator({
    db: db.kysely,
    provider: reporting(progress),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
};

export interface MigrationReport {
  applied: string[];
  current: string;
}

export class MigrationFailedError extends Error {
  override name = 'MigrationFailedError';
}

export const migrateToLatest = async (
  db: Database,
  progress?: MigrationProgress,
): Promise<MigrationReport> => {
  const { error, results } = await (await migratorFor(db, progress)).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationFailedError(
      `Migration ${failed} failed: ${(error as Error).message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
  const applied = (results ?? []).filter((result) => result.status === 'Success').map((r) => r.migrationName);
  return { applied, current: Object.keys(migrations).at(-1) ?? '' };
};

/** Names of the migrations not yet applied; throws when storage does not answer. */
export const pendingMigrations = async (db: Database): Promise<string[]> => {
  const all = await (await migratorFor(db)).getMigrations();
  return all.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
};
