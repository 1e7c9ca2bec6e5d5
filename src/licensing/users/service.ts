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
import { hashPassword } from '../../lib/secrets.js';
import { lockLicense } from '../licenses/actions.js';
import { getLicenseRowOrThrow } from '../licenses/service.js';
import type { CatalogDeps } from '../products/service.js';
import { softDelete } from '../soft-delete.js';
import { visibleProducts } from '../visibility.js';
import type { CreateUser, UpdateUser, User } from './schemas.js';
import {
  assignedUsers,
  assignUser,
  countAssigned,
  deleteUserSessions as endUserSessions,
  findLiveUserByEmail,
  findUser,
  insertUser,
  listUsers,
  unassignUser,
  updateUserRow,
  userReachable,
} from './store.js';

export const toUser = (row: UsersTable): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  status: row.status as User['status'],
  passwordSet: row.password_hash !== null,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** A new active user without a password (set by the vendor or through an invitation). */
const newUserRow = (email: string, name: string | undefined, nowMs: number): UsersTable => ({
  id: newId('user', nowMs),
  email,
  name: name ?? email,
  created_at: nowMs,
  updated_at: nowMs,
  deleted_at: null,
  password_hash: null,
  password_changed_at: null,
  status: 'active',
});

const emailTaken = (email: string) =>
  new AppError('ALREADY_EXISTS', `A user with email ${email} exists`, { field: 'email' });

/** A product-restricted credential reaches a user only through a license of its products, or while unassigned. */
export const getUserRowOrThrow = async (db: Executor, principal: Principal | undefined, id: string) => {
  const row = await findUser(db, id);
  if (!row || !(await userReachable(db, id, visibleProducts(principal))))
    throw new AppError('NOT_FOUND', `No user ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `User ${id} was deleted`);
  return row;
};

/**
 * A password lets its holder sign in to every product and customer the user has: a product-restricted credential
 * may not set one (PRODUCT_NOT_ALLOWED), nor invite (its route is for unrestricted credentials).
 */
const refuseRestrictedPassword = (principal: Principal | undefined, password: string | undefined) => {
  if (password !== undefined && principal?.productIds)
    throw new AppError(
      'PRODUCT_NOT_ALLOWED',
      "Only a credential of every product may set a license user's password",
    );
};

/** Whether a credential reaches this user (a product-restricted one: through its products only). */
export const userVisible = (db: Executor, principal: Principal | undefined, id: string) =>
  userReachable(db, id, visibleProducts(principal));

export const createUser = async ({ db, clock }: CatalogDeps, caller: Caller, input: CreateUser) => {
  refuseRestrictedPassword(caller.principal, input.password);
  const now = clock.nowMs();
  const row = newUserRow(input.email, input.name, now);
  if (input.password !== undefined) {
    row.password_hash = await hashPassword(input.password);
    row.password_changed_at = now;
  }
  await transactionUnique(
    db,
    () => emailTaken(row.email),
    async (tx) => {
      if (await findLiveUserByEmail(tx, row.email)) throw emailTaken(row.email);
      await insertUser(tx, row);
      await recordAudit(tx, clock, caller.audit, {
        action: 'user.create',
        target: { type: 'user', id: row.id },
        changes: { email: [null, row.email], ...(row.password_hash ? { password: [null, '(set)'] } : {}) },
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

/**
 * Renames, disables or re-enables a user, or sets their password (hashed before the transaction). A new password
 * or a disabled account ends the user's portal sessions; a disabled user is refused at every sign-in.
 */
export const updateUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
  patch: UpdateUser,
) => {
  refuseRestrictedPassword(caller.principal, patch.password);
  const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
  return transaction(db, async (tx) => {
    const row = await getUserRowOrThrow(tx, caller.principal, id);
    const nowMs = clock.nowMs();
    const updated: UsersTable = {
      ...row,
      name: patch.name ?? row.name,
      status: patch.status ?? row.status,
      ...(passwordHash ? { password_hash: passwordHash, password_changed_at: nowMs } : {}),
      updated_at: nowMs,
    };
    await updateUserRow(tx, id, updated);
    if (passwordHash || updated.status === 'disabled') await endUserSessions(tx, id);
    await recordAudit(tx, clock, caller.audit, {
      action: 'user.update',
      target: { type: 'user', id },
      changes: {
        ...diff({ name: row.name, status: row.status }, { name: updated.name, status: updated.status }),
        ...(passwordHash ? { password: [row.password_hash ? '(set)' : null, '(set)'] } : {}),
      },
    });
    return toUser(updated);
  });
};

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
 * Inside the caller's transaction: the live user with this email, or a new one without a password (audited). A
 * portal manager assigning a seat to a new colleague, and an order naming its users, find or create them so.
 */
export const findOrCreateUser = async (
  tx: Executor,
  clock: CatalogDeps['clock'],
  caller: Caller,
  input: { email: string; name?: string | undefined },
): Promise<UsersTable> => {
  const email = input.email.trim().toLowerCase();
  const existing = await findLiveUserByEmail(tx, email);
  if (existing) return existing;
  const user = newUserRow(email, input.name, clock.nowMs());
  await insertUser(tx, user);
  await recordAudit(tx, clock, caller.audit, {
    action: 'user.create',
    target: { type: 'user', id: user.id },
    changes: { email: [null, email] },
  });
  return user;
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
  const reach = visibleProducts(caller.principal);
  for (const email of unique) {
    const existing = await findLiveUserByEmail(tx, email);
    if (existing && !(await userReachable(tx, existing.id, reach)))
      throw new AppError('PRODUCT_NOT_ALLOWED', `${email} is a license user this credential may not assign`);
    const user = existing ?? (await findOrCreateUser(tx, clock, caller, { email }));
    await assignUser(tx, license.id, user.id, clock.nowMs());
  }
};
