// SQL of customers.
import type { CustomersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

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
    limit: number;
  },
): Promise<CustomersTable[]> => {
  let query = db.selectFrom('customers').selectAll().where('deleted_at', 'is', null);
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
