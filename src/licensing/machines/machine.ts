// A machine as the API answers it, whether it is still alive (a machine silent for 2× its policy's heartbeat is
// dead: it stays a row, no longer counts against the limit, and must activate again), and its events.
import type { MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import type { Machine } from './schemas.js';

export const isDead = (
  machine: Pick<MachinesTable, 'status' | 'last_seen_at'>,
  heartbeatSeconds: number | null,
  nowMs: number,
): boolean =>
  machine.status === 'active' &&
  heartbeatSeconds !== null &&
  machine.last_seen_at + 2000 * heartbeatSeconds <= nowMs;

/** How many of these active machines are alive. */
export const liveMachineCount = (
  machines: Pick<MachinesTable, 'last_seen_at'>[],
  heartbeatSeconds: number | null,
  nowMs: number,
) =>
  machines.filter(
    (machine) => !isDead({ status: 'active', last_seen_at: machine.last_seen_at }, heartbeatSeconds, nowMs),
  ).length;

export const toMachine = (row: MachinesTable, heartbeatSeconds: number | null, nowMs: number): Machine => ({
  id: row.id,
  licenseId: row.license_id,
  fingerprint: row.fingerprint,
  name: row.name,
  hostname: row.hostname,
  platform: row.platform,
  cores: row.cores,
  isVm: row.is_vm === 1,
  userId: row.user_id,
  status:
    row.status === 'deactivated' ? 'deactivated' : isDead(row, heartbeatSeconds, nowMs) ? 'dead' : 'active',
  offline: row.offline === 1,
  activatedAt: new Date(row.activated_at).toISOString(),
  lastSeenAt: new Date(row.last_seen_at).toISOString(),
  deactivatedAt: row.deactivated_at === null ? null : new Date(row.deactivated_at).toISOString(),
  deviceKey:
    row.device_key_sha256 === null
      ? null
      : { sha256: row.device_key_sha256, certificateSha256: row.device_certificate_sha256 },
});

/** Emits machine.activated / deactivated / heartbeat_dead with the machine as the API answers it, in `tx`. */
export const emitMachineEvent = (
  tx: Executor,
  type: 'machine.activated' | 'machine.deactivated' | 'machine.heartbeat_dead',
  row: MachinesTable,
  heartbeatSeconds: number | null,
  nowMs: number,
) =>
  emitEvent(tx, nowMs, {
    type,
    subject: { type: 'machine', id: row.id },
    licenseId: row.license_id,
    object: toMachine(row, heartbeatSeconds, nowMs),
  });

/** This fingerprint's live machine on the license: MACHINE_NOT_ACTIVATED or HEARTBEAT_DEAD otherwise. */
export const liveMachineOrThrow = (
  found: {
    license: { id: string };
    policy: { heartbeat_seconds: number | null };
    machine: MachinesTable | undefined;
  },
  nowMs: number,
): MachinesTable => {
  const machine = found.machine;
  if (!machine)
    throw new AppError(
      'MACHINE_NOT_ACTIVATED',
      `This fingerprint is not activated on license ${found.license.id}`,
    );
  if (isDead(machine, found.policy.heartbeat_seconds, nowMs))
    throw new AppError('HEARTBEAT_DEAD', `Machine ${machine.id} missed its heartbeats; activate again`);
  return machine;
};
