// The Client API's machine calls: activate (and its offline form), deactivate, heartbeat and a fresh license
// file. Each reads the license of the key (locked inside the write), runs the state checks in api.md's order, then
// the machines domain's rule (machines/activation.ts, deactivation.ts; a floating license's activation is a
// checkout), commits, and signs the answer's license file after the commit.
import type { MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import { checkoutSeat } from '../floating/seats.js';
import { extendHolderLeases, isLive, toLease } from '../floating/service.js';
import { issueLicenseFile } from '../license-files/issue.js';
import { startTermOnFirstUse } from '../licenses/term.js';
import { type Activation, activateMachine } from '../machines/activation.js';
import { deactivateMachine } from '../machines/deactivation.js';
import {
  assertDeviceSigned,
  type DeviceSignature,
  deviceKeyOfActivation,
  unsigned,
} from '../machines/device-keys.js';
import { liveMachineOrThrow, toMachine } from '../machines/machine.js';
import { activeMachineOf, recordHeartbeat } from '../machines/service.js';
import {
  assertCoversProduct,
  type ClientDeps,
  deviceRefusal,
  licenseFileOptions,
  licenseOfKeyOrThrow,
  lockedLicenseOfKey,
  lockedSeatRead,
  present,
  stateFailure,
} from './checks.js';
import type { ActivateBody, MachineBody } from './schemas.js';
import { settleCheckout } from './seats.js';

/** An activation uploaded by an operator for an air-gapped machine (POST /v1/offline/activate). */
export interface OfflineActivation {
  /** The proof secret, put in the signed license file and kept sealed on the machine row. */
  deactivationSecret: string;
  /** Refuses a license of a product the caller may not name (403 PRODUCT_NOT_ALLOWED). */
  assertProductAllowed(productId: string): void;
  /** Runs last in the activation's transaction (claims the request's nonce, audits); throwing undoes it all. */
  inTransaction(tx: Executor, machine: MachinesTable, nowMs: number): Promise<void>;
}

export const activate = async (
  deps: ClientDeps,
  body: ActivateBody,
  offline?: OfflineActivation,
  signed: DeviceSignature = unsigned,
) => {
  // The signing key is made (once) outside the transaction: SQLite has one writer at a time.
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    // One read: the license (locked on PostgreSQL), its policy, product, customer state, this fingerprint's
    // machine, the blocklist, the live machine count and (floating licenses) the seats in use and this one's seat.
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    const { license, policy } = found;
    // Every attempt on a license counts, refused or not: the key-sharing rule reads them.
    deps.usage.attempt(license.id, body.fingerprint);
    offline?.assertProductAllowed(found.product.id);
    const state = stateFailure(found, nowMs, { productCode: body.productCode });
    if (state) throw new AppError(...state);
    if (offline && (policy.floating === 1 || policy.allow_offline === 0)) {
      throw new AppError(
        'OFFLINE_NOT_ALLOWED',
        policy.floating === 1
          ? `License ${license.id} is floating: its seats are leased online`
          : `The policy of license ${license.id} does not allow offline activation`,
      );
    }
    const refusal = deviceRefusal(found, body);
    if (refusal) throw new AppError(...refusal);
    // An offline activation is vouched for by the operator who uploads it: its machine has no device key.
    const registeredKey = offline
      ? undefined
      : deviceKeyOfActivation(policy, found.machine, body.deviceKey, signed, nowMs);
    const device = registeredKey ? { ...body, registeredKey } : body;
    // On a floating license, activation is a checkout (api.md): one client code path serves both kinds.
    if (policy.floating === 1)
      return { checkout: await checkoutSeat(tx, found, device, nowMs), found, nowMs };
    let activation: Activation;
    try {
      activation = await activateMachine(
        tx,
        found,
        device,
        nowMs,
        offline ? { offline: { sealedSecret: deps.sealer.seal(offline.deactivationSecret) } } : {},
      );
    } catch (error) {
      // The limit refuses before anything is written: the refusal's event commits, then the error answers.
      if (!(error instanceof AppError) || error.code !== 'MACHINE_LIMIT_EXCEEDED') throw error;
      await emitEvent(tx, nowMs, {
        type: 'license.machine_limit_reached',
        subject: { type: 'license', id: license.id },
        licenseId: license.id,
        object: {
          license: present(deps, found, found.liveMachines, nowMs),
          fingerprint: body.fingerprint,
          ...error.details,
        },
      });
      return { refused: error };
    }
    await startTermOnFirstUse(tx, found, nowMs);
    await offline?.inTransaction(tx, activation.row, nowMs);
    return { activation, found, nowMs };
  });
  if ('refused' in done) throw done.refused;
  if ('checkout' in done)
    return settleCheckout(deps, done.found, done.checkout, done.nowMs, licenseFileOptions(body));
  const { activation, found, nowMs } = done;
  deps.usage.count(found.product.id, 'activations');
  // Signing happens after the commit: the write lock is held only for the reads and writes themselves.
  return {
    created: activation.created,
    machine: toMachine(activation.row, found.policy.heartbeat_seconds, nowMs),
    license: present(deps, found, activation.machinesCount, nowMs),
    licenseFile: await issueLicenseFile(
      deps,
      found,
      activation.row,
      nowMs,
      undefined,
      licenseFileOptions(body),
    ),
  };
};

/** POST /v1/client/deactivate: the machine of this fingerprint leaves the license (machines/deactivation.ts). */
export const deactivate = async (
  deps: ClientDeps,
  body: MachineBody,
  signed: DeviceSignature,
): Promise<void> => {
  const productId = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedLicenseOfKey(deps, tx, body.licenseKey);
    assertCoversProduct(found, body.productCode);
    const machine = await activeMachineOf(tx, found.license.id, body.fingerprint);
    if (!machine)
      throw new AppError(
        'MACHINE_NOT_ACTIVATED',
        `This fingerprint is not activated on license ${found.license.id}`,
      );
    assertDeviceSigned(machine, signed, nowMs);
    await deactivateMachine(tx, machine, found.policy, nowMs);
    return found.product.id;
  });
  deps.usage.count(productId, 'deactivations');
};

/**
 * POST /v1/client/heartbeat: the machine is seen now, and every live lease it holds runs leaseSeconds from now. On a
 * floating license a machine whose seat has lapsed gets LEASE_NOT_FOUND: it must check out again. The license row
 * is locked so a lease cannot be extended after a concurrent checkout counted it as lapsed.
 */
export const heartbeat = async (deps: ClientDeps, body: MachineBody, signed: DeviceSignature) => {
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    assertDeviceSigned(found.machine, signed, nowMs);
    assertCoversProduct(found, body.productCode);
    const row = liveMachineOrThrow(found, nowMs);
    if (found.policy.floating === 1 && !(found.held && isLive(found.held, nowMs)))
      throw new AppError(
        'LEASE_NOT_FOUND',
        `This machine's seat of license ${found.license.id} has lapsed or was released; check out again`,
      );
    await recordHeartbeat(tx, row.id, nowMs);
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
export const licenseFile = async (deps: ClientDeps, body: MachineBody, signed: DeviceSignature) => {
  const nowMs = deps.clock.nowMs();
  const found = await licenseOfKeyOrThrow(deps.db.kysely, body.licenseKey);
  const machine = await activeMachineOf(deps.db.kysely, found.license.id, body.fingerprint);
  assertDeviceSigned(machine, signed, nowMs);
  const row = liveMachineOrThrow({ ...found, machine }, nowMs);
  const state = stateFailure(found, nowMs, { productCode: body.productCode });
  if (state) throw new AppError(...state);
  return {
    licenseFile: await issueLicenseFile(deps, found, row, nowMs, undefined, licenseFileOptions(body)),
  };
};
