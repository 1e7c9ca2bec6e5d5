// SQL of the device blocklist.
import type { BlocklistTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertBlock = async (db: Executor, row: BlocklistTable): Promise<void> => {
  await db.insertInto('blocklist').values(row).execute();
};

export const findBlock = (db: Executor, id: string): Promise<BlocklistTable | undefined> =>
  db.selectFrom('blocklist').selectAll().where('id', '=', id).executeTakeFirst();

/** Whether a fingerprint is blocked for a product (or for all products). */
export const isBlocked = async (db: Executor, fingerprint: string, productId: string): Promise<boolean> => {
  const row = await db
    .selectFrom('blocklist')
    .select('id')
    .where('fingerprint', '=', fingerprint)
    .where((eb) => eb.or([eb('product_id', 'is', null), eb('product_id', '=', productId)]))
    .executeTakeFirst();
  return row !== undefined;
};

export const listBlocks = (
  db: Executor,
  filter: {
    after?: string | undefined;
    fingerprint?: string | undefined;
    productId?: string | undefined;
    /** A restricted credential's products: entries of these only (server-wide entries are not theirs). */
    productIds?: readonly string[] | undefined;
    limit: number;
  },
): Promise<BlocklistTable[]> => {
  let query = db.selectFrom('blocklist').selectAll();
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.fingerprint) query = query.where('fingerprint', '=', filter.fingerprint);
  if (filter.productId) query = query.where('product_id', '=', filter.productId);
  if (filter.productIds) {
    query =
      filter.productIds.length === 0
        ? query.where(({ lit }) => lit(false))
        : query.where('product_id', 'in', filter.productIds);
  }
  return query.orderBy('id').limit(filter.limit).execute();
};

export const deleteBlock = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('blocklist').where('id', '=', id).execute();
};
