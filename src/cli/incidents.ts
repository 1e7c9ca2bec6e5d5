// charter incidents list|show|ack|resolve: incidents on the configured storage, no server needed. `--as <email>`
// acts as that operator (the audit trail and timeline name them); without it the CLI acts as itself.
import { systemAuditContext } from '../access/audit/service.js';
import type { Caller } from '../access/caller.js';
import { operatorCallerByEmail } from '../access/operators/operator.js';
import { loadConfig } from '../config.js';
import type { Database } from '../db/connection.js';
import { AppError } from '../errors/app-error.js';
import { systemClock } from '../lib/clock.js';
import { incidentKinds, incidentStatuses, severities } from '../ops/incidents/schemas.js';
import { acknowledgeIncident, getIncident, incidentPage, resolveIncident } from '../ops/incidents/service.js';
import { type Command, configFileOption } from './command.js';
import { printJson, printRecord, printTable } from './output.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter incidents <list|show|ack|resolve> [options]',
  '',
  `  list [--status ${incidentStatuses.join('|')}] [--kind <kind>] [--severity ${severities.join('|')}]`,
  '  show <incident id>',
  '  ack <incident id> [--as <operator email>]',
  '  resolve <incident id> [--note <text>] [--as <operator email>]',
  '',
  `Kinds: ${incidentKinds.join(', ')}. Add --json for JSON output.`,
].join('\n');

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The caller a CLI command acts as: an operator named by --as, else the CLI itself. */
export const cliCaller = async (db: Database, as: unknown): Promise<Caller> =>
  typeof as === 'string'
    ? operatorCallerByEmail(db.kysely, as)
    : { principal: undefined, audit: systemAuditContext('cli') };

const oneOf = <T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined => {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new AppError('VALIDATION_ERROR', `--${option} must be one of ${allowed.join(', ')}`);
};

export const incidentsCommand: Command = {
  summary: 'list, show, acknowledge or resolve incidents',
  usage,
  positionals: true,
  options: {
    status: { type: 'string' },
    kind: { type: 'string' },
    severity: { type: 'string' },
    note: { type: 'string' },
    as: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (parsed) => {
    const [action, id] = parsed.positionals;
    const values = parsed.values;
    if (!action || !['list', 'show', 'ack', 'resolve'].includes(action) || (action !== 'list' && !id)) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    const config = loadConfig(configFileOption(parsed));
    return withStorage(config, async (db) => {
      const deps = { db, clock: systemClock };
      const print = (value: Record<string, unknown>) =>
        values.json ? printJson(value) : printRecord({ ...value, timeline: undefined });
      switch (action) {
        case 'list': {
          const page = await incidentPage(deps, {
            limit: 200,
            status: oneOf(values.status, incidentStatuses, 'status'),
            kind: oneOf(values.kind, incidentKinds, 'kind'),
            severity: oneOf(values.severity, severities, 'severity'),
          });
          if (values.json) printJson(page.data);
          else printTable(page.data, ['id', 'status', 'severity', 'kind', 'title', 'openedAt']);
          return 0;
        }
        case 'show': {
          const incident = await getIncident(deps, id ?? '');
          if (values.json) printJson(incident);
          else {
            printRecord({ ...incident, timeline: undefined });
            for (const entry of incident.timeline)
              process.stdout.write(`  ${entry.at}  ${entry.type.padEnd(20)} ${entry.message}\n`);
          }
          return 0;
        }
        case 'ack':
          print(await acknowledgeIncident(deps, await cliCaller(db, values.as), id ?? ''));
          return 0;
        default:
          print(await resolveIncident(deps, await cliCaller(db, values.as), id ?? '', text(values.note)));
          return 0;
      }
    });
  },
};
