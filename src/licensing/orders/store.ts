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

/**
 * Orders newest first. A credential restricted to `productIds` sees an order only when every license it issued is
 * of one of those products (as GET /v1/orders/{id} answers).
 */
export const listOrders = (
  db: Executor,
  filter: {
    before?: string | undefined;
    customerId?: string | undefined;
    externalId?: string | undefined;
    productIds?: readonly string[] | undefined;
    limit: number;
  },
): Promise<OrdersTable[]> => {
  let query = db.selectFrom('orders').selectAll();
  if (filter.before) query = query.where('id', '<', filter.before);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.externalId) query = query.where('external_id', '=', filter.externalId);
  const { productIds } = filter;
  if (productIds) {
    query = query.where((eb) => {
      const foreign = eb
        .selectFrom('licenses')
        .select('licenses.id')
        .whereRef('licenses.order_id', '=', 'orders.id');
      return eb.not(
        eb.exists(
          productIds.length === 0 ? foreign : foreign.where('licenses.product_id', 'not in', productIds),
        ),
      );
    });
  }
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};
