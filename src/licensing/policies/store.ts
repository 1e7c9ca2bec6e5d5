// SQL of policies.
import type { PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertPolicy = async (db: Executor, row: PoliciesTable): Promise<void> => {
  await db.insertInto('policies').values(row).execute();
};

export const findPolicy = (db: Executor, id: string): Promise<PoliciesTable | undefined> =>
  db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();

export const findLivePolicyByCode = (
  db: Executor,
  productId: string,
  code: string,
): Promise<PoliciesTable | undefined> =>
  db
    .selectFrom('policies')
    .selectAll()
    .where('product_id', '=', productId)
    .where('code', '=', code)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();

export const listPolicies = (
  db: Executor,
  filter: {
    after?: string | undefined;
    productId?: string | undefined;
    productIds?: readonly string[] | undefined;
    code?: string | undefined;
    floating?: boolean | undefined;
    limit: number;
  },
): Promise<PoliciesTable[]> => {
  let query = db.selectFrom('policies').selectAll().where('deleted_at', 'is', null);
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.productId) query = query.where('product_id', '=', filter.productId);
  if (filter.productIds) {
    query =
      filter.productIds.length === 0
        ? query.where(({ lit }) => lit(false))
        : query.where('product_id', 'in', filter.productIds);
  }
  if (filter.code) query = query.where('code', '=', filter.code);
  if (filter.floating !== undefined) query = query.where('floating', '=', filter.floating ? 1 : 0);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updatePolicyRow = async (
  db: Executor,
  id: string,
  patch: Partial<PoliciesTable>,
): Promise<void> => {
  await db.updateTable('policies').set(patch).where('id', '=', id).execute();
};

/** Policies by id, deleted ones included. */
export const findPoliciesByIds = (db: Executor, ids: readonly string[]): Promise<PoliciesTable[]> =>
  db.selectFrom('policies').selectAll().where('id', 'in', ids).execute();
