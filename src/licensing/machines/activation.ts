// Activation: the one path that puts a machine on a license, for the Client API, offline activation, floating
// checkouts (their machine record) and trials. The license row is locked by the caller's transaction; the
// machine limits (limits.ts) are checked here, so every way in enforces them alike.
import type { LicensesTable, MachinesTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { newId } from '../../lib/random.js';
import { assignedUserOrThrow } from '../users/service.js';
import type { DeviceKeyColumns } from './device-keys.js';
import { assertMachineLimit, assertUserMachineLimit } from './limits.js';
import { emitMachineEvent, isDead } from './machine.js';
import { insertMachine, refreshMachine, updateMachineRow } from './store.js';

/** What activation reads first (the Client API's locked seat read gives it). */
export interface ActivationTarget {
  license: LicensesTable;
  policy: PoliciesTable;
  product: { licenseModel: string };
  /** This fingerprint's active machine on the license (alive or dead), if any. */
  machine: MachinesTable | undefined;
  /** Active machines of the license that are alive. */
  liveMachines: number;
}

/** What the client reports about the device. */
export interface DeviceReport {
  fingerprint: string;
  name?: string | undefined;
  hostname?: string | undefined;
  platform?: string | undefined;
  cores?: number | undefined;
  isVm?: boolean | undefined;
  /** On a per-user product: the assigned user this machine is activated for. */
  userEmail?: string | undefined;
  /** The device key to record (device-keys.ts deviceKeyOfActivation); absent: the machine's stays as it is. */
  registeredKey?: DeviceKeyColumns | undefined;
}

export interface Activation {
  /** False when the fingerprint was already active and alive: a refresh, not a new activation. */
  created: boolean;
  row: MachinesTable;
  /** Live machines of the license after this activation. */
  machinesCount: number;
}

/** On a per-user product a machine belongs to an assigned user (LICENSE_USER_NOT_FOUND otherwise). */
export const activatingUser = (tx: Executor, target: ActivationTarget, device: DeviceReport) =>
  target.product.licenseModel === 'user'
    ? assignedUserOrThrow(tx, target.license.id, device.userEmail).then((user) => user.id)
    : Promise.resolve(null);

const newMachineRow = (
  licenseId: string,
  device: DeviceReport,
  fields: Partial<MachinesTable> & { id: string; user_id: string | null },
  nowMs: number,
): MachinesTable => ({
  license_id: licenseId,
  fingerprint: device.fingerprint,
  name: device.name ?? null,
  hostname: device.hostname ?? null,
  platform: device.platform ?? null,
  cores: device.cores ?? null,
  is_vm: device.isVm ? 1 : 0,
  status: 'active',
  offline: 0,
  activated_at: nowMs,
  last_seen_at: nowMs,
  deactivated_at: null,
  deactivation_secret: null,
  device_public_key: null,
  device_key_sha256: null,
  device_certificate_sha256: null,
  ...device.registeredKey,
  ...fields,
});

/**
 * Activates a machine on a node-locked license: a live fingerprint activating again only refreshes what it reports
 * (created: false); otherwise the user's and the license's machine limits are checked, and a dead machine of the
 * same fingerprint comes back to life rather than leaving a second row. Emits machine.activated.
 */
export const activateMachine = async (
  tx: Executor,
  target: ActivationTarget,
  device: DeviceReport,
  nowMs: number,
  options: { offline?: { sealedSecret: string } } = {},
): Promise<Activation> => {
  const { license, policy } = target;
  const heartbeat = policy.heartbeat_seconds;
  const existing = target.machine;
  const existingLive = existing !== undefined && !isDead(existing, heartbeat, nowMs);
  const userId = await activatingUser(tx, target, device);
  const liveOthers = target.liveMachines - (existingLive ? 1 : 0);
  const details = {
    name: device.name ?? null,
    hostname: device.hostname ?? null,
    platform: device.platform ?? null,
    cores: device.cores ?? null,
    is_vm: device.isVm ? 1 : 0,
    offline: options.offline ? 1 : 0,
    deactivation_secret: options.offline?.sealedSecret ?? null,
    ...device.registeredKey,
  };
  if (existing && existingLive) {
    const row = { ...existing, ...details, last_seen_at: nowMs };
    await updateMachineRow(tx, existing.id, { ...details, last_seen_at: nowMs });
    return { created: false, row, machinesCount: liveOthers + 1 };
  }
  if (userId !== null) await assertUserMachineLimit(tx, license, policy, userId, existing?.id, nowMs);
  assertMachineLimit(license, policy, liveOthers);
  let row: MachinesTable;
  if (existing) {
    row = { ...existing, ...details, activated_at: nowMs, last_seen_at: nowMs };
    await updateMachineRow(tx, existing.id, { ...details, activated_at: nowMs, last_seen_at: nowMs });
  } else {
    row = newMachineRow(license.id, device, { ...details, id: newId('mach', nowMs), user_id: userId }, nowMs);
    await insertMachine(tx, row);
  }
  await emitMachineEvent(tx, 'machine.activated', row, heartbeat, nowMs);
  return { created: true, row, machinesCount: liveOthers + 1 };
};

/**
 * The machine of a floating checkout, once its seat is granted: a known machine is refreshed (and reactivated if
 * it had died), a new one is recorded and machine.activated emitted. The seat, not the machine, is what a floating
 * license limits.
 */
export const recordSeatMachine = async (
  tx: Executor,
  target: ActivationTarget,
  device: DeviceReport,
  holder: { machineId: string; userId: string | null },
  nowMs: number,
): Promise<Activation> => {
  const existing = target.machine;
  const wasLive = existing !== undefined && !isDead(existing, target.policy.heartbeat_seconds, nowMs);
  const details = {
    name: device.name ?? existing?.name ?? null,
    hostname: device.hostname ?? existing?.hostname ?? null,
    platform: device.platform ?? existing?.platform ?? null,
    cores: device.cores ?? existing?.cores ?? null,
    is_vm: device.isVm ? 1 : 0,
  };
  const machinesCount = target.liveMachines + (wasLive ? 0 : 1);
  if (existing) {
    const report = { ...details, activated_at: wasLive ? existing.activated_at : nowMs, last_seen_at: nowMs };
    await refreshMachine(tx, existing.id, report);
    if (device.registeredKey) await updateMachineRow(tx, existing.id, device.registeredKey);
    return { created: false, row: { ...existing, ...report, ...device.registeredKey }, machinesCount };
  }
  const row = newMachineRow(
    target.license.id,
    device,
    { ...details, id: holder.machineId, user_id: holder.userId },
    nowMs,
  );
  await insertMachine(tx, row);
  await emitMachineEvent(tx, 'machine.activated', row, target.policy.heartbeat_seconds, nowMs);
  return { created: true, row, machinesCount };
};

/** The machine of a license issued for it a moment ago (a trial's): nothing is on the license to count against. */
export const activateFirstMachine = async (
  tx: Executor,
  license: Pick<LicensesTable, 'id'>,
  policy: Pick<PoliciesTable, 'heartbeat_seconds'>,
  device: DeviceReport,
  nowMs: number,
): Promise<MachinesTable> => {
  const row = newMachineRow(license.id, device, { id: newId('mach', nowMs), user_id: null }, nowMs);
  await insertMachine(tx, row);
  await emitMachineEvent(tx, 'machine.activated', row, policy.heartbeat_seconds, nowMs);
  return row;
};
