// A customer's users and license managers. A customer is an account that can hold several license users, and a
// user may belong to several customers. A user belongs to a customer as a member (added here) or by holding a seat
// on one of its licenses; a manager is a member with the manager role, who administers the customer's seats
// through the portal. The Management API adds members and managers; the portal acts for a manager.
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import { readPage } from '../../db/pagination.js';
import type { CustomersTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { CatalogDeps } from '../products/service.js';
import { getUserRowOrThrow, toUser, userVisible } from '../users/service.js';
import { getCustomerRowOrThrow } from './service.js';
import {
  type CustomerUserRow,
  customersManagedBy,
  deleteMembership,
  findCustomer,
  findCustomerUser,
  listCustomerUsers,
  upsertMembership,
} from './store.js';

export type CustomerRole = 'member' | 'manager';

export const toCustomerUser = (row: CustomerUserRow) => ({
  ...toUser(row),
  role: (row.role ?? 'member') as CustomerRole,
});

/**
 * The customer named in the path of a customer-users route: missing, deleted or out of the caller's reach answers
 * UNKNOWN_CUSTOMER (LicenseSpring's customer_does_not_exist), as every customer reference of these routes does.
 */
const customerOrUnknown = (db: Executor, principal: Principal | undefined, id: string) =>
  orElse(
    getCustomerRowOrThrow(db, principal, id),
    () => new AppError('UNKNOWN_CUSTOMER', `No customer ${id}`, { customerId: id }),
  );

/** A missing (NOT_FOUND) or deleted (GONE) thing answers `refusal` instead: a reference in a body or these paths. */
const orElse = async <T>(found: Promise<T>, refusal: () => AppError): Promise<T> => {
  try {
    return await found;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'GONE')) throw refusal();
    throw error;
  }
};

export const customerUserPage = async (
  db: Executor,
  principal: Principal | undefined,
  customerId: string,
  query: { limit: number; cursor?: string | undefined },
) => {
  await customerOrUnknown(db, principal, customerId);
  // A restricted credential sees only the users it reaches elsewhere (GET /v1/users/{id}); a page may then hold
  // fewer than `limit` entries, its cursor still moving on.
  return readPage(
    query,
    (window) => listCustomerUsers(db, customerId, window),
    async (rows) => {
      const visible = [];
      for (const row of rows) if (await userVisible(db, principal, row.id)) visible.push(toCustomerUser(row));
      return visible;
    },
  );
};

/** A user of the caller's reach, for a body's userId: missing answers VALIDATION_ERROR on that field. */
const referencedUser = (db: Executor, principal: Principal | undefined, userId: string) =>
  orElse(
    getUserRowOrThrow(db, principal, userId),
    () =>
      new AppError('VALIDATION_ERROR', `No user ${userId}`, {
        issues: [{ path: ['userId'], message: 'no such user', code: 'custom' }],
      }),
  );

export const addCustomerUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  customerId: string,
  userId: string,
) =>
  transaction(db, async (tx) => {
    await customerOrUnknown(tx, caller.principal, customerId);
    await referencedUser(tx, caller.principal, userId);
    const existing = await findCustomerUser(tx, customerId, userId);
    const created =
      existing?.role === 'manager'
        ? false
        : await upsertMembership(tx, {
            customer_id: customerId,
            user_id: userId,
            role: 'member',
            created_at: clock.nowMs(),
          });
    if (created)
      await recordAudit(tx, clock, caller.audit, {
        action: 'customer.user_add',
        target: { type: 'customer', id: customerId },
        changes: { userId: [null, userId] },
      });
    const row = await findCustomerUser(tx, customerId, userId);
    if (!row)
      throw new AppError('INTERNAL_ERROR', `Membership of ${userId} in ${customerId} did not persist`);
    return { created, user: toCustomerUser(row) };
  });

export const removeCustomerUser = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  customerId: string,
  userId: string,
) =>
  transaction(db, async (tx) => {
    await customerOrUnknown(tx, caller.principal, customerId);
    if (!(await deleteMembership(tx, customerId, userId)))
      throw new AppError('NOT_FOUND', `User ${userId} is not a member of customer ${customerId}`);
    await recordAudit(tx, clock, caller.audit, {
      action: 'customer.user_remove',
      target: { type: 'customer', id: customerId },
      changes: { userId: [userId, null] },
    });
  });

/** Why a user cannot manage a customer, or undefined when they can. */
const managerRefusal = (customer: CustomersTable, user: CustomerUserRow | undefined, userId: string) => {
  if (!user) return `User ${userId} is not a user of customer ${customer.id}: add them first`;
  if (user.status !== 'active') return `User ${user.email} is disabled`;
  if (customer.status !== 'active') return `Customer ${customer.id} is inactive`;
  return undefined;
};

/**
 * Makes a user of the customer one of its license managers. A user who is not the customer's, a disabled account
 * or an inactive customer answers MANAGER_NOT_ELIGIBLE (LicenseSpring's adding_manager_error).
 */
export const addManager = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  customerId: string,
  userId: string,
) =>
  transaction(db, async (tx) => {
    const customer = await customerOrUnknown(tx, caller.principal, customerId);
    await referencedUser(tx, caller.principal, userId);
    const member = await findCustomerUser(tx, customerId, userId);
    const refusal = managerRefusal(customer, member, userId);
    if (refusal || !member) throw new AppError('MANAGER_NOT_ELIGIBLE', refusal ?? 'Not eligible', { userId });
    const changed = member.role !== 'manager';
    if (changed) await setRole({ clock }, tx, caller, { customerId, userId, role: 'manager' });
    return { created: changed, user: toCustomerUser({ ...member, role: 'manager' }) };
  });

/** Makes a manager a plain member again. */
export const removeManager = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  customerId: string,
  userId: string,
) =>
  transaction(db, async (tx) => {
    await customerOrUnknown(tx, caller.principal, customerId);
    const member = await findCustomerUser(tx, customerId, userId);
    if (member?.role !== 'manager')
      throw new AppError('NOT_FOUND', `User ${userId} is not a manager of customer ${customerId}`);
    await setRole({ clock }, tx, caller, { customerId, userId, role: 'member' });
  });

/** Makes a member a manager or a manager a member, audited (customer.manager_add, customer.manager_remove). */
const setRole = async (
  { clock }: Pick<CatalogDeps, 'clock'>,
  tx: Executor,
  caller: Caller,
  { customerId, userId, role }: { customerId: string; userId: string; role: CustomerRole },
) => {
  await upsertMembership(tx, { customer_id: customerId, user_id: userId, role, created_at: clock.nowMs() });
  await recordAudit(tx, clock, caller.audit, {
    action: role === 'manager' ? 'customer.manager_add' : 'customer.manager_remove',
    target: { type: 'customer', id: customerId },
    changes: { managerId: role === 'manager' ? [null, userId] : [userId, null] },
  });
};

/** The live, active customers a license user manages (the portal's reach for a manager). */
export const customersManagedByUser = async (db: Executor, userId: string): Promise<CustomersTable[]> =>
  (await customersManagedBy(db, userId)).filter((customer) => customer.status === 'active');

/** Whether a user is (still) a manager of a live, active customer: checked on every portal call that acts for it. */
export const managesCustomer = async (db: Executor, userId: string, customerId: string): Promise<boolean> => {
  const customer = await findCustomer(db, customerId);
  if (!customer || customer.deleted_at !== null || customer.status !== 'active') return false;
  return (await findCustomerUser(db, customerId, userId))?.role === 'manager';
};

/** Inside the caller's transaction: makes a user a member of a customer (seats assigned through the portal). */
export const ensureMembership = async (tx: Executor, customerId: string, userId: string, nowMs: number) => {
  const existing = await findCustomerUser(tx, customerId, userId);
  if (existing?.role === 'manager') return;
  await upsertMembership(tx, { customer_id: customerId, user_id: userId, role: 'member', created_at: nowMs });
};
