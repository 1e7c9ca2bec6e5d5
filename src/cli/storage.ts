// Opens the configured storage for one CLI command, migrated, and closes it afterwards.
import type { Config } from '../config.js';
import { type Database, openDatabase, storageOptionsFromConfig } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';

export const withStorage = async <T>(config: Config, work: (db: Database) => Promise<T>): Promise<T> => {
  const db = openDatabase(storageOptionsFromConfig(config));
  try {
    await migrateToLatest(db);
    return await work(db);
  } finally {
    await db.close();
  }
};
