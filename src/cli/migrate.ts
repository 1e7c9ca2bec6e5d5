// charter migrate: applies pending migrations to the configured storage, no server needed.
import { loadConfig } from '../config.js';
import { openDatabase, storageOptionsFromConfig } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { type Command, configFileOption } from './command.js';

export const migrateCommand: Command = {
  summary: 'apply pending storage migrations',
  usage: [
    'Usage: charter migrate [--config <file>]',
    '',
    'Applies every pending migration to the configured storage (DATABASE_URL, or the SQLite file in',
    'CHARTER_DATA_DIR), printing each migration as it runs and how long it took. The server also does this at start.',
  ].join('\n'),
  run: async (parsed) => {
    const config = loadConfig(configFileOption(parsed));
    const db = openDatabase(storageOptionsFromConfig(config));
    try {
      const report = await migrateToLatest(db, {
        started: (name) => process.stdout.write(`applying ${name} … `),
        finished: (_name, ms) => process.stdout.write(`done in ${ms} ms\n`),
      });
      const applied = report.applied.length > 0 ? report.applied.join(', ') : 'nothing to apply';
      process.stdout.write(`${db.description}: ${applied}; current migration ${report.current}\n`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
