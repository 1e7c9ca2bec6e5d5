import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { extendHolderLeases, isLive, releaseLeasesOfHolder, toLease } from '../floating/service.js';
import {
  assertDeactivationAllowed,
  emitMachineEvent,
  findActiveMachine,
  toMachine,
  touchMachine,
  updateMachineRow,
} from '../machines/service.js';
import { startTrial } from '../trials/service.js';
import {
  type ClientDeps,
  keyOf,
  licenseFileFor,
  liveMachineOrThrow,
  lockedSeatRead,
  present,
  stateFailure,
} from './checks.js';
import type { MachineBody } from './schemas.js';
import { type ClientLicense, findClientLicense } from './store.js';

/** Locks and loads the license of a key inside a transaction; LICENSE_NOT_FOUND when none. */
const lockClientLicense = async (
  deps: ClientDeps,
  tx: Executor,
  licenseKey: string,
): Promise<ClientLicense> => {
  const key = keyOf(licenseKey);
  const found = key.checksumOk ? await findClientLicense(tx, key.hash, { lock: deps.db.dialect }) : undefined;
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  return found;
};

export const deactivate = async (deps: ClientDeps, body: MachineBody): Promise<void> => {
  const productId = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockClientLicense(deps, tx, body.licenseKey);
    const machine = await findActiveMachine(tx, found.license.id, body.fingerprint);
    if (!machine)
      throw new AppError(
        'MACHINE_NOT_ACTIVATED',
        `This fingerprint is not activated on license ${found.license.id}`,
      );
    await assertDeactivationAllowed(tx, found.license.id, found.policy, nowMs);
    await updateMachineRow(tx, machine.id, { status: 'deactivated', deactivated_at: nowMs });
    // A deactivated machine holds no seats.
    await releaseLeasesOfHolder(tx, found.license.id, body.fingerprint, nowMs);
    await emitMachineEvent(
      tx,
      'machine.deactivated',
      { ...machine, status: 'deactivated', deactivated_at: nowMs },
      found.policy.heartbeat_seconds,
      nowMs,
    );
    return found.product.id;
  });
  deps.usage.count(productId, 'deactivations');
};

/** The license of a key and this fingerprint's live machine on it, or the client error that says why not. */
const liveMachineOf = async (deps: ClientDeps, body: MachineBody, nowMs: number) => {
  const db = deps.db.kysely;
  const key = keyOf(body.licenseKey);
  const found = key.checksumOk ? await findClientLicense(db, key.hash) : undefined;
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  const machine = await findActiveMachine(db, found.license.id, body.fingerprint);
  return { found, row: liveMachineOrThrow({ ...found, machine }, nowMs) };
};

/**
 * POST /v1/client/heartbeat: the machine is seen now, and every live lease it holds runs leaseSeconds from now. On a
 * floating license a machine whose seat has lapsed gets LEASE_NOT_FOUND: it must check out again. The license row
 * is locked so a lease cannot be extended after a concurrent checkout counted it as lapsed.
 */
export const heartbeat = async (deps: ClientDeps, body: MachineBody) => {
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    const row = liveMachineOrThrow(found, nowMs);
    if (found.policy.floating === 1 && !(found.held && isLive(found.held, nowMs)))
      throw new AppError(
        'LEASE_NOT_FOUND',
        `This machine's seat of license ${found.license.id} has lapsed or was released; check out again`,
      );
    await touchMachine(tx, row.id, nowMs);
    const leases = await extendHolderLeases(
      tx,
      found.license.id,
      body.fingerprint,
      found.policy.lease_seconds * 1000,
      nowMs,
    );
    return { found, row: { ...row, last_seen_at: nowMs }, leases, nowMs };
  });
  const leases = done.leases.map((lease) => toLease(lease, done.nowMs));
  return {
    machine: toMachine(done.row, done.found.policy.heartbeat_seconds, done.nowMs),
    ...(done.found.policy.floating === 1
      ? { lease: leases.find((lease) => lease.feature === null) ?? null }
      : {}),
    leases,
  };
};

/**
 * POST /v1/client/license-file: a fresh license file for this activated machine (the one from activation
 * expires after licenseFileTtlSeconds). Refused with the license's state code when it may not run.
 */
export const licenseFile = async (deps: ClientDeps, body: MachineBody) => {
  const nowMs = deps.clock.nowMs();
  const { found, row } = await liveMachineOf(deps, body, nowMs);
  const state = stateFailure(found, nowMs, {});
  if (state) throw new AppError(...state);
  return { licenseFile: await licenseFileFor(deps, found, row, nowMs) };
};

/** POST /v1/client/trial: a trial license, activated on this device, with its license file. */
export const trial = async (
  deps: ClientDeps,
  body: { productCode: string; fingerprint: string; email?: string | undefined },
) => {
  await deps.keyRing.active();
  const started = await startTrial(deps, body);
  const found: ClientLicense = {
    license: started.license,
    policy: started.policy,
    product: {
      id: started.product.id,
      code: started.product.code,
      status: started.product.status,
      licenseModel: started.product.license_model,
    },
    customerStatus: null,
  };
  return {
    licenseKey: started.key,
    license: present(deps, found, 1, started.nowMs),
    machine: toMachine(started.machine, started.policy.heartbeat_seconds, started.nowMs),
    licenseFile: await licenseFileFor(deps, found, started.machine, started.nowMs),
  };
};

export { activate, type OfflineActivation } from './activate.js';
export { type ClientDeps, licenseFileFor } from './checks.js';
export { consume } from './consume.js';
export { borrow, checkout, featureCheckout, featureRelease, release } from './floating.js';
export { validate } from './validate.js';
