// SQL of license users and their assignments.
import type { ExpressionBuilder } from 'kysely';
import type { PortalSessionsTable, Schema, UserInvitationsTable, UsersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/**
 * Users a credential restricted to `productIds` reaches: those assigned to a license of one of its products, and
 * those assigned to no license and member of no customer (they belong to no product yet, as one just created).
 */
const reachableBy = (productIds: readonly string[]) => (eb: ExpressionBuilder<Schema, 'users'>) => {
  const assignments = () =>
    eb
      .selectFrom('license_users')
      .select('license_users.license_id')
      .whereRef('license_users.user_id', '=', 'users.id');
  // A member or manager of a customer is not "unattached": a restricted credential must not reach a manager of a
  // customer whose licenses it cannot see.
  const memberships = () =>
    eb
      .selectFrom('customer_users')
      .select('customer_users.user_id')
      .whereRef('customer_users.user_id', '=', 'users.id');
  const unassigned = eb.and([eb.not(eb.exists(assignments())), eb.not(eb.exists(memberships()))]);
  if (productIds.length === 0) return unassigned;
  return eb.or([
    eb.exists(
      assignments()
        .innerJoin('licenses', 'licenses.id', 'license_users.license_id')
        .where('licenses.product_id', 'in', productIds),
    ),
    unassigned,
  ]);
};

/** Whether a credential restricted to `productIds` (undefined: unrestricted) reaches this user. */
export const userReachable = async (
  db: Executor,
  id: string,
  productIds: readonly string[] | undefined,
): Promise<boolean> => {
  if (!productIds) return true;
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', id)
    .where(reachableBy(productIds))
    .executeTakeFirst();
  return row !== undefined;
};

export const insertUser = async (db: Executor, row: UsersTable): Promise<void> => {
  await db.insertInto('users').values(row).execute();
};

export const findUser = (db: Executor, id: string): Promise<UsersTable | undefined> =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const findLiveUserByEmail = (db: Executor, email: string): Promise<UsersTable | undefined> =>
  db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();

export const listUsers = (
  db: Executor,
  filter: {
    after?: string | undefined;
    email?: string | undefined;
    productIds?: readonly string[] | undefined;
    limit: number;
  },
) => {
  let query = db.selectFrom('users').selectAll().where('deleted_at', 'is', null);
  if (filter.productIds) query = query.where(reachableBy(filter.productIds));
  if (filter.after) query = query.where('id', '>', filter.after);
  if (filter.email) query = query.where('email', '=', filter.email.trim().toLowerCase());
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateUserRow = async (db: Executor, id: string, patch: Partial<UsersTable>): Promise<void> => {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
};

export const assignedUsers = (db: Executor, licenseId: string): Promise<UsersTable[]> =>
  db
    .selectFrom('license_users')
    .innerJoin('users', 'users.id', 'license_users.user_id')
    .selectAll('users')
    .where('license_users.license_id', '=', licenseId)
    .orderBy('users.id')
    .execute();

/** Assigns a user; answers false when already assigned. */
export const assignUser = async (
  db: Executor,
  licenseId: string,
  userId: string,
  at: number,
): Promise<boolean> => {
  const result = await db
    .insertInto('license_users')
    .values({ license_id: licenseId, user_id: userId, created_at: at })
    .onConflict((conflict) => conflict.columns(['license_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
};

export const unassignUser = async (db: Executor, licenseId: string, userId: string): Promise<boolean> => {
  const result = await db
    .deleteFrom('license_users')
    .where('license_id', '=', licenseId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
};

export const countAssigned = async (db: Executor, licenseId: string): Promise<number> => {
  const row = await db
    .selectFrom('license_users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('license_id', '=', licenseId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};

// Passwords, invitations and portal sessions of license users.

export const insertInvitation = async (db: Executor, row: UserInvitationsTable): Promise<void> => {
  await db.insertInto('user_invitations').values(row).execute();
};

/** Marks an unused, unexpired invitation used and answers it; undefined when none such exists. */
/** Ends every unused invitation of a user (a new one was made, or the password was set). */
export const endInvitationsOf = async (db: Executor, userId: string, nowMs: number): Promise<void> => {
  await db
    .updateTable('user_invitations')
    .set({ used_at: nowMs })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
};

/** An unused, unexpired invitation by its token's hash, not marked. */
export const findUsableInvitation = (
  db: Executor,
  tokenHash: string,
  nowMs: number,
): Promise<UserInvitationsTable | undefined> =>
  db
    .selectFrom('user_invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowMs)
    .executeTakeFirst();

export const useInvitation = async (
  db: Executor,
  tokenHash: string,
  nowMs: number,
): Promise<UserInvitationsTable | undefined> =>
  db
    .updateTable('user_invitations')
    .set({ used_at: nowMs })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowMs)
    .returningAll()
    .executeTakeFirst();

export const insertUserSession = async (db: Executor, row: PortalSessionsTable): Promise<void> => {
  await db.insertInto('portal_sessions').values(row).execute();
};

export const findUserSession = (db: Executor, tokenHash: string): Promise<PortalSessionsTable | undefined> =>
  db.selectFrom('portal_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();

export const touchUserSession = async (db: Executor, id: string, at: number): Promise<void> => {
  await db.updateTable('portal_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
};

export const deleteUserSession = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('portal_sessions').where('id', '=', id).execute();
};

export const deleteUserSessions = async (db: Executor, userId: string): Promise<void> => {
  await db.deleteFrom('portal_sessions').where('user_id', '=', userId).execute();
};

export interface UserLicenseRow {
  license_id: string;
  license_created_at: number;
  license_status: string;
  license_expires_at: number | null;
  product_id: string;
  product_code: string;
  product_kind: string;
  license_model: string;
  allow_password_change: number;
}

/** The live licenses assigned to a user, with what sign-in needs of their product and policy, oldest first. */
export const licensesOfUser = (db: Executor, userId: string): Promise<UserLicenseRow[]> =>
  db
    .selectFrom('license_users')
    .innerJoin('licenses', 'licenses.id', 'license_users.license_id')
    .innerJoin('products', 'products.id', 'licenses.product_id')
    .innerJoin('policies', 'policies.id', 'licenses.policy_id')
    .select([
      'licenses.id as license_id',
      'licenses.created_at as license_created_at',
      'licenses.status as license_status',
      'licenses.expires_at as license_expires_at',
      'products.id as product_id',
      'products.code as product_code',
      'products.kind as product_kind',
      'products.license_model as license_model',
      'policies.allow_password_change as allow_password_change',
    ])
    .where('license_users.user_id', '=', userId)
    .where('licenses.deleted_at', 'is', null)
    .orderBy('licenses.created_at')
    .orderBy('licenses.id')
    .execute();
