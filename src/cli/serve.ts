// charter serve: runs the server until SIGTERM/SIGINT; with --workers N, N server processes on one port.
import { loadConfig } from '../config.js';
import { startServer } from '../main.js';
import { type Command, configFileOption } from './command.js';

export const serveCommand: Command = {
  summary: 'start the server (migrates storage first)',
  usage: [
    'Usage: charter serve [--workers <n>] [--config <file>]',
    '',
    'Starts Charter on HOST:PORT (127.0.0.1:8080 by default) with storage from DATABASE_URL, or the SQLite',
    'file in CHARTER_DATA_DIR (./data). Pending migrations run first. SIGTERM or SIGINT stops it gracefully.',
    '',
    '  --workers <n>  run n server processes sharing the port (one per core; PostgreSQL only). A worker that',
    '                 dies is replaced; SIGTERM to the primary stops them all.',
  ].join('\n'),
  options: { workers: { type: 'string' } },
  run: async (parsed) => {
    const config = loadConfig(configFileOption(parsed));
    const workers = parsed.values.workers;
    if (workers !== undefined) {
      const count = Number(workers);
      if (!Number.isInteger(count) || count < 1 || count > 64) {
        process.stderr.write(
          `charter serve: --workers takes a whole number from 1 to 64, not '${workers}'\n`,
        );
        return 2;
      }
      if (count > 1) {
        // Loaded only here: node:cluster and the primary's code are no cost to a single server.
        const { serveWorkers } = await import('../cluster.js');
        return serveWorkers(config, count);
      }
    }
    await startServer(config);
    // Keeps running; the signal handlers in startServer end the process.
    return new Promise<number>(() => {});
  },
};
