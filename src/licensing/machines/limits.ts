// Machine limits (api.md "Client API"): how many live machines a license may have (maxMachines, the license's
// override first), how many one user may have on it (maxActivationsPerUser), and how many deactivations its
// policy allows in a window (maxDeactivations). Each is checked inside the activating or deactivating transaction,
// with the license row locked, so concurrent requests never pass a limit together.
import type { LicensesTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { liveMachineCount } from './machine.js';
import { activeMachinesOf, countDeactivationsSince } from './store.js';

/** MACHINE_LIMIT_EXCEEDED when `liveOthers` live machines already fill the license. */
export const assertMachineLimit = (
  license: Pick<LicensesTable, 'id' | 'max_machines'>,
  policy: Pick<PoliciesTable, 'max_machines'>,
  liveOthers: number,
): void => {
  const limit = license.max_machines ?? policy.max_machines;
  if (limit !== null && liveOthers >= limit) {
    throw new AppError(
      'MACHINE_LIMIT_EXCEEDED',
      `License ${license.id} already has ${liveOthers} of ${limit} machines activated`,
      { limit, used: liveOthers },
    );
  }
};

/** USER_MACHINE_LIMIT_EXCEEDED when the user already has their share of live machines on the license. */
export const assertUserMachineLimit = async (
  tx: Executor,
  license: Pick<LicensesTable, 'id'>,
  policy: Pick<PoliciesTable, 'max_activations_per_user' | 'heartbeat_seconds'>,
  userId: string,
  /** The machine being (re)activated, which does not count against itself. */
  machineId: string | undefined,
  nowMs: number,
): Promise<void> => {
  if (policy.max_activations_per_user === null) return;
  const machines = await activeMachinesOf(tx, license.id);
  const mine = liveMachineCount(
    machines.filter((machine) => machine.user_id === userId && machine.id !== machineId),
    policy.heartbeat_seconds,
    nowMs,
  );
  if (mine >= policy.max_activations_per_user) {
    throw new AppError(
      'USER_MACHINE_LIMIT_EXCEEDED',
      `User ${userId} already has ${mine} of ${policy.max_activations_per_user} machines on license ${license.id}`,
      { limit: policy.max_activations_per_user, used: mine },
    );
  }
};

/** DEACTIVATION_LIMIT_EXCEEDED past the policy's churn limit (maxDeactivations in its window). */
export const assertDeactivationAllowed = async (
  db: Executor,
  licenseId: string,
  policy: Pick<PoliciesTable, 'max_deactivations'>,
  nowMs: number,
) => {
  if (!policy.max_deactivations) return;
  const rule = JSON.parse(policy.max_deactivations) as { count: number; periodSeconds: number };
  const used = await countDeactivationsSince(db, licenseId, nowMs - rule.periodSeconds * 1000);
  if (used >= rule.count) {
    throw new AppError(
      'DEACTIVATION_LIMIT_EXCEEDED',
      `License ${licenseId} already deactivated ${used} of ${rule.count} machines in ${rule.periodSeconds} s`,
      { limit: rule.count, used },
    );
  }
};
