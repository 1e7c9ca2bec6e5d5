// A resource's command (`charter licenses create|list|show …`): an action name, then an id where the action needs
// one. Each action runs on the configured storage through the domain's services and answers what is printed: a
// list as a table, one object as `field  value` lines, either as JSON with --json.
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../lib/clock.js';
import { createSealer, loadSecretKey } from '../lib/sealing.js';
import type { LicenseDeps } from '../licensing/licenses/present.js';
import { approvalKindsOf } from '../ops/actions/gate.js';
import type { ActionKind } from '../ops/actions/schemas.js';
import { type Command, configFileOption } from './command.js';
import type { Values } from './input.js';
import { printJson, printRecord, printTable } from './output.js';
import { withStorage } from './storage.js';

export interface ActionContext {
  config: Config;
  deps: LicenseDeps;
  values: Values;
  id: string | undefined;
  /** CHARTER_REQUIRE_APPROVAL: kinds the CLI refuses to do directly, as the routes do. */
  approval: ReadonlySet<ActionKind>;
}

export interface Action {
  run(context: ActionContext): Promise<unknown>;
  /** The table's columns for a list (default: every field of the first item). */
  columns?: string[];
  /** A list item as its table row shows it (default: as answered). */
  row?: (item: never) => Record<string, unknown>;
  /** Prints one answer for people itself (a record with a table of its parts); --json prints it as answered. */
  print?: (result: never) => void;
  /** The action writes its own output as it goes (an export): nothing is printed after it. */
  streams?: boolean;
}

export interface ResourceGroup {
  summary: string;
  usage: string;
  options: NonNullable<Command['options']>;
  actions: Record<string, Action>;
}

const show = (action: Action, result: unknown, asJson: boolean) => {
  if (asJson) return printJson(result);
  if (Array.isArray(result)) {
    const rows = action.row ? result.map((item) => action.row?.(item as never) ?? {}) : result;
    return printTable(rows as Record<string, unknown>[], action.columns ?? Object.keys(rows[0] ?? {}));
  }
  if (action.print) return action.print(result as never);
  printRecord(result as Record<string, unknown>);
};

export const resourceCommand = (group: ResourceGroup): Command => ({
  summary: group.summary,
  usage: `${group.usage}\n\nAdd --json for JSON output.`,
  positionals: true,
  options: { ...group.options, json: { type: 'boolean' } },
  run: async (parsed) => {
    const [actionName, id] = parsed.positionals;
    const action = actionName ? group.actions[actionName] : undefined;
    if (!action) {
      process.stderr.write(`unknown action '${actionName ?? ''}'\n\n${group.usage}\n`);
      return 2;
    }
    const config = loadConfig(configFileOption(parsed));
    const approval = approvalKindsOf(config.requireApproval);
    return withStorage(config, async (db) => {
      const deps: LicenseDeps = { db, clock: systemClock, sealer: createSealer(loadSecretKey(config)) };
      const result = await action.run({ config, deps, values: parsed.values, id, approval });
      if (!action.streams) show(action, result, parsed.values.json === true);
      return 0;
    });
  },
});
