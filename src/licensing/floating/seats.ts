// A floating license's seats, as the Client API uses them: checkout (a seat in the license's pool for leaseSeconds,
// extended when already held, with the holder's machine recorded), borrow (keep it past heartbeats until a time
// within the policy's maxBorrowSeconds) and release (with the holder's feature seats). Each runs in the caller's
// transaction with the license row locked, so a pool never holds more live leases than seats.
import type { LeasesTable, MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import { startTermOnFirstUse } from '../licenses/term.js';
import {
  type ActivationTarget,
  activatingUser,
  type DeviceReport,
  recordSeatMachine,
} from '../machines/activation.js';
import { borrowLease, isLive, leaseSeat, releaseHolderLeases, type SeatPool } from './service.js';

/** What a seat call reads first (the Client API's locked seat read gives it). */
export interface SeatTarget extends ActivationTarget {
  product: { id: string; licenseModel: string };
  /** Live leases of the license's own pool, this holder's included when live. */
  seatsInUse: number;
  /** This fingerprint's active seat lease, live or lapsed. */
  held: LeasesTable | undefined;
}

export type SeatCheckout =
  | {
      granted: true;
      row: MachinesTable;
      lease: LeasesTable;
      /** A new lease (false: the held one was extended). */
      created: boolean;
      inUse: number;
      machinesCount: number;
    }
  | { granted: false; pool: SeatPool; seats: number; inUse: number };

/** NOT_FLOATING: a node-locked license has machines, not leased seats. */
export const assertFloating = (target: Pick<SeatTarget, 'license' | 'policy'>): void => {
  if (target.policy.floating === 0)
    throw new AppError(
      'NOT_FLOATING',
      `License ${target.license.id} is node-locked: it has machines, not leased seats`,
    );
};

/** The holder's live seat of a floating license; LEASE_NOT_FOUND when it holds none. */
export const liveSeatOf = (target: Pick<SeatTarget, 'license' | 'held'>, nowMs: number): LeasesTable => {
  if (!target.held || !isLive(target.held, nowMs))
    throw new AppError(
      'LEASE_NOT_FOUND',
      `This fingerprint holds no seat of license ${target.license.id}; check out first`,
    );
  return target.held;
};

/**
 * A seat in the license's pool, then the holder's machine recorded (refreshed when known). A full pool writes
 * only its denial record, and the caller answers FLOATING_NOT_AVAILABLE after the commit.
 */
export const checkoutSeat = async (
  tx: Executor,
  target: SeatTarget,
  device: DeviceReport,
  nowMs: number,
): Promise<SeatCheckout> => {
  const { license, policy, product } = target;
  const userId = await activatingUser(tx, target, device);
  const pool: SeatPool = {
    licenseId: license.id,
    productId: product.id,
    feature: '',
    seats: license.max_machines ?? policy.max_machines,
  };
  const machineId = target.machine?.id ?? newId('mach', nowMs);
  // The seat read has this holder's lease and the pool's count already.
  const grant = await leaseSeat(
    tx,
    pool,
    { fingerprint: device.fingerprint, machineId },
    policy.lease_seconds * 1000,
    nowMs,
    { held: target.held, inUse: target.seatsInUse },
  );
  if (!grant.granted) return { granted: false, pool, seats: grant.seats, inUse: grant.inUse };
  const machine = await recordSeatMachine(tx, target, device, { machineId, userId }, nowMs);
  await startTermOnFirstUse(tx, target, nowMs);
  return {
    granted: true,
    row: machine.row,
    lease: grant.lease,
    created: grant.created,
    inUse: grant.inUse,
    machinesCount: machine.machinesCount,
  };
};

/**
 * Keeps the held seat until `until` without heartbeats (a laptop going offline), within the policy's
 * maxBorrowSeconds and, under restrict, the license's end.
 */
export const borrowSeat = async (
  tx: Executor,
  target: SeatTarget,
  until: string,
  nowMs: number,
): Promise<{ lease: LeasesTable; machine: MachinesTable }> => {
  const { license, policy } = target;
  assertFloating(target);
  if (policy.allow_borrow === 0)
    throw new AppError('BORROW_NOT_ALLOWED', `The policy of license ${license.id} does not allow borrowing`);
  const untilMs = Date.parse(until);
  const maxUntil = nowMs + (policy.max_borrow_seconds ?? 0) * 1000;
  const licenseEnd =
    policy.expiration_strategy === 'restrict' && license.expires_at !== null ? license.expires_at : Infinity;
  const latest = Math.min(maxUntil, licenseEnd);
  if (untilMs <= nowMs || untilMs > latest) {
    throw new AppError(
      'BORROW_UNTIL_INVALID',
      untilMs <= nowMs
        ? `until (${until}) is not in the future`
        : `until (${until}) is past the latest allowed, ${new Date(latest).toISOString()}`,
      { until, latest: new Date(latest).toISOString(), maxBorrowSeconds: policy.max_borrow_seconds },
    );
  }
  const seat = liveSeatOf(target, nowMs);
  if (!target.machine)
    throw new AppError('LEASE_NOT_FOUND', `This fingerprint holds no seat of license ${license.id}`);
  return { lease: await borrowLease(tx, seat, untilMs, nowMs), machine: target.machine };
};

/** Frees the held seat, and the holder's feature seats with it. */
export const releaseSeat = async (
  tx: Executor,
  target: SeatTarget,
  fingerprint: string,
  nowMs: number,
): Promise<void> => {
  assertFloating(target);
  liveSeatOf(target, nowMs);
  await releaseHolderLeases(tx, { licenseId: target.license.id, fingerprint }, nowMs);
};
