import type { MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import type { Lease } from '../floating/schemas.js';
import type { toLicense } from '../licenses/service.js';
import {
  activeMachinesOf,
  emitMachineEvent,
  insertMachine,
  isDead,
  toMachine,
  updateMachineRow,
} from '../machines/service.js';
import {
  type ClientDeps,
  deviceRefusal,
  licenseFileFor,
  licenseUserFor,
  liveMachineCount,
  lockedSeatRead,
  present,
  startTermOnFirstUse,
  stateFailure,
} from './checks.js';
import { seatCheckout, settleCheckout } from './floating.js';
import type { ActivateBody } from './schemas.js';

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
): Promise<{
  created: boolean;
  machine: ReturnType<typeof toMachine>;
  license: ReturnType<typeof toLicense>;
  licenseFile: string;
  lease?: Lease;
}> => {
  // The signing key is made (once) outside the transaction: SQLite has one writer at a time.
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    // One read: the license (locked on PostgreSQL), its policy, product, customer state, this fingerprint's
    // machine, the blocklist, the live machine count and (floating licenses) the seats in use and this one's seat.
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    const { license, policy, product } = found;
    offline?.assertProductAllowed(product.id);
    const state = stateFailure(found, nowMs, {});
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
    // On a floating license, activation is a checkout (api.md): one client code path serves both kinds.
    if (policy.floating === 1) return { checkout: await seatCheckout(tx, found, body, nowMs), found, nowMs };
    const heartbeat = policy.heartbeat_seconds;
    const existing = found.machine;
    const existingLive = existing !== undefined && !isDead(existing, heartbeat, nowMs);
    const userId = product.licenseModel === 'user' ? await licenseUserFor(tx, found, body) : null;
    const liveOthers = found.liveMachines - (existingLive ? 1 : 0);
    const details = {
      name: body.name ?? null,
      hostname: body.hostname ?? null,
      platform: body.platform ?? null,
      cores: body.cores ?? null,
      is_vm: body.isVm ? 1 : 0,
      offline: offline ? 1 : 0,
      deactivation_secret: offline ? deps.sealer.seal(offline.deactivationSecret) : null,
    };
    let row: MachinesTable;
    let created = true;
    if (existing && existingLive) {
      // Activating an active fingerprint again is a no-op that refreshes what the client reports.
      created = false;
      row = { ...existing, ...details, last_seen_at: nowMs };
      await updateMachineRow(tx, existing.id, { ...details, last_seen_at: nowMs });
    } else {
      if (userId !== null && policy.max_activations_per_user !== null) {
        const machines = await activeMachinesOf(tx, license.id);
        const mine = liveMachineCount(
          machines.filter((machine) => machine.user_id === userId && machine.id !== existing?.id),
          heartbeat,
          nowMs,
        );
        if (mine >= policy.max_activations_per_user) {
          throw new AppError(
            'USER_MACHINE_LIMIT_EXCEEDED',
            `User ${userId} already has ${mine} of ${policy.max_activations_per_user} machines on license ${license.id}`,
            { limit: policy.max_activations_per_user, used: mine },
          );
        }
      }
      const limit = license.max_machines ?? policy.max_machines;
      if (limit !== null && liveOthers >= limit) {
        throw new AppError(
          'MACHINE_LIMIT_EXCEEDED',
          `License ${license.id} already has ${liveOthers} of ${limit} machines activated`,
          { limit, used: liveOthers },
        );
      }
      if (existing) {
        // A dead machine of the same fingerprint comes back to life rather than leaving a second row.
        row = { ...existing, ...details, activated_at: nowMs, last_seen_at: nowMs };
        await updateMachineRow(tx, existing.id, { ...details, activated_at: nowMs, last_seen_at: nowMs });
      } else {
        row = {
          id: newId('mach', nowMs),
          license_id: license.id,
          fingerprint: body.fingerprint,
          ...details,
          user_id: userId,
          status: 'active',
          activated_at: nowMs,
          last_seen_at: nowMs,
          deactivated_at: null,
        };
        await insertMachine(tx, row);
      }
    }
    await startTermOnFirstUse(tx, found, nowMs);
    if (created) await emitMachineEvent(tx, 'machine.activated', row, heartbeat, nowMs);
    await offline?.inTransaction(tx, row, nowMs);
    return { created, found, row, nowMs, machinesCount: liveOthers + 1 };
  });
  if ('checkout' in done) {
    const checkedOut = await settleCheckout(deps, done.found, done.checkout, done.nowMs);
    return { ...checkedOut, created: checkedOut.created };
  }
  deps.usage.count(done.found.product.id, 'activations');
  // Signing happens after the commit: the write lock is held only for the reads and writes themselves.
  return {
    created: done.created,
    machine: toMachine(done.row, done.found.policy.heartbeat_seconds, done.nowMs),
    license: present(deps, done.found, done.machinesCount, done.nowMs),
    licenseFile: await licenseFileFor(deps, done.found, done.row, done.nowMs),
  };
};
