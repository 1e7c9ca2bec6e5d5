// SQL of customers.
import type { ExpressionBuilder } from 'kysely';
import type { CustomersTable, Schema, UsersTable } from '../../db/schema.js';
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

// Users of a customer: members (customer_users, role member or manager) and the users assigned to one of the
// customer's live licenses (members by assignment, role member).

/** Users of a customer whose membership row or license assignment makes them so, with their role. */
const usersOfCustomer = (db: Executor, customerId: string) =>
  db
    .selectFrom('users')
    .leftJoin('customer_users', (join) =>
      join.onRef('customer_users.user_id', '=', 'users.id').on('customer_users.customer_id', '=', customerId),
    )
    .selectAll('users')
    .select('customer_users.role as role')
    .where('users.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('customer_users.user_id', 'is not', null),
        eb.exists(
          eb
            .selectFrom('license_users')
            .innerJoin('licenses', 'licenses.id', 'license_users.license_id')
            .select('license_users.user_id')
            .whereRef('license_users.user_id', '=', 'users.id')
            .where('licenses.customer_id', '=', customerId)
            .where('licenses.deleted_at', 'is', null),
        ),
      ]),
    );

export type CustomerUserRow = UsersTable & { role: string | null };

export const listCustomerUsers = (
  db: Executor,
  customerId: string,
  window: { after?: string | undefined; limit: number },
): Promise<CustomerUserRow[]> => {
  let query = usersOfCustomer(db, customerId);
  if (window.after) query = query.where('users.id', '>', window.after);
  return query.orderBy('users.id').limit(window.limit).execute();
};

export const findCustomerUser = (
  db: Executor,
  customerId: string,
  userId: string,
): Promise<CustomerUserRow | undefined> =>
  usersOfCustomer(db, customerId).where('users.id', '=', userId).executeTakeFirst();

/** Adds or changes a membership; answers whether a row was inserted. */
export const upsertMembership = async (
  db: Executor,
  row: { customer_id: string; user_id: string; role: string; created_at: number },
): Promise<boolean> => {
  const existing = await db
    .selectFrom('customer_users')
    .select('role')
    .where('customer_id', '=', row.customer_id)
    .where('user_id', '=', row.user_id)
    .executeTakeFirst();
  if (existing) {
    if (existing.role !== row.role)
      await db
        .updateTable('customer_users')
        .set({ role: row.role })
        .where('customer_id', '=', row.customer_id)
        .where('user_id', '=', row.user_id)
        .execute();
    return false;
  }
  await db
    .insertInto('customer_users')
    .values(row)
    .onConflict((conflict) => conflict.columns(['customer_id', 'user_id']).doNothing())
    .execute();
  return true;
};

export const deleteMembership = async (
  db: Executor,
  customerId: string,
  userId: string,
): Promise<boolean> => {
  const result = await db
    .deleteFrom('customer_users')
    .where('customer_id', '=', customerId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
};

/** The live, active customers a user manages. */
export const customersManagedBy = (db: Executor, userId: string): Promise<CustomersTable[]> =>
  db
    .selectFrom('customer_users')
    .innerJoin('customers', 'customers.id', 'customer_users.customer_id')
    .selectAll('customers')
    .where('customer_users.user_id', '=', userId)
    .where('customer_users.role', '=', 'manager')
    .where('customers.deleted_at', 'is', null)
    .orderBy('customers.id')
    .execute();
