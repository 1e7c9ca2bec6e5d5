// What each action kind does once approved: the same service call its direct route makes, inside the decision's
// transaction, acting as the approver (whose audit entry names the change). Each answers what it changed.
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import type { Executor } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { createBlockIn } from '../../licensing/blocklist/service.js';
import { forceReleaseLeaseIn } from '../../licensing/floating/service.js';
import { applyLicenseActionIn, extendLicenseIn } from '../../licensing/licenses/actions.js';
import { updateLicenseIn } from '../../licensing/licenses/service.js';
import { deactivateMachineByIdIn } from '../../licensing/machines/service.js';
import type { ActionKind, ActionParams } from './schemas.js';

export interface ExecutorDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
}

type Executors = {
  [K in ActionKind]: (
    deps: ExecutorDeps,
    tx: Executor,
    caller: Caller,
    params: ActionParams<K>,
  ) => Promise<unknown>;
};

export const executors: Executors = {
  suspend_license: (deps, tx, caller, params) =>
    applyLicenseActionIn(deps, tx, caller, params.licenseId, 'suspend'),
  reinstate_license: (deps, tx, caller, params) =>
    applyLicenseActionIn(deps, tx, caller, params.licenseId, 'reinstate'),
  revoke_license: (deps, tx, caller, params) =>
    applyLicenseActionIn(deps, tx, caller, params.licenseId, 'revoke'),
  extend_license: (deps, tx, caller, params) =>
    extendLicenseIn(deps, tx, caller, params.licenseId, params.seconds),
  set_max_machines: (deps, tx, caller, params) =>
    updateLicenseIn(deps, tx, caller, params.licenseId, { maxMachines: params.maxMachines }),
  deactivate_machine: async (deps, tx, caller, params) => ({
    machineId: params.machineId,
    deactivated: await deactivateMachineByIdIn(deps, tx, caller, params.machineId),
  }),
  release_lease: async (deps, tx, caller, params) => ({
    leaseId: params.leaseId,
    released: await forceReleaseLeaseIn(deps, tx, caller, params.leaseId),
  }),
  block_device: (deps, tx, caller, params) =>
    createBlockIn(deps, tx, caller, {
      fingerprint: params.fingerprint,
      productId: params.productId,
      reason: params.reason,
    }),
};

export const execute = <K extends ActionKind>(
  kind: K,
  deps: ExecutorDeps,
  tx: Executor,
  caller: Caller,
  params: ActionParams<K>,
): Promise<unknown> => (executors[kind] as Executors[K])(deps, tx, caller, params);
