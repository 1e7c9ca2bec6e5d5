// 0023: a customer's orders, newest first (GET /v1/orders?customerId=). Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('orders_customer').on('orders').columns(['customer_id', 'id']).execute();
};
