// charter products|policies|customers|licenses: the common catalog tasks on the configured storage, no server
// needed. Tables for people, --json for scripts. Every change is audited as done by the CLI.
import type { parseArgs } from 'node:util';
import { systemAuditContext } from '../access/audit/service.js';
import { loadConfig } from '../config.js';
import type { Database } from '../db/connection.js';
import { AppError } from '../errors/app-error.js';
import { systemClock } from '../lib/clock.js';
import { createSealer, loadSecretKey } from '../lib/sealing.js';
import { createCustomerSchema } from '../licensing/customers/schemas.js';
import { createCustomer, customerPage, getCustomer } from '../licensing/customers/service.js';
import { applyLicenseAction } from '../licensing/licenses/actions.js';
import { createLicense } from '../licensing/licenses/issue.js';
import { normalizeLicenseKey } from '../licensing/licenses/license-key.js';
import type { LicenseDeps } from '../licensing/licenses/present.js';
import { createLicenseSchema, licenseStatuses } from '../licensing/licenses/schemas.js';
import { getLicense, licensePage } from '../licensing/licenses/service.js';
import { createPolicySchema } from '../licensing/policies/schemas.js';
import { createPolicy, getPolicy, policyPage } from '../licensing/policies/service.js';
import { createProductSchema } from '../licensing/products/schemas.js';
import { createProduct, getProduct, productPage } from '../licensing/products/service.js';
import { approvalKindsOf, assertDirectAllowed } from '../ops/actions/gate.js';
import type { ActionKind } from '../ops/actions/schemas.js';
import { type Command, configFileOption } from './command.js';
import { printJson, printRecord, printTable } from './output.js';
import { withStorage } from './storage.js';

type Parsed = ReturnType<typeof parseArgs>;
type Values = Parsed['values'];

interface Action {
  run(context: {
    deps: LicenseDeps;
    values: Values;
    id: string | undefined;
    /** CHARTER_REQUIRE_APPROVAL: kinds the CLI refuses to do directly, as the routes do. */
    approval: ReadonlySet<ActionKind>;
  }): Promise<unknown>;
  columns?: string[];
}

/** The action kind of each license command, for CHARTER_REQUIRE_APPROVAL. */
const licenseActionKinds = {
  suspend: 'suspend_license',
  reinstate: 'reinstate_license',
  revoke: 'revoke_license',
  renew: 'extend_license',
} as const;

const caller = { principal: undefined, audit: systemAuditContext('cli') };
const text = (values: Values, name: string) =>
  typeof values[name] === 'string' ? (values[name] as string) : undefined;
const integer = (values: Values, name: string) =>
  text(values, name) === undefined ? undefined : Number(text(values, name));
const needId = (id: string | undefined, what: string) => {
  if (!id)
    throw new AppError('VALIDATION_ERROR', `Name the ${what}`, {
      issues: [{ path: ['id'], message: 'required', code: 'custom' }],
    });
  return id;
};
/** Parses CLI input with the route's own schema, so the CLI refuses exactly what the API refuses. */
const parse = <T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string; code: string }[] } };
  },
  input: unknown,
): T => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
    code: issue.code,
  }));
  throw new AppError(
    'VALIDATION_ERROR',
    issues.map((issue) => `--${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; '),
    { issues },
  );
};
const drop = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));

const all = async <T>(
  page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<T[]> => {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    rows.push(...next.data);
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  return rows;
};

const groups: Record<
  string,
  {
    summary: string;
    usage: string;
    options: NonNullable<Command['options']>;
    actions: Record<string, Action>;
  }
> = {
  products: {
    summary: 'create, list or show products',
    usage: [
      'Usage: charter products create --code <code> --name <name> [--status active|disabled|archived]',
      '       charter products list',
      '       charter products show <id>',
    ].join('\n'),
    options: { code: { type: 'string' }, name: { type: 'string' }, status: { type: 'string' } },
    actions: {
      create: {
        run: ({ deps, values }) =>
          createProduct(
            deps,
            caller,
            parse(
              createProductSchema,
              drop({
                code: text(values, 'code'),
                name: text(values, 'name'),
                status: text(values, 'status'),
              }),
            ),
          ),
      },
      list: {
        run: ({ deps }) => all((cursor) => productPage(deps.db.kysely, undefined, { limit: 200, cursor })),
        columns: ['id', 'code', 'name', 'status', 'licenseModel'],
      },
      show: { run: ({ deps, id }) => getProduct(deps.db.kysely, undefined, needId(id, 'product id')) },
    },
  },
  policies: {
    summary: 'create, list or show policies',
    usage: [
      'Usage: charter policies create --product <id|code> --code <code> --name <name> [--max-machines <n>] [--duration-days <n>]',
      '                               [--floating] [--heartbeat-seconds <n>]',
      '       charter policies list [--product <id>]',
      '       charter policies show <id>',
    ].join('\n'),
    options: {
      product: { type: 'string' },
      code: { type: 'string' },
      name: { type: 'string' },
      'max-machines': { type: 'string' },
      'duration-days': { type: 'string' },
      floating: { type: 'boolean' },
      'heartbeat-seconds': { type: 'string' },
    },
    actions: {
      create: {
        run: ({ deps, values }) => {
          const days = integer(values, 'duration-days');
          return createPolicy(
            deps,
            caller,
            parse(
              createPolicySchema,
              drop({
                productId: text(values, 'product'),
                code: text(values, 'code'),
                name: text(values, 'name'),
                maxMachines: integer(values, 'max-machines'),
                durationSeconds: days === undefined ? undefined : days * 86_400,
                floating: values.floating === true ? true : undefined,
                heartbeatSeconds: integer(values, 'heartbeat-seconds'),
              }),
            ),
          );
        },
      },
      list: {
        run: ({ deps, values }) =>
          all((cursor) =>
            policyPage(deps.db.kysely, undefined, { limit: 200, cursor, productId: text(values, 'product') }),
          ),
        columns: ['id', 'productId', 'code', 'name', 'maxMachines', 'durationSeconds', 'floating'],
      },
      show: { run: ({ deps, id }) => getPolicy(deps.db.kysely, undefined, needId(id, 'policy id')) },
    },
  },
  customers: {
    summary: 'create, list or show customers',
    usage: [
      'Usage: charter customers create --email <email> [--name <name>] [--company <company>]',
      '       charter customers list [--email <email>]',
      '       charter customers show <id>',
    ].join('\n'),
    options: { email: { type: 'string' }, name: { type: 'string' }, company: { type: 'string' } },
    actions: {
      create: {
        run: ({ deps, values }) =>
          createCustomer(
            deps,
            caller,
            parse(
              createCustomerSchema,
              drop({
                email: text(values, 'email'),
                name: text(values, 'name'),
                company: text(values, 'company'),
              }),
            ),
          ),
      },
      list: {
        run: ({ deps, values }) =>
          all((cursor) =>
            customerPage(deps.db.kysely, undefined, { limit: 200, cursor, email: text(values, 'email') }),
          ),
        columns: ['id', 'email', 'name', 'company', 'status'],
      },
      show: { run: ({ deps, id }) => getCustomer(deps.db.kysely, undefined, needId(id, 'customer id')) },
    },
  },
  licenses: {
    summary: 'create, list, show, suspend, reinstate, revoke or renew licenses',
    usage: [
      'Usage: charter licenses create --policy <id> [--customer <id>] [--key <key>] [--expires-at <ISO time>]',
      '       charter licenses list [--product <id>] [--status active|suspended|revoked|expired] [--customer <id>]',
      '       charter licenses show <id|key>',
      '       charter licenses suspend|reinstate|revoke|renew <id>',
    ].join('\n'),
    options: {
      policy: { type: 'string' },
      customer: { type: 'string' },
      key: { type: 'string' },
      'expires-at': { type: 'string' },
      product: { type: 'string' },
      status: { type: 'string' },
    },
    actions: {
      create: {
        run: ({ deps, values }) =>
          createLicense(
            deps,
            caller,
            parse(
              createLicenseSchema,
              drop({
                policyId: text(values, 'policy'),
                customerId: text(values, 'customer'),
                key: text(values, 'key'),
                expiresAt: text(values, 'expires-at'),
              }),
            ),
          ),
      },
      list: {
        run: ({ deps, values }) => {
          const status = text(values, 'status');
          if (status !== undefined && !(licenseStatuses as readonly string[]).includes(status)) {
            throw new AppError('VALIDATION_ERROR', `--status must be one of ${licenseStatuses.join(', ')}`);
          }
          return all((cursor) =>
            licensePage(deps, undefined, {
              limit: 200,
              cursor,
              productId: text(values, 'product'),
              customerId: text(values, 'customer'),
              status: status as (typeof licenseStatuses)[number] | undefined,
            }),
          );
        },
        columns: ['id', 'key', 'status', 'policyId', 'customerId', 'expiresAt', 'machinesCount'],
      },
      show: {
        run: async ({ deps, id }) => {
          const reference = needId(id, 'license id or key');
          if (reference.startsWith('lic_')) return getLicense(deps, undefined, reference);
          const found = await licensePage(deps, undefined, { limit: 1, key: normalizeLicenseKey(reference) });
          const [license] = found.data;
          if (!license) throw new AppError('NOT_FOUND', 'No license has this key');
          return license;
        },
      },
      ...Object.fromEntries(
        (['suspend', 'reinstate', 'revoke', 'renew'] as const).map((action) => [
          action,
          {
            run: ({
              deps,
              id,
              approval,
            }: {
              deps: LicenseDeps;
              id: string | undefined;
              approval: ReadonlySet<ActionKind>;
            }) => {
              assertDirectAllowed(approval, licenseActionKinds[action]);
              return applyLicenseAction(deps, caller, needId(id, 'license id'), action);
            },
          },
        ]),
      ),
    },
  },
};

const commandFor = (group: (typeof groups)[string]): Command => ({
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
    return withStorage(config, async (db: Database) => {
      const deps: LicenseDeps = { db, clock: systemClock, sealer: createSealer(loadSecretKey(config)) };
      const approval = approvalKindsOf(config.requireApproval);
      const result = await action.run({ deps, values: parsed.values, id, approval });
      if (parsed.values.json) printJson(result);
      else if (Array.isArray(result))
        printTable(result as Record<string, unknown>[], action.columns ?? Object.keys(result[0] ?? {}));
      else printRecord(result as Record<string, unknown>);
      return 0;
    });
  },
});

export const catalogCommands: Record<string, Command> = Object.fromEntries(
  Object.entries(groups).map(([name, group]) => [name, commandFor(group)]),
);
