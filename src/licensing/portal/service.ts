// The customer portal's rules: what a signed-in license user sees and does for themselves (their licenses and
// devices), and what a license manager does for a customer they manage (its licenses, seats, machines, usage).
// Every manager call checks, at that moment, that the user still manages a live, active customer and that the
// license or machine named is that customer's: anything else answers CUSTOMER_NOT_FOUND, exactly as missing data.
import { type AuditContext, systemAuditContext } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import type { UsersTable } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import type { ClientDeps } from '../client/checks.js';
import { customersManagedByUser, ensureMembership, managesCustomer } from '../customers/members.js';
import { toCustomer } from '../customers/service.js';
import { getLicenseRowOrThrow, licensePage, licensesForHolder } from '../licenses/service.js';
import { deactivateMachineById, portalMachines } from '../machines/service.js';
import { activateOffline } from '../offline/service.js';
import { policyRowsByIds } from '../policies/service.js';
import {
  assignLicenseUser,
  findOrCreateUser,
  licenseUsers,
  toUser,
  unassignLicenseUser,
} from '../users/service.js';
import { licensesHeldBy, licenseUserActor } from '../users/sign-in.js';

export interface PortalDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
}

/** The caller a portal user acts as toward other domains: no Management principal, audited as themselves. */
const portalCaller = (user: UsersTable, context: AuditContext): Caller => ({
  principal: undefined,
  audit: { ...context, actor: licenseUserActor(user) },
});

const notFound = (customerId: string) =>
  new AppError('CUSTOMER_NOT_FOUND', `No customer ${customerId} that you manage`, { customerId });

export const portalProfile = async (deps: PortalDeps, user: UsersTable) => ({
  user: toUser(user),
  managedCustomers: (await customersManagedByUser(deps.db.kysely, user.id)).map(toCustomer),
});

/** The licenses the user holds (user-based products), without keys: they sign in instead. */
export const myLicenses = async (deps: PortalDeps, user: UsersTable) => {
  const held = await licensesHeldBy(deps, user, undefined);
  const codes = new Map(held.map((row) => [row.license_id, row.product_code]));
  const licenses = await licensesForHolder(
    deps,
    held.map((row) => row.license_id),
  );
  return { data: licenses.map((license) => ({ productCode: codes.get(license.id) ?? '', license })) };
};

export const myMachines = async (deps: PortalDeps, user: UsersTable) => ({
  data: await portalMachines(deps, { userId: user.id }),
});

/** Deactivates a device the user activated; any other machine answers NOT_FOUND. */
export const deactivateMyMachine = async (
  deps: PortalDeps,
  user: UsersTable,
  context: AuditContext,
  machineId: string,
) => {
  const mine = (await portalMachines(deps, { userId: user.id })).some((machine) => machine.id === machineId);
  if (!mine) throw new AppError('NOT_FOUND', `No device ${machineId} of yours`);
  await deactivateMachineById(deps, portalCaller(user, context), machineId);
};

/** The customer, checked managed by this user now; CUSTOMER_NOT_FOUND otherwise. */
const assertManages = async (deps: PortalDeps, user: UsersTable, customerId: string) => {
  if (!(await managesCustomer(deps.db.kysely, user.id, customerId))) throw notFound(customerId);
};

/** Every license of a managed customer (up to 1,000), with full keys: the customer bought them. */
const customerLicenses = async (deps: PortalDeps, customerId: string) =>
  (await licensePage(deps, undefined, { customerId, limit: 1000 })).data;

/** The live license of this id, if it is the customer's; else CUSTOMER_NOT_FOUND (a missing one alike). */
const assertCustomerLicense = async (deps: PortalDeps, customerId: string, licenseId: string) => {
  const row = await getLicenseRowOrThrow(deps.db.kysely, undefined, licenseId).catch((error: unknown) => {
    if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'GONE')) return undefined;
    throw error;
  });
  if (row?.customer_id !== customerId) throw notFound(customerId);
};

/** A body naming a customer account other than the path's: CUSTOMER_ACCOUNT_MISMATCH. */
export const assertSameAccount = (customerId: string, bodyCustomerId: string | undefined) => {
  if (bodyCustomerId !== undefined && bodyCustomerId !== customerId)
    throw new AppError(
      'CUSTOMER_ACCOUNT_MISMATCH',
      `The body names customer ${bodyCustomerId}; this request acts for ${customerId}`,
      { customerId: bodyCustomerId },
    );
};

export const managedLicenses = async (deps: PortalDeps, user: UsersTable, customerId: string) => {
  await assertManages(deps, user, customerId);
  return { data: await customerLicenses(deps, customerId) };
};

export const seatHolders = async (
  deps: PortalDeps,
  user: UsersTable,
  context: AuditContext,
  customerId: string,
  licenseId: string,
) => {
  await assertManages(deps, user, customerId);
  await assertCustomerLicense(deps, customerId, licenseId);
  return licenseUsers(deps.db.kysely, portalCaller(user, context), licenseId);
};

/**
 * Assigns a seat of a managed customer's license to a person by email, within the policy's maxUsers
 * (LICENSE_USERS_LIMIT_EXCEEDED). A new email becomes a license user (without a password: the vendor or an
 * invitation sets it) and a member of the customer.
 */
export const assignSeat = async (
  deps: PortalDeps,
  user: UsersTable,
  context: AuditContext,
  target: { customerId: string; licenseId: string },
  person: { email: string; name?: string | undefined; customerId?: string | undefined },
) => {
  assertSameAccount(target.customerId, person.customerId);
  await assertManages(deps, user, target.customerId);
  await assertCustomerLicense(deps, target.customerId, target.licenseId);
  const caller = portalCaller(user, context);
  const holder = await transaction(deps.db, async (tx) => {
    const found = await findOrCreateUser(tx, deps.clock, caller, person);
    await ensureMembership(tx, target.customerId, found.id, deps.clock.nowMs());
    return found;
  });
  return assignLicenseUser(deps, caller, target.licenseId, holder.id);
};

export const unassignSeat = async (
  deps: PortalDeps,
  user: UsersTable,
  context: AuditContext,
  target: { customerId: string; licenseId: string; userId: string },
) => {
  await assertManages(deps, user, target.customerId);
  await assertCustomerLicense(deps, target.customerId, target.licenseId);
  await unassignLicenseUser(deps, portalCaller(user, context), target.licenseId, target.userId);
};

export const managedMachines = async (deps: PortalDeps, user: UsersTable, customerId: string) => {
  await assertManages(deps, user, customerId);
  return { data: await portalMachines(deps, { customerId }) };
};

export const deactivateManagedMachine = async (
  deps: PortalDeps,
  user: UsersTable,
  context: AuditContext,
  customerId: string,
  machineId: string,
) => {
  await assertManages(deps, user, customerId);
  const ours = (await portalMachines(deps, { customerId })).some((machine) => machine.id === machineId);
  if (!ours) throw notFound(customerId);
  await deactivateMachineById(deps, portalCaller(user, context), machineId);
};

/** Per license of a managed customer: seats (users) and machines used of their limits, and its meter. */
export const managedUsage = async (deps: PortalDeps, user: UsersTable, customerId: string) => {
  await assertManages(deps, user, customerId);
  const licenses = await customerLicenses(deps, customerId);
  const policies = await policyRowsByIds(
    deps.db.kysely,
    licenses.map((license) => license.policyId),
  );
  const reader = portalCaller(user, systemAuditContext('portal'));
  const data = [];
  for (const license of licenses) {
    const holders = await licenseUsers(deps.db.kysely, reader, license.id);
    data.push({
      licenseId: license.id,
      status: license.status,
      expiresAt: license.expiresAt,
      machines: { used: license.machinesCount, max: license.maxMachines ?? null },
      users: { used: holders.data.length, max: policies.get(license.policyId)?.max_users ?? null },
      consumption: license.consumption,
    });
  }
  return { data };
};

/**
 * Activates an air-gapped machine of a managed customer from the request file its client wrote (the offline
 * domain's activation, every rule and limit), answering the license file to carry back. A request whose key is
 * not one of this customer's licenses answers CUSTOMER_NOT_FOUND, as missing data, before anything is written.
 */
export const activateOfflineForCustomer = async (
  deps: ClientDeps,
  user: UsersTable,
  context: AuditContext,
  customerId: string,
  requestText: string,
) => {
  await assertManages(deps, user, customerId);
  return activateOffline(deps, portalCaller(user, context), requestText, {
    assertLicense: (license) => {
      if (license?.customerId !== customerId) throw notFound(customerId);
      // An air-gapped request carries no device key: a policy that requires one is the operator's to override.
      if (license.requireDeviceKey)
        throw new AppError(
          'HARDWARE_KEY_CERTIFICATE_MISSING',
          `License ${license.id} requires a device key, which an offline request cannot register`,
        );
    },
  });
};
