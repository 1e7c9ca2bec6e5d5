// Seats of floating features (api.md "Floating features"): a holder of the license — a seat of a floating license
// or a live machine of a node-locked one — checks out a seat of a feature it is entitled to, from a pool of the
// entitlement's seats (else the product feature's), and releases it.
import type { LeasesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { entitlementOf } from '../licenses/entitlements.js';
import { liveMachineOrThrow } from '../machines/machine.js';
import { productFeatureByCode } from '../products/service.js';
import { liveSeatOf, type SeatTarget } from './seats.js';
import { leaseSeat, releaseHolderLeases, type SeatGrant, type SeatPool } from './service.js';

/** A floating feature the license is entitled to, with its seat count. */
const floatingFeature = async (tx: Executor, target: SeatTarget, code: string) => {
  const entitlement = entitlementOf(target, code);
  if (!entitlement)
    throw new AppError('FEATURE_NOT_ENTITLED', `License ${target.license.id} lacks feature ${code}`);
  const feature = await productFeatureByCode(tx, target.product.id, code);
  if (feature?.kind !== 'floating')
    throw new AppError(
      'NOT_FLOATING',
      `Feature ${code} is ${feature?.kind ?? 'not a product feature'}, not floating`,
    );
  return { seats: entitlement.seats ?? feature.seats };
};

/**
 * A seat of a floating feature for the holder: LEASE_NOT_FOUND when it holds no seat of a floating license,
 * MACHINE_NOT_ACTIVATED (or HEARTBEAT_DEAD) when it has no live machine on a node-locked one.
 */
export const checkoutFeatureSeat = async (
  tx: Executor,
  target: SeatTarget,
  code: string,
  fingerprint: string,
  nowMs: number,
): Promise<{ grant: SeatGrant; pool: SeatPool }> => {
  const { seats } = await floatingFeature(tx, target, code);
  const machineId =
    target.policy.floating === 1
      ? liveSeatOf(target, nowMs).machine_id
      : liveMachineOrThrow(target, nowMs).id;
  const pool: SeatPool = { licenseId: target.license.id, productId: target.product.id, feature: code, seats };
  const grant = await leaseSeat(
    tx,
    pool,
    { fingerprint, machineId },
    target.policy.lease_seconds * 1000,
    nowMs,
  );
  return { grant, pool };
};

/** Frees the holder's seat of a floating feature; LEASE_NOT_FOUND when it holds none. */
export const releaseFeatureSeat = async (
  tx: Executor,
  target: SeatTarget,
  code: string,
  fingerprint: string,
  nowMs: number,
): Promise<LeasesTable[]> => {
  await floatingFeature(tx, target, code);
  const released = await releaseHolderLeases(
    tx,
    { licenseId: target.license.id, fingerprint, feature: code },
    nowMs,
  );
  if (released.length === 0)
    throw new AppError('LEASE_NOT_FOUND', `This fingerprint holds no seat of feature ${code}`);
  return released;
};
