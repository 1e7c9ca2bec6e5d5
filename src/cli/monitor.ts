// charter monitor add|list|poll: the license monitor on the configured storage, no server needed. `poll` runs
// the configured utility from this process and prints the features with their utilization.
import { systemAuditContext } from '../access/audit/service.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../lib/clock.js';
import { createPoller } from '../monitor/poller.js';
import { createServerSchema } from '../monitor/schemas.js';
import { createServer, pollNow, serverPage } from '../monitor/servers/service.js';
import { featureUsage } from '../monitor/usage/service.js';
import { type Command, configFileOption } from './command.js';
import { all } from './input.js';
import { printJson, printTable } from './output.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter monitor <add|list|poll> [options]',
  '',
  '  add  --name <name> --kind <flexlm|rlm> --address <port@host[,port@host,port@host]>',
  '       [--poll-seconds <n>] [--timeout-seconds <n>] [--debug-log <path>]',
  '  list [--json]',
  '  poll <server id> [--json]   polls now and prints its features with their utilization',
].join('\n');

const number = (value: unknown) => (typeof value === 'string' ? Number(value) : undefined);

export const monitorCommand: Command = {
  summary: 'add, list or poll monitored license servers',
  usage,
  positionals: true,
  options: {
    name: { type: 'string' },
    kind: { type: 'string' },
    address: { type: 'string' },
    'poll-seconds': { type: 'string' },
    'timeout-seconds': { type: 'string' },
    'debug-log': { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (parsed) => {
    const [action, id] = parsed.positionals;
    const config = loadConfig(configFileOption(parsed));
    const values = parsed.values;
    return withStorage(config, async (db) => {
      const log = {
        warn: (object: object, message: string) =>
          process.stderr.write(`${message} ${JSON.stringify(object)}\n`),
      };
      const poller = createPoller({
        db,
        clock: systemClock,
        utilities: { lmutil: config.monitor.lmutil, rlmutil: config.monitor.rlmutil },
        concurrency: config.monitor.concurrency,
        logDir: config.monitor.logDir,
        log,
      });
      const deps = { db, clock: systemClock, poller, logDir: config.monitor.logDir };
      switch (action) {
        case 'add': {
          const input = createServerSchema.safeParse({
            name: values.name,
            kind: values.kind,
            address: values.address,
            ...(values['poll-seconds'] ? { pollSeconds: number(values['poll-seconds']) } : {}),
            ...(values['timeout-seconds'] ? { timeoutSeconds: number(values['timeout-seconds']) } : {}),
            ...(values['debug-log'] ? { debugLogPath: values['debug-log'] } : {}),
          });
          if (!input.success) {
            const problems = input.error.issues.map(
              (issue) => `  ${String(issue.path[0] ?? '')}: ${issue.message}`,
            );
            process.stderr.write(`charter monitor add: bad options\n${problems.join('\n')}\n\n${usage}\n`);
            return 2;
          }
          const server = await createServer(
            deps,
            { principal: undefined, audit: systemAuditContext('cli') },
            input.data,
          );
          process.stdout.write(`${server.id}\t${server.kind}\t${server.address}\t${server.name}\n`);
          return 0;
        }
        case 'list': {
          const rows = await all((cursor) => serverPage(deps, { limit: 200, cursor }));
          if (values.json) printJson(rows);
          else printTable(rows, ['id', 'name', 'kind', 'address', 'status', 'lastPollAt', 'pollSeconds']);
          return 0;
        }
        case 'poll': {
          if (!id) {
            process.stderr.write(`charter monitor poll: name the server id\n\n${usage}\n`);
            return 2;
          }
          const poll = await pollNow(deps, id);
          const features = (await featureUsage(deps, id)).data;
          if (values.json) {
            printJson({ poll: { ...poll, rawOutput: undefined }, features });
            return 0;
          }
          process.stdout.write(`${poll.id}  ${poll.outcome}  ${poll.durationMs} ms\n\n`);
          printTable(
            features.map((feature) => ({
              ...feature,
              utilization: feature.utilization === null ? 'uncounted' : `${feature.utilization}%`,
            })),
            ['feature', 'vendor', 'issued', 'inUse', 'utilization', 'queued', 'reservations', 'denialsToday'],
          );
          return 0;
        }
        default:
          process.stderr.write(`charter monitor: unknown action '${action ?? ''}'\n\n${usage}\n`);
          return 2;
      }
    });
  },
};
