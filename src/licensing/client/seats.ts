// The Client API's seat calls: checkout, borrow and release of a floating license's seat, and the seats of
// floating features. Each reads the license of the key with the holder's seat (locked inside the write), runs the
// state checks, then the floating domain's rule (floating/seats.ts, feature-seats.ts), commits, and answers; a
// refused checkout is counted and answered FLOATING_NOT_AVAILABLE after the commit, so its denial record stays.
import { AppError } from '../../errors/app-error.js';
import { checkoutFeatureSeat, releaseFeatureSeat } from '../floating/feature-seats.js';
import type { Lease } from '../floating/schemas.js';
import {
  assertFloating,
  borrowSeat,
  checkoutSeat,
  releaseSeat,
  type SeatCheckout,
} from '../floating/seats.js';
import { floatingNotAvailable, toLease } from '../floating/service.js';
import { issueLicenseFile } from '../license-files/issue.js';
import type { License } from '../licenses/schemas.js';
import { assertDeviceSigned, type DeviceSignature, deviceKeyOfActivation } from '../machines/device-keys.js';
import { toMachine } from '../machines/machine.js';
import type { Machine } from '../machines/schemas.js';
import {
  assertCoversProduct,
  type ClientDeps,
  deviceRefusal,
  licenseFileOptions,
  lockedSeatRead,
  lockedUsableSeatRead,
  present,
} from './checks.js';
import type { ActivateBody, BorrowBody, MachineBody } from './schemas.js';
import type { SeatRead } from './store.js';

/** After the commit: counts the checkout or the denial, answers FLOATING_NOT_AVAILABLE, or signs the seat's file. */
export const settleCheckout = async (
  deps: ClientDeps,
  found: SeatRead,
  checkout: SeatCheckout,
  nowMs: number,
  fileOptions: { withKey?: boolean } = {},
): Promise<{ created: boolean; machine: Machine; license: License; lease: Lease; licenseFile: string }> => {
  const productId = found.product.id;
  if (!checkout.granted) {
    deps.usage.count(productId, 'denials');
    throw floatingNotAvailable(checkout.pool, checkout.seats, checkout.inUse);
  }
  if (checkout.created) deps.usage.count(productId, 'checkouts');
  deps.usage.seatsInUse(productId, checkout.inUse);
  return {
    created: checkout.created,
    machine: toMachine(checkout.row, found.policy.heartbeat_seconds, nowMs),
    license: present(deps, found, checkout.machinesCount, nowMs),
    lease: toLease(checkout.lease, nowMs),
    licenseFile: await issueLicenseFile(deps, found, checkout.row, nowMs, checkout.lease, fileOptions),
  };
};

/** POST /v1/client/checkout: a seat of a floating license for leaseSeconds (extended when already held). */
export const checkout = async (deps: ClientDeps, body: ActivateBody, signed: DeviceSignature) => {
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedUsableSeatRead(deps, tx, body, nowMs);
    assertFloating(found);
    const refusal = deviceRefusal(found, body);
    if (refusal) throw new AppError(...refusal);
    const registeredKey = deviceKeyOfActivation(found.policy, found.machine, body.deviceKey, signed, nowMs);
    const device = registeredKey ? { ...body, registeredKey } : body;
    return { checkout: await checkoutSeat(tx, found, device, nowMs), found, nowMs };
  });
  return settleCheckout(deps, done.found, done.checkout, done.nowMs, licenseFileOptions(body));
};

/** POST /v1/client/borrow: the held seat kept until `until`; the answer carries a file valid as long. */
export const borrow = async (deps: ClientDeps, body: BorrowBody, signed: DeviceSignature) => {
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedUsableSeatRead(deps, tx, body, nowMs);
    assertDeviceSigned(found.machine, signed, nowMs);
    const borrowed = await borrowSeat(tx, found, body.until, nowMs);
    return { found, ...borrowed, nowMs };
  });
  return {
    lease: toLease(done.lease, done.nowMs),
    licenseFile: await issueLicenseFile(
      deps,
      done.found,
      done.machine,
      done.nowMs,
      done.lease,
      licenseFileOptions(body),
    ),
  };
};

/** POST /v1/client/release: frees the held seat (and the holder's feature seats with it). */
export const release = async (
  deps: ClientDeps,
  body: MachineBody,
  signed: DeviceSignature,
): Promise<void> => {
  await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    assertDeviceSigned(found.machine, signed, nowMs);
    assertCoversProduct(found, body.productCode);
    await releaseSeat(tx, found, body.fingerprint, nowMs);
  });
};

/** POST /v1/client/features/{code}/checkout: a seat of a floating feature for a holder of the license. */
export const featureCheckout = async (
  deps: ClientDeps,
  code: string,
  body: MachineBody,
  signed: DeviceSignature,
) => {
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedUsableSeatRead(deps, tx, body, nowMs);
    assertDeviceSigned(found.machine, signed, nowMs);
    return { ...(await checkoutFeatureSeat(tx, found, code, body.fingerprint, nowMs)), nowMs };
  });
  const { grant, pool, nowMs } = done;
  if (!grant.granted) {
    deps.usage.count(pool.productId, 'denials');
    throw floatingNotAvailable(pool, grant.seats, grant.inUse);
  }
  if (grant.created) deps.usage.count(pool.productId, 'checkouts');
  deps.usage.seatsInUse(pool.productId, grant.inUse);
  return { created: grant.created, lease: toLease(grant.lease, nowMs) };
};

/** POST /v1/client/features/{code}/release: frees the holder's seat of a floating feature. */
export const featureRelease = async (
  deps: ClientDeps,
  code: string,
  body: MachineBody,
  signed: DeviceSignature,
): Promise<void> => {
  await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    assertDeviceSigned(found.machine, signed, nowMs);
    assertCoversProduct(found, body.productCode);
    await releaseFeatureSeat(tx, found, code, body.fingerprint, nowMs);
  });
};
