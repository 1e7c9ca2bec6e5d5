// Which storage engines this run covers: SQLite always; PostgreSQL when TEST_DATABASE_URL is set (CI sets it).
import { testServices } from '../../src/config.js';
import type { DialectName } from '../../src/db/connection.js';

let announced = false;

export const dialects = (): DialectName[] => {
  const { databaseUrl } = testServices();
  if (!databaseUrl && !announced) {
    announced = true;
    process.stdout.write('# TEST_DATABASE_URL is unset: PostgreSQL suites skipped, SQLite suites run\n');
  }
  return databaseUrl ? ['sqlite', 'postgres'] : ['sqlite'];
};

export const postgresUrl = (): string => {
  const { databaseUrl } = testServices();
  if (!databaseUrl) throw new Error('TEST_DATABASE_URL is unset');
  return databaseUrl;
};
