// SQL of customers.
import type { ExpressionBuilder } from 'kysely';
import type { CustomersTable, Schema } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/**
 * Customers a credential restricted to `productIds` reaches: those holding a license (live or deleted) of one of
 * its products, and those holding no license at all (they belong to no product yet, as one just created).
 */
const reachableBy = (productIds: readonly string[]) => (eb: ExpressionBuilder<Schema, 'customers'>) => {
  const licensesOf = () =>
    eb.selectFrom('licenses').select('licenses.id').whereRef('licenses.customer_id', '=', 'customers.id');
  const unattached = eb.not(eb.exists(licensesOf()));
  return productIds.length === 0
    ? unattached
    : eb.or([eb.exists(licensesOf().where('licenses.product_id', 'in', productIds)), unattached]);
};

/** Whether a credential restricted to `productIds` (undefined: unrestricted) reaches this customer. */
export const customerReachable = async (
  db: Executor,
  id: string,
  productIds: readonly string[] | undefined,
): Promise<boolean> => {
  if (!productIds) return true;
  const row = await db
    .selectFrom('customers')
    .select('id')
    .where('id', '=', id)
    .where(reachableBy(productIds))
    .executeTakeFirst();
  return row !== undefined;
};

export const insertCustomer = async (db: Executor, row: CustomersTable): Promise<void> => {
  await db.insertInto('customers').values(row).execute();
};

export const findCustomer = (db: Executor, id: string): Promise<CustomersTable | undefined> =>
  db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();

export const findLiveCustomerByEmail = (db: Executor, email: string): Promise<CustomersTable | undefined> =>
  db
    .selectFrom('customers')
    .selectAll()
    .where('email', '=', email)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();

export const listCustomers = (
  db: Executor,
  filter: {
    after?: string | undefined;
    status?: string | undefined;
    email?: string | undefined;
    productIds?: readonly string[] | undefined;
    limit: number;
  },
): Promise<CustomersTable[]> => {
  let query = db.selectFrom('customers').selectAll().where('deleted_at', 'is', null);
  if (filter.productIds) query = query.where(reachableBy(filter.productIds));
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.email) query = query.where('email', '=', filter.email.trim().toLowerCase());
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateCustomerRow = async (
  db: Executor,
  id: string,
  patch: Partial<CustomersTable>,
): Promise<void> => {
  await db.updateTable('customers').set(patch).where('id', '=', id).execute();
};
