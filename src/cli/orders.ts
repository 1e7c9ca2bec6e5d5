// charter orders create|show|list: a sale recorded from the command line, on the configured storage, no server needed.
// The order is POST /v1/orders' own (createOrder): the customer found or created, every item's licenses issued, all
// or nothing, audited, order.created emitted. Its external id is unique: running the same command again answers
// ALREADY_EXISTS instead of issuing twice (what the Idempotency-Key header adds over HTTP is replaying the answer).
import { AppError } from '../errors/app-error.js';
import { createOrderSchema, type Order, type OrderSummary } from '../licensing/orders/schemas.js';
import { createOrder, getOrder, orderPage } from '../licensing/orders/service.js';
import { resourceCommand } from './group.js';
import { all, cliSystemCaller as caller, drop, json, needId, parse, text, texts } from './input.js';
import { printRecord, printTable } from './output.js';

/** `<product>:<policy>[:<quantity>]`, each named by id or code (neither has a colon). */
const parseItem = (item: string, index: number) => {
  const [productCode, policyCode, quantity, ...rest] = item.split(':');
  if (!productCode || !policyCode || rest.length > 0 || (quantity !== undefined && !/^\d+$/.test(quantity)))
    throw new AppError('VALIDATION_ERROR', `--item ${item}: write <product>:<policy>[:<quantity>]`, {
      issues: [
        { path: ['items', String(index)], message: 'not <product>:<policy>[:<quantity>]', code: 'custom' },
      ],
    });
  return { productCode, policyCode, quantity: quantity === undefined ? 1 : Number(quantity) };
};

/** Named by id (cus_…) it must exist; by email it is found, or created with --customer-name and --customer-company. */
const customerOf = (reference: string | undefined, name: string | undefined, company: string | undefined) =>
  reference?.includes('@')
    ? { customer: drop({ email: reference, name, company }) }
    : { customerId: reference };

const printOrder = (order: Order) => {
  const { licenses, items, ...rest } = order;
  printRecord({
    ...rest,
    items: items.map((item) => `${item.productCode}:${item.policyCode}:${item.quantity}`).join(' '),
  });
  process.stdout.write('\n');
  printTable(licenses, ['id', 'key', 'productId', 'policyId', 'status', 'expiresAt']);
};

export const ordersCommand = resourceCommand({
  summary: 'create (issue the licenses of a sale), show or list orders',
  usage: [
    'Usage: charter orders create --external-id <your order id> --customer <id|email> --item <product>:<policy>[:<quantity>] …',
    "                             [--customer-name <name>] [--customer-company <company>] [--metadata '<json>']",
    '       charter orders show <order id>',
    '       charter orders list [--customer <id|email>] [--external-id <your order id>]   (newest first)',
    '',
    '  --item is repeated, once per item: the product and the policy by id or code, the quantity 1 by default.',
    '  A customer named by email is found, or created. The external id is unique: the same order twice answers',
    '  ALREADY_EXISTS and issues nothing.',
  ].join('\n'),
  options: {
    'external-id': { type: 'string' },
    customer: { type: 'string' },
    'customer-name': { type: 'string' },
    'customer-company': { type: 'string' },
    item: { type: 'string', multiple: true },
    metadata: { type: 'string' },
  },
  actions: {
    create: {
      run: ({ deps, values }) =>
        createOrder(
          deps,
          caller,
          parse(
            createOrderSchema,
            drop({
              externalId: text(values, 'external-id'),
              ...customerOf(
                text(values, 'customer'),
                text(values, 'customer-name'),
                text(values, 'customer-company'),
              ),
              items: texts(values, 'item').map(parseItem),
              metadata: json(values, 'metadata'),
            }),
          ),
        ),
      print: printOrder,
    },
    show: { run: ({ deps, id }) => getOrder(deps, caller, needId(id, 'order id')), print: printOrder },
    list: {
      run: ({ deps, values }) => {
        const customerId = text(values, 'customer');
        const externalId = text(values, 'external-id');
        return all((cursor) => orderPage(deps, caller, { limit: 200, cursor, customerId, externalId }));
      },
      columns: ['id', 'externalId', 'customerId', 'items', 'licensesCount', 'createdAt'],
      row: (order: OrderSummary) => ({
        ...order,
        items: order.items.map((item) => `${item.productCode}:${item.policyCode}:${item.quantity}`).join(' '),
      }),
    },
  },
});
