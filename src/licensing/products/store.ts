// SQL of products, bundle members and features.
import type { DialectName } from '../../db/connection.js';
import type { FeaturesTable, ProductMembersTable, ProductsTable } from '../../db/schema.js';
import { type Executor, forUpdate } from '../../db/transaction.js';

export const insertProduct = async (db: Executor, row: ProductsTable): Promise<void> => {
  await db.insertInto('products').values(row).execute();
};

/** A product by id, deleted ones included (they answer 410). */
export const findProduct = (db: Executor, id: string): Promise<ProductsTable | undefined> =>
  db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();

/** A product by id, its row locked for the transaction on PostgreSQL (a bundle while its members change). */
export const lockProduct = (
  db: Executor,
  id: string,
  dialect: DialectName,
): Promise<ProductsTable | undefined> =>
  forUpdate(db.selectFrom('products').selectAll().where('id', '=', id), dialect).executeTakeFirst();

export const findLiveProductByCode = (db: Executor, code: string): Promise<ProductsTable | undefined> =>
  db
    .selectFrom('products')
    .selectAll()
    .where('code', '=', code)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();

export const listProducts = (
  db: Executor,
  filter: {
    after?: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
    code?: string | undefined;
    ids?: readonly string[] | undefined;
    limit: number;
  },
): Promise<ProductsTable[]> => {
  let query = db.selectFrom('products').selectAll().where('deleted_at', 'is', null);
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.code) query = query.where('code', '=', filter.code);
  if (filter.ids)
    query =
      filter.ids.length === 0 ? query.where(({ lit }) => lit(false)) : query.where('id', 'in', filter.ids);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateProductRow = async (
  db: Executor,
  id: string,
  patch: Partial<ProductsTable>,
): Promise<void> => {
  await db.updateTable('products').set(patch).where('id', '=', id).execute();
};

/** A bundle's live member products, by id. */
export const listMembers = (db: Executor, bundleId: string): Promise<ProductsTable[]> =>
  db
    .selectFrom('product_members as pm')
    .innerJoin('products as p', 'p.id', 'pm.member_id')
    .selectAll('p')
    .where('pm.bundle_id', '=', bundleId)
    .where('p.deleted_at', 'is', null)
    .orderBy('p.id')
    .execute();

export const insertMembers = async (db: Executor, rows: readonly ProductMembersTable[]): Promise<void> => {
  if (rows.length > 0)
    await db
      .insertInto('product_members')
      .values([...rows])
      .execute();
};

export const deleteMembers = async (
  db: Executor,
  bundleId: string,
  memberIds: readonly string[],
): Promise<void> => {
  if (memberIds.length === 0) return;
  await db
    .deleteFrom('product_members')
    .where('bundle_id', '=', bundleId)
    .where('member_id', 'in', [...memberIds])
    .execute();
};

/** Removes a product from every bundle it belongs to. */
export const deleteMembershipsOf = async (db: Executor, memberId: string): Promise<void> => {
  await db.deleteFrom('product_members').where('member_id', '=', memberId).execute();
};

export const insertFeature = async (db: Executor, row: FeaturesTable): Promise<void> => {
  await db.insertInto('features').values(row).execute();
};

export const findFeature = (
  db: Executor,
  productId: string,
  id: string,
): Promise<FeaturesTable | undefined> =>
  db
    .selectFrom('features')
    .selectAll()
    .where('product_id', '=', productId)
    .where('id', '=', id)
    .executeTakeFirst();

export const listFeatures = (
  db: Executor,
  filter: { productId: string; after?: string | undefined; kind?: string | undefined; limit: number },
): Promise<FeaturesTable[]> => {
  let query = db.selectFrom('features').selectAll().where('product_id', '=', filter.productId);
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateFeatureRow = async (
  db: Executor,
  id: string,
  patch: Partial<FeaturesTable>,
): Promise<void> => {
  await db.updateTable('features').set(patch).where('id', '=', id).execute();
};

export const deleteFeatureRow = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('features').where('id', '=', id).execute();
};

export const findFeatureByCode = (
  db: Executor,
  productId: string,
  code: string,
): Promise<FeaturesTable | undefined> =>
  db
    .selectFrom('features')
    .selectAll()
    .where('product_id', '=', productId)
    .where('code', '=', code)
    .executeTakeFirst();
