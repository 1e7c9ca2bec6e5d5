// charter products|policies|customers|licenses: the common catalog tasks on the configured storage, no server
// needed. Tables for people, --json for scripts. Every change is audited as done by the CLI. A product is named by
// its id or code, a policy by its id or code, a customer by its id or email, a license by its id or key.
import { createCustomerSchema, updateCustomerSchema } from '../licensing/customers/schemas.js';
import {
  createCustomer,
  customerPage,
  getCustomer,
  resolveCustomerId,
  updateCustomer,
} from '../licensing/customers/service.js';
import { applyLicenseAction } from '../licensing/licenses/actions.js';
import { createLicense } from '../licensing/licenses/issue.js';
import { createLicenseSchema, licenseStatuses } from '../licensing/licenses/schemas.js';
import { licensePage } from '../licensing/licenses/service.js';
import { createPolicySchema } from '../licensing/policies/schemas.js';
import { createPolicy, getPolicy, policyPage, resolvePolicyId } from '../licensing/policies/service.js';
import { createProductSchema } from '../licensing/products/schemas.js';
import { createProduct, getProduct, productPage, resolveProductId } from '../licensing/products/service.js';
import { assertDirectAllowed } from '../ops/actions/gate.js';
import type { Command } from './command.js';
import { type Action, type ResourceGroup, resourceCommand } from './group.js';
import {
  all,
  cliSystemCaller as caller,
  drop,
  integer,
  json,
  licenseByReference,
  needId,
  oneOf,
  parse,
  text,
} from './input.js';
import { exportLicenses, licenseExportOptions, licenseExportUsage } from './license-export.js';

/** The action kind of each license command, for CHARTER_REQUIRE_APPROVAL. */
const licenseActionKinds = {
  suspend: 'suspend_license',
  reinstate: 'reinstate_license',
  revoke: 'revoke_license',
  renew: 'extend_license',
} as const;

const products: ResourceGroup = {
  summary: 'create, list or show products',
  usage: [
    'Usage: charter products create --code <code> --name <name> [--status active|disabled|archived]',
    '                                [--kind standard|bundle]',
    '       charter products list',
    '       charter products show <id|code>',
  ].join('\n'),
  options: {
    code: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string' },
    kind: { type: 'string' },
  },
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
              kind: text(values, 'kind'),
            }),
          ),
        ),
    },
    list: {
      run: ({ deps }) => all((cursor) => productPage(deps.db.kysely, undefined, { limit: 200, cursor })),
      columns: ['id', 'code', 'name', 'status', 'kind', 'licenseModel'],
    },
    show: {
      run: async ({ deps, id }) => {
        const db = deps.db.kysely;
        return getProduct(db, undefined, await resolveProductId(db, undefined, needId(id, 'product')));
      },
    },
  },
};

const policies: ResourceGroup = {
  summary: 'create, list or show policies',
  usage: [
    'Usage: charter policies create --product <id|code> --code <code> --name <name> [--max-machines <n>] [--duration-days <n>]',
    '                               [--floating] [--heartbeat-seconds <n>]',
    '       charter policies list [--product <id|code>]',
    '       charter policies show <id|code> [--product <id|code>]',
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
    show: {
      run: async ({ deps, id, values }) => {
        const db = deps.db.kysely;
        const product = text(values, 'product');
        const productId = product === undefined ? undefined : await resolveProductId(db, undefined, product);
        return getPolicy(
          db,
          undefined,
          await resolvePolicyId(db, undefined, needId(id, 'policy'), productId),
        );
      },
    },
  },
};

const customers: ResourceGroup = {
  summary: 'create, list, show or update customers',
  usage: [
    'Usage: charter customers create --email <email> [--name <name>] [--company <company>]',
    '       charter customers list [--email <email>]',
    '       charter customers show <id|email>',
    "       charter customers update <id|email> [--email <new email>] [--name <name>] [--company <company>|'']",
    '                                [--status active|inactive]',
  ].join('\n'),
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    company: { type: 'string' },
    status: { type: 'string' },
  },
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
    show: {
      run: async ({ deps, id }) => {
        const db = deps.db.kysely;
        return getCustomer(db, undefined, await resolveCustomerId(db, undefined, needId(id, 'customer')));
      },
    },
    update: {
      run: async ({ deps, id, values }) => {
        const company = text(values, 'company');
        const patch = parse(
          updateCustomerSchema,
          drop({
            email: text(values, 'email'),
            name: text(values, 'name'),
            // An empty --company clears it.
            company: company === '' ? null : company,
            status: text(values, 'status'),
          }),
        );
        const customerId = await resolveCustomerId(deps.db.kysely, undefined, needId(id, 'customer'));
        return updateCustomer(deps, caller, customerId, patch);
      },
    },
  },
};

const licenseStateActions: Record<string, Action> = Object.fromEntries(
  (['suspend', 'reinstate', 'revoke', 'renew'] as const).map((name): [string, Action] => [
    name,
    {
      run: async ({ deps, id, approval }) => {
        assertDirectAllowed(approval, licenseActionKinds[name]);
        const license = await licenseByReference(deps, needId(id, 'license id or key'));
        return applyLicenseAction(deps, caller, license.id, name);
      },
    },
  ]),
);

const licenseFilters = (values: Parameters<Action['run']>[0]['values']) => ({
  productId: text(values, 'product'),
  policyId: text(values, 'policy'),
  customerId: text(values, 'customer'),
  status: oneOf(values, 'status', licenseStatuses),
});

const licenses: ResourceGroup = {
  summary: 'create, list, show, export, suspend, reinstate, revoke or renew licenses',
  usage: [
    'Usage: charter licenses create --policy <id|code> [--product <id|code>] [--customer <id|email>] [--key <key>]',
    "                               [--expires-at <ISO time>] [--metadata '<json>']",
    '       charter licenses list [--product <id|code>] [--policy <id|code>] [--customer <id|email>]',
    '                             [--status active|suspended|revoked|expired]',
    '       charter licenses show <id|key>',
    '       charter licenses suspend|reinstate|revoke|renew <id|key>',
    licenseExportUsage,
  ].join('\n'),
  options: {
    policy: { type: 'string' },
    customer: { type: 'string' },
    key: { type: 'string' },
    'expires-at': { type: 'string' },
    metadata: { type: 'string' },
    product: { type: 'string' },
    status: { type: 'string' },
    ...licenseExportOptions,
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
              productId: text(values, 'product'),
              customerId: text(values, 'customer'),
              key: text(values, 'key'),
              expiresAt: text(values, 'expires-at'),
              metadata: json(values, 'metadata'),
            }),
          ),
        ),
    },
    list: {
      run: ({ deps, values }) => {
        const filters = licenseFilters(values);
        return all((cursor) => licensePage(deps, undefined, { ...filters, limit: 200, cursor }));
      },
      columns: ['id', 'key', 'status', 'policyId', 'customerId', 'expiresAt', 'machinesCount'],
    },
    show: { run: ({ deps, id }) => licenseByReference(deps, needId(id, 'license id or key')) },
    export: {
      run: ({ deps, values }) => exportLicenses(deps, values, licenseFilters(values)),
      streams: true,
    },
    ...licenseStateActions,
  },
};

export const catalogCommands: Record<string, Command> = {
  products: resourceCommand(products),
  policies: resourceCommand(policies),
  customers: resourceCommand(customers),
  licenses: resourceCommand(licenses),
};
