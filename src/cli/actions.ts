// charter actions list|propose|approve|reject: actions under four eyes on the configured storage, no server needed.
// Proposing, approving and rejecting act as an operator named by `--as <email>` (required: four eyes need two
// names), whose role must allow it; the proposer still may not approve their own action.
import { hasScope } from '../access/scopes.js';
import { loadConfig } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { systemClock } from '../lib/clock.js';
import { createSealer, loadSecretKey } from '../lib/sealing.js';
import { actionKinds, actionStatuses, proposeActionSchema } from '../ops/actions/schemas.js';
import { actionPage, approveAction, proposeAction, rejectAction } from '../ops/actions/service.js';
import { type Command, configFileOption } from './command.js';
import { cliCaller } from './incidents.js';
import { printJson, printRecord, printTable } from './output.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter actions <list|propose|approve|reject> [options]',
  '',
  `  list [--status ${actionStatuses.join('|')}] [--kind <kind>]`,
  "  propose --kind <kind> --params '<json>' --reason <text> --as <operator email>",
  '  approve <action id> --as <operator email>',
  '  reject <action id> --reason <text> --as <operator email>',
  '',
  `Kinds: ${actionKinds.join(', ')}. Add --json for JSON output.`,
].join('\n');

export const actionsCommand: Command = {
  summary: 'list, propose, approve or reject actions that need a second operator',
  usage,
  positionals: true,
  options: {
    status: { type: 'string' },
    kind: { type: 'string' },
    params: { type: 'string' },
    reason: { type: 'string' },
    as: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (parsed) => {
    const [action, id] = parsed.positionals;
    const values = parsed.values;
    const known = ['list', 'propose', 'approve', 'reject'];
    if (!action || !known.includes(action) || (['approve', 'reject'].includes(action) && !id)) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    if (action !== 'list' && typeof values.as !== 'string') {
      process.stderr.write(
        `charter actions ${action}: --as <operator email> is required (four eyes need names)\n`,
      );
      return 2;
    }
    const config = loadConfig(configFileOption(parsed));
    return withStorage(config, async (db) => {
      const deps = {
        db,
        clock: systemClock,
        sealer: createSealer(loadSecretKey(config)),
        ttlMs: config.actions.ttlHours * 3_600_000,
      };
      const print = (value: Record<string, unknown>) => (values.json ? printJson(value) : printRecord(value));
      if (action === 'list') {
        const status = actionStatuses.find((candidate) => candidate === values.status);
        const kind = actionKinds.find((candidate) => candidate === values.kind);
        if ((values.status && !status) || (values.kind && !kind))
          throw new AppError('VALIDATION_ERROR', 'Unknown --status or --kind');
        const page = await actionPage(deps, { limit: 200, status, kind });
        if (values.json) printJson(page.data);
        else printTable(page.data, ['id', 'status', 'kind', 'params', 'reason', 'expiresAt']);
        return 0;
      }
      const caller = await cliCaller(db, values.as);
      const need = action === 'propose' ? 'actions:write' : 'actions:approve';
      if (!caller.principal || !hasScope(caller.principal.scopes, need))
        throw new AppError(
          'AUTH_INSUFFICIENT',
          `${String(values.as)} may not ${action} actions (needs ${need})`,
        );
      if (action === 'propose') {
        let params: unknown;
        try {
          params = JSON.parse(typeof values.params === 'string' ? values.params : '{}');
        } catch {
          throw new AppError('VALIDATION_ERROR', '--params must be JSON');
        }
        const proposal = proposeActionSchema.safeParse({ kind: values.kind, params, reason: values.reason });
        if (!proposal.success)
          throw new AppError(
            'VALIDATION_ERROR',
            proposal.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
          );
        print(await proposeAction(deps, caller, proposal.data));
        return 0;
      }
      if (action === 'approve') {
        print(await approveAction(deps, caller, id ?? ''));
        return 0;
      }
      if (typeof values.reason !== 'string' || values.reason.trim() === '')
        throw new AppError('VALIDATION_ERROR', '--reason is required to reject');
      print(await rejectAction(deps, caller, id ?? '', values.reason));
      return 0;
    });
  },
};
