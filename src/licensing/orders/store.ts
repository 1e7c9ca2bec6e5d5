// SQL of orders.
import type { OrdersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertOrder = async (db: Executor, row: OrdersTable): Promise<void> => {
  await db.insertInto('orders').values(row).execute();
};

export const findOrder = (db: Executor, id: string): Promise<OrdersTable | undefined> =>
  db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();

export const findOrderByExternalId = (db: Executor, externalId: string): Promise<OrdersTable | undefined> =>
  db.selectFrom('orders').selectAll().where('external_id', '=', externalId).executeTakeFirst();
