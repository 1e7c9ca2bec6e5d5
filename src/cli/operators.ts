// charter operators create: the first owner (or any operator) directly on the configured storage.

import { systemAuditContext } from '../access/audit/service.js';
import { createOperatorSchema } from '../access/operators/schemas.js';
import { createOperator } from '../access/operators/service.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../lib/clock.js';
import { type Command, configFileOption } from './command.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter operators create --email <email> --role <owner|admin|operator|viewer> [--name <name>]',
  '                                (--password <password> | --password-stdin)',
  '',
  'Passwords have at least 12 characters. --password-stdin reads it from standard input, keeping it out of',
  'the process list and the shell history.',
].join('\n');

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
};

export const operatorsCommand: Command = {
  summary: 'create an operator (dashboard user)',
  usage,
  positionals: true,
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  },
  run: async (parsed) => {
    const [action] = parsed.positionals;
    if (action !== 'create') {
      process.stderr.write(`charter operators: unknown action '${action ?? ''}'\n\n${usage}\n`);
      return 2;
    }
    const values = parsed.values;
    const password = values['password-stdin'] === true ? await readStdin() : values.password;
    const input = createOperatorSchema.safeParse({
      email: values.email,
      role: values.role,
      password,
      ...(values.name ? { name: values.name } : {}),
    });
    if (!input.success) {
      const problems = input.error.issues.map(
        (issue) => `  --${String(issue.path[0] ?? '')}: ${issue.message}`,
      );
      process.stderr.write(`charter operators create: bad options\n${problems.join('\n')}\n\n${usage}\n`);
      return 2;
    }
    const config = loadConfig(configFileOption(parsed));
    return withStorage(config, async (db) => {
      const operator = await createOperator(
        { db, clock: systemClock },
        systemAuditContext('cli'),
        undefined,
        input.data,
      );
      process.stdout.write(`${operator.id}\t${operator.email}\t${operator.role}\n`);
      return 0;
    });
  },
};
