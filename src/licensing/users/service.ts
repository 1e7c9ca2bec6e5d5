// License users: the people a per-user product (licenseModel user) is licensed to. A license has at most
// maxUsers of them; each may activate up to maxActivationsPerUser machines.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import { readPage } from '../../db/pagination.js';
import type { UsersTable } from '../../db/schema.js';
import { type Executor, transaction, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import { lockLicense } from '../licenses/actions.js';
import { getLicenseRowOrThrow } from '../licenses/service.js';
import type { CatalogDeps } from '../products/service.js';
import { softDelete } from '../soft-delete.js';
import { visibleProducts } from '../visibility.js';
import {
  assignedUsers,
  assignUser,
  countAssigned,
  findLiveUserByEmail,
  findUser,
  insertUser,
  listUsers,
  unassignUser,
  updateUserRow,
  userReachable,
} from './store.js';

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export const toUser = (row: UsersTable): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const emailTaken = (email: string) =>
  new AppError('ALREADY_EXISTS', `A user with email ${email} exists`, { field: 'email' });

/** A product-restricted credential reaches a user only through a license of its products, or while unassigned. */
const getUserRowOrThrow = async (db: Executor, principal: Principal | undefined, id: string) => {
  const row = await findUser(db, id);
  if (!row || !(await userReachable(db, id, visibleProducts(principal))))
    throw new AppError('NOT_FOUND', `No user ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `User ${id} was deleted`);
  return row;
};

export const createUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  input: { email: string; name?: string | undefined },
) => {
  const now = clock.nowMs();
  const row: UsersTable = {
    id: newId('user', now),
    email: input.email,
    name: input.name ?? input.email,
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  await transactionUnique(
    db,
    () => emailTaken(row.email),
    async (tx) => {
      if (await findLiveUserByEmail(tx, row.email)) throw emailTaken(row.email);
      await insertUser(tx, row);
      await recordAudit(tx, clock, caller.audit, {
        action: 'user.create',
        target: { type: 'user', id: row.id },
        changes: { email: [null, row.email] },
      });
    },
  );
  return toUser(row);
};

export const getUser = async (db: Executor, principal: Principal | undefined, id: string) =>
  toUser(await getUserRowOrThrow(db, principal, id));

export const userPage = async (
  db: Executor,
  principal: Principal | undefined,
  query: { limit: number; cursor?: string | undefined; email?: string | undefined },
) => {
  return readPage(
    query,
    (window) =>
      listUsers(db, {
        after: window.after,
        email: query.email,
        productIds: visibleProducts(principal),
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toUser(row)),
  );
};

export const updateUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
  patch: { name?: string | undefined },
) =>
  transaction(db, async (tx) => {
    const row = await getUserRowOrThrow(tx, caller.principal, id);
    const updated = { ...row, name: patch.name ?? row.name, updated_at: clock.nowMs() };
    await updateUserRow(tx, id, updated);
    await recordAudit(tx, clock, caller.audit, {
      action: 'user.update',
      target: { type: 'user', id },
      changes: diff({ name: row.name }, { name: updated.name }),
    });
    return toUser(updated);
  });

export const deleteUser = (deps: CatalogDeps, caller: Caller, id: string): Promise<void> =>
  softDelete(
    deps,
    caller,
    { type: 'user', id },
    {
      load: (tx) => getUserRowOrThrow(tx, caller.principal, id),
      mark: (tx, patch) => updateUserRow(tx, id, patch),
    },
  );

export const licenseUsers = async (db: Executor, caller: Caller, licenseId: string) => {
  await getLicenseRowOrThrow(db, caller.principal, licenseId);
  return { data: (await assignedUsers(db, licenseId)).map(toUser), nextCursor: null };
};

/** Assigns a user to a license, within the policy's maxUsers (the license row is locked for the count). */
export const assignLicenseUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  licenseId: string,
  userId: string,
) =>
  transaction(db, async (tx) => {
    const { policy } = await lockLicense({ db, clock }, tx, caller.principal, licenseId);
    const user = await findUser(tx, userId);
    if (
      !user ||
      user.deleted_at !== null ||
      !(await userReachable(tx, userId, visibleProducts(caller.principal)))
    )
      throw new AppError('VALIDATION_ERROR', `No user ${userId}`, {
        issues: [{ path: ['userId'], message: 'no such user', code: 'custom' }],
      });
    const used = await countAssigned(tx, licenseId);
    const alreadyAssigned = (await assignedUsers(tx, licenseId)).some((assigned) => assigned.id === userId);
    if (
      !alreadyAssigned &&
      policy?.max_users !== null &&
      policy?.max_users !== undefined &&
      used >= policy.max_users
    ) {
      throw new AppError(
        'LICENSE_USERS_LIMIT_EXCEEDED',
        `License ${licenseId} already has ${used} of ${policy.max_users} users`,
        {
          limit: policy.max_users,
          used,
        },
      );
    }
    if (await assignUser(tx, licenseId, userId, clock.nowMs())) {
      await recordAudit(tx, clock, caller.audit, {
        action: 'license.user_assign',
        target: { type: 'license', id: licenseId },
        changes: { userId: [null, userId] },
      });
    }
    return { created: !alreadyAssigned, user: toUser(user) };
  });

export const unassignLicenseUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  licenseId: string,
  userId: string,
) => {
  await transaction(db, async (tx) => {
    await getLicenseRowOrThrow(tx, caller.principal, licenseId);
    if (!(await unassignUser(tx, licenseId, userId)))
      throw new AppError('NOT_FOUND', `User ${userId} is not assigned to license ${licenseId}`);
    await recordAudit(tx, clock, caller.audit, {
      action: 'license.user_unassign',
      target: { type: 'license', id: licenseId },
      changes: { userId: [userId, null] },
    });
  });
};

/**
 * For activation on a per-user license: the assigned user with this email; LICENSE_USER_NOT_FOUND when no email
 * is given or no assigned user has it.
 */
export const assignedUserOrThrow = async (db: Executor, licenseId: string, email: string | undefined) => {
  if (!email) {
    throw new AppError(
      'LICENSE_USER_NOT_FOUND',
      `License ${licenseId} is licensed per user: send the user's email in userEmail`,
    );
  }
  const user = (await assignedUsers(db, licenseId)).find((row) => row.email === email.trim().toLowerCase());
  if (!user) throw new AppError('LICENSE_USER_NOT_FOUND', `${email} is not a user of license ${licenseId}`);
  return user;
};

/**
 * Inside the caller's transaction: assigns users, found or created by email, to a license just issued (an order's
 * `users`), within the policy's maxUsers (LICENSE_USERS_LIMIT_EXCEEDED).
 */
export const assignUsersByEmail = async (
  tx: Executor,
  clock: CatalogDeps['clock'],
  caller: Caller,
  license: { id: string; maxUsers: number | null },
  emails: readonly string[],
): Promise<void> => {
  const unique = [...new Set(emails.map((email) => email.toLowerCase()))];
  if (license.maxUsers !== null && unique.length > license.maxUsers) {
    throw new AppError(
      'LICENSE_USERS_LIMIT_EXCEEDED',
      `License ${license.id} takes ${license.maxUsers} users; the order names ${unique.length}`,
      { limit: license.maxUsers, used: unique.length },
    );
  }
  for (const email of unique) {
    const nowMs = clock.nowMs();
    let user = await findLiveUserByEmail(tx, email);
    if (!user) {
      user = {
        id: newId('user', nowMs),
        email,
        name: email,
        created_at: nowMs,
        updated_at: nowMs,
        deleted_at: null,
      };
      await insertUser(tx, user);
      await recordAudit(tx, clock, caller.audit, {
        action: 'user.create',
        target: { type: 'user', id: user.id },
        changes: { email: [null, email] },
      });
    }
    await assignUser(tx, license.id, user.id, nowMs);
  }
};
