// Deactivation: the one path that takes a machine off a license, for the Client API (by fingerprint), the
// Management API (DELETE /v1/machines/{id}) and offline proofs. Within the policy's churn limit; the machine's
// seats (a floating license's, a floating feature's) are released with it; machine.deactivated is emitted.
import type { MachinesTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { releaseLeasesOfHolder } from '../floating/service.js';
import { assertDeactivationAllowed } from './limits.js';
import { emitMachineEvent } from './machine.js';
import { updateMachineRow } from './store.js';

export const deactivateMachine = async (
  tx: Executor,
  machine: MachinesTable,
  policy: Pick<PoliciesTable, 'max_deactivations' | 'heartbeat_seconds'>,
  nowMs: number,
): Promise<MachinesTable> => {
  await assertDeactivationAllowed(tx, machine.license_id, policy, nowMs);
  const row: MachinesTable = { ...machine, status: 'deactivated', deactivated_at: nowMs };
  await updateMachineRow(tx, machine.id, { status: 'deactivated', deactivated_at: nowMs });
  // A deactivated machine holds no seats.
  await releaseLeasesOfHolder(tx, machine.license_id, machine.fingerprint, nowMs);
  await emitMachineEvent(tx, 'machine.deactivated', row, policy.heartbeat_seconds, nowMs);
  return row;
};
