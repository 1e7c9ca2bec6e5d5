// Orders: a sale issues its licenses all or nothing, in one transaction: the customer found or created, every
// item's licenses issued under its policy, users assigned on per-user products, the order recorded and
// order.created emitted. Anything refused rolls back everything. `externalId` is unique.
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import { isUniqueViolation } from '../../db/errors.js';
import { type Page, readPage } from '../../db/pagination.js';
import type { LicensesTable, OrdersTable, PoliciesTable, ProductsTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import { newId } from '../../lib/random.js';
import { type CustomerMailDeps, notifyLicensesIssued, orderNotifications } from '../customer-mail/service.js';
import {
  findOrCreateCustomer,
  getReferencedCustomerOrThrow,
  resolveCustomerId,
} from '../customers/service.js';
import { issueLicense } from '../licenses/issue.js';
import { type LicenseDeps, presentLicenses } from '../licenses/present.js';
import { licenseCountsByOrder, licenseRowsOfOrder } from '../licenses/service.js';
import { parseMetadata } from '../metadata.js';
import { findPolicyOfProduct } from '../policies/service.js';
import { findReferencedProduct } from '../products/service.js';
import { assignUsersByEmail } from '../users/service.js';
import { assertProductAllowed, canSeeProduct, visibleProducts } from '../visibility.js';
import {
  type CreateOrder,
  maxOrderQuantity,
  type Order,
  type OrderListQuery,
  type OrderSummary,
} from './schemas.js';
import { findOrder, findOrderByExternalId, insertOrder, listOrders } from './store.js';

const externalIdTaken = (externalId: string) =>
  new AppError('ALREADY_EXISTS', `An order with externalId ${externalId} exists`, { field: 'externalId' });

const tooLarge = (used: number) =>
  new AppError(
    'QUANTITY_TOO_LARGE',
    `An order issues at most ${maxOrderQuantity} licenses; this one asks for ${used}`,
    { limit: maxOrderQuantity, used },
  );

/** What orders need: the licenses' deps and the customer mail turned on (the license mail is the order's). */
export type OrderDeps = LicenseDeps & CustomerMailDeps;

const toOrder = (
  row: OrdersTable,
  licenses: Order['licenses'],
  notifications: Order['notifications'],
): Order => ({
  id: row.id,
  externalId: row.external_id,
  customerId: row.customer_id,
  items: JSON.parse(row.items) as Order['items'],
  metadata: parseMetadata(row.metadata),
  licenses,
  notifications,
  createdAt: new Date(row.created_at).toISOString(),
});

/** Every item's product and policy, checked before anything is written. */
const resolveItems = async (tx: Executor, caller: Caller, items: CreateOrder['items']) => {
  const resolved: { item: CreateOrder['items'][number]; product: ProductsTable; policy: PoliciesTable }[] =
    [];
  for (const [index, item] of items.entries()) {
    const product = await findReferencedProduct(tx, item.productCode);
    if (!product)
      throw new AppError('UNKNOWN_PRODUCT', `No product ${item.productCode}`, {
        productCode: item.productCode,
        item: index,
      });
    assertProductAllowed(caller.principal, product.id);
    if (product.status === 'archived')
      throw new AppError('PRODUCT_ARCHIVED', `Product ${product.code} is archived`);
    const policy = await findPolicyOfProduct(tx, product.id, item.policyCode);
    if (!policy)
      throw new AppError('UNKNOWN_POLICY', `Product ${product.code} has no policy ${item.policyCode}`, {
        policyCode: item.policyCode,
        item: index,
      });
    if (item.users?.length && product.license_model !== 'user') {
      throw new AppError(
        'VALIDATION_ERROR',
        `Product ${product.code} is not licensed per user: send no users`,
        {
          location: 'body',
          issues: [
            { path: ['items', index, 'users'], message: 'only for per-user products', code: 'custom' },
          ],
        },
      );
    }
    resolved.push({ item, product, policy });
  }
  return resolved;
};

/**
 * POST /v1/orders. A unique index may refuse the order's writes when a concurrent order won a race: on its
 * externalId (ALREADY_EXISTS), or on a new customer's email, when both orders created the same customer. The
 * latter is tried again, and finds the customer the other order made.
 */
export const createOrder = async (deps: OrderDeps, caller: Caller, input: CreateOrder): Promise<Order> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(deps.db, (tx) => createOrderIn(deps, tx, caller, input));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (await findOrderByExternalId(deps.db.kysely, input.externalId))
        throw externalIdTaken(input.externalId);
      if (attempt === 3)
        throw new AppError('CONFLICT', 'Concurrent changes kept refusing this order; send it again');
    }
  }
};

export interface OrderOptions {
  /** Metadata every issued license carries (a store's subscription id). */
  licenseMetadata?: Record<string, unknown>;
  /** Runs for each issued license, in the order's transaction. */
  onIssued?: (tx: Executor, license: LicensesTable) => Promise<void>;
}

/** createOrder inside the caller's transaction (store integrations record their event in the same one). */
export const createOrderIn = async (
  deps: OrderDeps,
  tx: Executor,
  caller: Caller,
  input: CreateOrder,
  options: OrderOptions = {},
): Promise<Order> => {
  const total = input.items.reduce((sum, item) => sum + item.quantity, 0);
  const largest = Math.max(...input.items.map((item) => item.quantity));
  if (largest > maxOrderQuantity || total > maxOrderQuantity) throw tooLarge(Math.max(largest, total));
  if (await findOrderByExternalId(tx, input.externalId)) throw externalIdTaken(input.externalId);
  const nowMs = deps.clock.nowMs();
  const customer = input.customer
    ? (await findOrCreateCustomer(tx, deps.clock, caller, input.customer)).row
    : await getReferencedCustomerOrThrow(tx, caller.principal, input.customerId ?? '');
  const resolved = await resolveItems(tx, caller, input.items);
  const row: OrdersTable = {
    id: newId('ord', nowMs),
    external_id: input.externalId,
    customer_id: customer.id,
    items: JSON.stringify(input.items),
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: nowMs,
  };
  await insertOrder(tx, row);
  const issued: LicensesTable[] = [];
  const names = new Map<string, { productName: string; policyName: string }>();
  for (const { item, product, policy } of resolved) {
    names.set(policy.id, { productName: product.name, policyName: policy.name });
    for (let count = 0; count < item.quantity; count++) {
      const license = await issueLicense(deps, tx, caller, policy, {
        customerId: customer.id,
        startsAt: nowMs,
        orderId: row.id,
        ...(options.licenseMetadata ? { metadata: options.licenseMetadata } : {}),
      });
      await options.onIssued?.(tx, license);
      if (item.users?.length) {
        await assignUsersByEmail(
          tx,
          deps.clock,
          caller,
          { id: license.id, maxUsers: policy.max_users },
          item.users,
        );
      }
      issued.push(license);
    }
  }
  // Sorted by id, as GET /v1/orders/{id} answers them.
  issued.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const licenses = await presentLicenses(deps, tx, caller.principal, issued);
  const mailed = await notifyLicensesIssued(deps, tx, {
    id: row.id,
    externalId: row.external_id,
    customer,
    licenses: issued.map((license) => ({
      row: license,
      ...(names.get(license.policy_id) ?? { productName: '', policyName: '' }),
    })),
  });
  const order = toOrder(row, licenses, mailed ? await orderNotifications(tx, row.id) : []);
  await recordAudit(tx, deps.clock, caller.audit, {
    action: 'order.create',
    target: { type: 'order', id: row.id },
    changes: { externalId: [null, row.external_id], licenses: [null, issued.length] },
  });
  // Events are stored: they carry no license key (a database dump must yield none), nor the mail queued.
  const { notifications: _notifications, ...ordered } = order;
  await emitEvent(tx, nowMs, {
    type: 'order.created',
    subject: { type: 'order', id: row.id },
    object: { ...ordered, licenses: licenses.map(({ key: _key, ...license }) => license) },
  });
  return order;
};

/** GET /v1/orders/{id}: a credential restricted to products sees an order only when it sees all its licenses. */
export const getOrder = async (deps: LicenseDeps, caller: Caller, id: string): Promise<Order> => {
  const db = deps.db.kysely;
  const row = await findOrder(db, id);
  const rows = row ? await licenseRowsOfOrder(db, row.id) : [];
  if (!row || rows.some((license) => !canSeeProduct(caller.principal, license.product_id)))
    throw new AppError('NOT_FOUND', `No order ${id}`);
  return toOrder(
    row,
    await presentLicenses(deps, db, caller.principal, rows),
    await orderNotifications(db, row.id),
  );
};

/**
 * GET /v1/orders: newest first, each without its licenses (GET /v1/orders/{id} has them) but with their count. A
 * credential restricted to products lists the orders whose every license it sees.
 */
export const orderPage = async (
  deps: LicenseDeps,
  caller: Caller,
  query: OrderListQuery,
): Promise<Page<OrderSummary>> => {
  const db = deps.db.kysely;
  const principal = caller.principal;
  const customerId =
    query.customerId === undefined ? undefined : await resolveCustomerId(db, principal, query.customerId);
  return readPage(
    query,
    (window) =>
      listOrders(db, {
        before: window.after,
        customerId,
        externalId: query.externalId,
        productIds: visibleProducts(principal),
        limit: window.limit,
      }),
    async (rows) => {
      const counts = await licenseCountsByOrder(
        db,
        rows.map((row) => row.id),
      );
      return rows.map((row) => {
        const { licenses: _licenses, notifications: _notifications, ...order } = toOrder(row, [], []);
        return { ...order, licensesCount: counts.get(row.id) ?? 0 };
      });
    },
  );
};
