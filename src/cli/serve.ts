// charter serve: runs the server until SIGTERM/SIGINT.
import { loadConfig } from '../config.js';
import { startServer } from '../main.js';
import { type Command, configFileOption } from './command.js';

export const serveCommand: Command = {
  summary: 'start the server (migrates storage first)',
  usage: [
    'Usage: charter serve [--config <file>]',
    '',
    'Starts Charter on HOST:PORT (127.0.0.1:8080 by default) with storage from DATABASE_URL, or the SQLite',
    'file in CHARTER_DATA_DIR (./data). Pending migrations run first. SIGTERM or SIGINT stops it gracefully.',
  ].join('\n'),
  run: async (parsed) => {
    const config = loadConfig(configFileOption(parsed));
    await startServer(config);
    // Keeps running; the signal handlers in startServer end the process.
    return new Promise<number>(() => {});
  },
};
