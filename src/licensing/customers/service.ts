// Customers: who licenses are issued to. Emails are unique among live customers; deletion is soft.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import { readPage } from '../../db/pagination.js';
import type { CustomersTable } from '../../db/schema.js';
import { type Executor, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import { newId } from '../../lib/random.js';
import { parseMetadata } from '../metadata.js';
import type { CatalogDeps } from '../products/service.js';
import { softDelete } from '../soft-delete.js';
import { visibleProducts } from '../visibility.js';
import type { CreateCustomer, Customer, UpdateCustomer } from './schemas.js';
import {
  customerReachable,
  findCustomer,
  findLiveCustomerByEmail,
  insertCustomer,
  listCustomers,
  updateCustomerRow,
} from './store.js';

export const toCustomer = (row: CustomersTable): Customer => ({
  id: row.id,
  email: row.email,
  name: row.name,
  company: row.company,
  status: row.status as Customer['status'],
  metadata: parseMetadata(row.metadata),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const customerEvent = (type: 'customer.created' | 'customer.updated', customer: Customer) => ({
  type,
  subject: { type: 'customer', id: customer.id },
  object: customer,
});

/** Audits a new customer and emits customer.created, in the transaction that inserted it. */
const recordCustomerCreated = async (
  tx: Executor,
  clock: CatalogDeps['clock'],
  caller: Caller,
  row: CustomersTable,
) => {
  await recordAudit(tx, clock, caller.audit, {
    action: 'customer.create',
    target: { type: 'customer', id: row.id },
    changes: { email: [null, row.email], name: [null, row.name] },
  });
  await emitEvent(tx, row.created_at, customerEvent('customer.created', toCustomer(row)));
};

const emailTaken = (email: string) =>
  new AppError('ALREADY_EXISTS', `A customer with email ${email} exists`, { field: 'email' });

/**
 * A product-restricted credential reaches a customer only through a license of its products, or while the
 * customer holds no license at all (store.ts); any other answers as missing (api.md "Visibility").
 */
const reachable = (db: Executor, principal: Principal | undefined, id: string) =>
  customerReachable(db, id, visibleProducts(principal));

export const getCustomerRowOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<CustomersTable> => {
  const row = await findCustomer(db, id);
  if (!row || !(await reachable(db, principal, id))) throw new AppError('NOT_FOUND', `No customer ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `Customer ${id} was deleted`);
  return row;
};

// A request names a customer by its id (cus_…) or by its email (unique among live customers, compared in lower case).
const isCustomerId = (reference: string) => reference.startsWith('cus_');
const findNamedCustomer = (db: Executor, reference: string) =>
  isCustomerId(reference)
    ? findCustomer(db, reference)
    : findLiveCustomerByEmail(db, reference.trim().toLowerCase());

/** A live customer referenced in a body, by id or email, or UNKNOWN_CUSTOMER. */
export const getReferencedCustomerOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  reference: string,
): Promise<CustomersTable> => {
  const row = await findNamedCustomer(db, reference);
  if (!row || row.deleted_at !== null || !(await reachable(db, principal, row.id)))
    throw new AppError('UNKNOWN_CUSTOMER', `No customer ${reference}`, { customerId: reference });
  return row;
};

/**
 * The id of the customer a filter names (`?customerId=` of the license list, the CLI's --customer): its id or its
 * email. As for products (resolveProductId): 404 NOT_FOUND when none exists or the caller does not reach it, never
 * an empty list; 410 GONE for a deleted one named by id.
 */
export const resolveCustomerId = async (
  db: Executor,
  principal: Principal | undefined,
  reference: string,
): Promise<string> => {
  const row = await findNamedCustomer(db, reference);
  if (!row || !(await reachable(db, principal, row.id)))
    throw new AppError('NOT_FOUND', `No customer ${reference}`, { customerId: reference });
  if (row.deleted_at !== null) throw new AppError('GONE', `Customer ${reference} was deleted`);
  return row.id;
};

export const createCustomer = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  input: CreateCustomer,
): Promise<Customer> => {
  const now = clock.nowMs();
  const row: CustomersTable = {
    id: newId('cus', now),
    email: input.email,
    name: input.name ?? input.email,
    company: input.company ?? null,
    status: input.status ?? 'active',
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  await transactionUnique(
    db,
    () => emailTaken(row.email),
    async (tx) => {
      if (await findLiveCustomerByEmail(tx, row.email)) throw emailTaken(row.email);
      await insertCustomer(tx, row);
      await recordCustomerCreated(tx, clock, caller, row);
    },
  );
  return toCustomer(row);
};

export const getCustomer = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<Customer> => toCustomer(await getCustomerRowOrThrow(db, principal, id));

export const customerPage = async (
  db: Executor,
  principal: Principal | undefined,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: string | undefined;
    email?: string | undefined;
  },
) => {
  return readPage(
    query,
    (window) =>
      listCustomers(db, {
        after: window.after,
        status: query.status,
        email: query.email,
        productIds: visibleProducts(principal),
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toCustomer(row)),
  );
};

export const updateCustomer = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
  patch: UpdateCustomer,
) => {
  return await transactionUnique(
    db,
    () => emailTaken(patch.email ?? ''),
    async (tx) => {
      const row = await getCustomerRowOrThrow(tx, caller.principal, id);
      if (patch.email && patch.email !== row.email && (await findLiveCustomerByEmail(tx, patch.email)))
        throw emailTaken(patch.email);
      const before = toCustomer(row);
      const updated: CustomersTable = {
        ...row,
        email: patch.email ?? row.email,
        name: patch.name ?? row.name,
        company: patch.company === undefined ? row.company : patch.company,
        status: patch.status ?? row.status,
        metadata: patch.metadata ? JSON.stringify(patch.metadata) : row.metadata,
        updated_at: clock.nowMs(),
      };
      await updateCustomerRow(tx, id, updated);
      const after = toCustomer(updated);
      await recordAudit(tx, clock, caller.audit, {
        action: 'customer.update',
        target: { type: 'customer', id },
        changes: diff(before, {
          email: after.email,
          name: after.name,
          company: after.company,
          status: after.status,
          metadata: after.metadata,
        }),
      });
      await emitEvent(tx, updated.updated_at, customerEvent('customer.updated', after));
      return after;
    },
  );
};

export const deleteCustomer = (deps: CatalogDeps, caller: Caller, id: string): Promise<void> =>
  softDelete(
    deps,
    caller,
    { type: 'customer', id },
    {
      load: (tx) => getCustomerRowOrThrow(tx, caller.principal, id),
      mark: (tx, patch) => updateCustomerRow(tx, id, patch),
    },
  );

/**
 * Inside the caller's transaction: the live customer with this email, or a new one (audited). An order names its
 * customer this way. Two orders creating the same customer at once: the unique email index refuses the second,
 * whose transaction then fails as a whole (the caller answers ALREADY_EXISTS or retries).
 */
export const findOrCreateCustomer = async (
  tx: Executor,
  clock: CatalogDeps['clock'],
  caller: Caller,
  input: { email: string; name?: string | undefined; company?: string | undefined },
): Promise<{ row: CustomersTable; created: boolean }> => {
  const existing = await findLiveCustomerByEmail(tx, input.email);
  if (existing) return { row: existing, created: false };
  const now = clock.nowMs();
  const row: CustomersTable = {
    id: newId('cus', now),
    email: input.email,
    name: input.name ?? input.email,
    company: input.company ?? null,
    status: 'active',
    metadata: '{}',
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  await insertCustomer(tx, row);
  await recordCustomerCreated(tx, clock, caller, row);
  return { row, created: true };
};
