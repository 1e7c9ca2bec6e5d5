#!/usr/bin/env node
// The `charter` command: parses the command line and hands off to one file per command group.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { actionsCommand } from './actions.js';
import { apiKeysCommand } from './api-keys.js';
import { backupCommand } from './backup.js';
import { catalogCommands } from './catalog.js';
import type { Command } from './command.js';
import { incidentsCommand } from './incidents.js';
import { machinesCommand } from './machines.js';
import { migrateCommand } from './migrate.js';
import { monitorCommand } from './monitor.js';
import { operatorsCommand } from './operators.js';
import { ordersCommand } from './orders.js';
import { releasesCommand } from './releases.js';
import { restoreCommand } from './restore.js';
import { serveCommand } from './serve.js';
import { signingKeysCommand } from './signing-keys.js';
import { verifyCommand } from './verify.js';
import { webhooksCommand } from './webhooks.js';

const commands: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  backup: backupCommand,
  restore: restoreCommand,
  operators: operatorsCommand,
  'api-keys': apiKeysCommand,
  'signing-keys': signingKeysCommand,
  verify: verifyCommand,
  monitor: monitorCommand,
  incidents: incidentsCommand,
  actions: actionsCommand,
  ...catalogCommands,
  machines: machinesCommand,
  orders: ordersCommand,
  releases: releasesCommand,
  webhooks: webhooksCommand,
};

const usage = () =>
  [
    'Usage: charter <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(14)}${command.summary}`),
    '',
    'Options:',
    '  --config <file>  read configuration from this JSON file (default ./charter.config.json)',
    '  --help           show help for charter or for one command',
    '',
    'Configuration comes from environment variables (see README); the environment wins over the file.',
  ].join('\n');

export const runCli = async (argv: string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`charter: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { help: { type: 'boolean', short: 'h' }, config: { type: 'string' }, ...command.options },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`charter ${name}: ${(error as Error).message}\n\n${command.usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(parsed);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`charter ${name}: ${error.message}\n`);
      return 78;
    }
    if (error instanceof AppError) {
      process.stderr.write(`charter ${name}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`charter ${name}: ${(error as Error).message}\n`);
    return 1;
  }
};

// A reader that stops early (`charter licenses list | head`) closes stdout under us: that ends the output, not
// the command's success, so it exits quietly instead of crashing on an unhandled EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// A failed command exits at once with its code: a handle left open by a failed start (a pool, a timer) must not
// keep the process alive, or no supervisor would see the failure and restart it.
runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`charter: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
