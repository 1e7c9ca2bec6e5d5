// SQL of releases.
import type { ReleasesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertRelease = async (db: Executor, row: ReleasesTable): Promise<void> => {
  await db.insertInto('releases').values(row).execute();
};

export const findRelease = (db: Executor, id: string): Promise<ReleasesTable | undefined> =>
  db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();

export const findReleaseByVersion = (
  db: Executor,
  productId: string,
  version: string,
): Promise<ReleasesTable | undefined> =>
  db
    .selectFrom('releases')
    .selectAll()
    .where('product_id', '=', productId)
    .where('version', '=', version)
    .executeTakeFirst();

export const listReleases = (
  db: Executor,
  filter: {
    after?: string | undefined;
    productIds?: readonly string[] | undefined;
    productId?: string | undefined;
    channel?: string | undefined;
    limit: number;
  },
): Promise<ReleasesTable[]> => {
  let query = db.selectFrom('releases').selectAll();
  if (filter.productIds) {
    const ids = filter.productIds;
    query = query.where((eb) => (ids.length ? eb('product_id', 'in', ids) : eb.lit(false)));
  }
  if (filter.productId) query = query.where('product_id', '=', filter.productId);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

/** A product's releases published by `publishedBy` on the given channels. */
export const publishedReleases = (
  db: Executor,
  productId: string,
  channels: readonly string[],
  publishedBy: number,
): Promise<ReleasesTable[]> =>
  db
    .selectFrom('releases')
    .selectAll()
    .where('product_id', '=', productId)
    .where('channel', 'in', channels)
    .where('published_at', '<=', publishedBy)
    .execute();

export const updateReleaseRow = async (
  db: Executor,
  id: string,
  patch: Partial<ReleasesTable>,
): Promise<void> => {
  await db.updateTable('releases').set(patch).where('id', '=', id).execute();
};

export const deleteReleaseRow = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('releases').where('id', '=', id).execute();
};
