// Client API calls on floating seats: checkout (and activate on a floating license), borrow, release, and the seats
// of floating features. Each runs in one write transaction with the license row locked, so seat counts are exact.
import type { LeasesTable, MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import type { Lease } from '../floating/schemas.js';
import {
  borrowLease,
  floatingNotAvailable,
  isLive,
  leaseSeat,
  releaseHolderLeases,
  type SeatPool,
  toLease,
} from '../floating/service.js';
import type { License } from '../licenses/schemas.js';
import type { Machine } from '../machines/schemas.js';
import { emitMachineEvent, insertMachine, isDead, refreshMachine, toMachine } from '../machines/service.js';
import { productFeatureByCode } from '../products/service.js';
import {
  type ClientDeps,
  deviceRefusal,
  entitlementOf,
  licenseFileFor,
  licenseUserFor,
  liveMachineOrThrow,
  lockedSeatRead,
  present,
  startTermOnFirstUse,
  stateFailure,
} from './checks.js';
import type { ActivateBody, BorrowBody, MachineBody } from './schemas.js';
import type { SeatRead } from './store.js';

export type SeatCheckout =
  | {
      granted: true;
      row: MachinesTable;
      lease: LeasesTable;
      created: boolean;
      inUse: number;
      machinesCount: number;
    }
  | { granted: false; pool: SeatPool; seats: number; inUse: number };

const notFloating = (found: SeatRead) =>
  new AppError(
    'NOT_FLOATING',
    `License ${found.license.id} is node-locked: it has machines, not leased seats`,
  );

const leaseMsOf = (found: SeatRead) => found.policy.lease_seconds * 1000;

/**
 * The seat part of a checkout, inside the caller's transaction after the license and device checks: a seat in the
 * license's pool, then the machine recorded (refreshed when known). A full pool writes only its denial record.
 */
export const seatCheckout = async (
  tx: Executor,
  found: SeatRead,
  body: ActivateBody,
  nowMs: number,
): Promise<SeatCheckout> => {
  const { license, policy, product } = found;
  const userId = product.licenseModel === 'user' ? await licenseUserFor(tx, found, body) : null;
  const pool: SeatPool = {
    licenseId: license.id,
    productId: product.id,
    feature: '',
    seats: license.max_machines ?? policy.max_machines,
  };
  const existing = found.machine;
  const machineId = existing?.id ?? newId('mach', nowMs);
  // The seat read has this holder's lease and the pool's count already.
  const grant = await leaseSeat(
    tx,
    pool,
    { fingerprint: body.fingerprint, machineId },
    leaseMsOf(found),
    nowMs,
    {
      held: found.held,
      inUse: found.seatsInUse,
    },
  );
  if (!grant.granted) return { granted: false, pool, seats: grant.seats, inUse: grant.inUse };
  const details = {
    name: body.name ?? existing?.name ?? null,
    hostname: body.hostname ?? existing?.hostname ?? null,
    platform: body.platform ?? existing?.platform ?? null,
    cores: body.cores ?? existing?.cores ?? null,
    is_vm: body.isVm ? 1 : 0,
  };
  let row: MachinesTable;
  const wasLive = existing !== undefined && !isDead(existing, policy.heartbeat_seconds, nowMs);
  if (existing) {
    const report = { ...details, activated_at: wasLive ? existing.activated_at : nowMs, last_seen_at: nowMs };
    row = { ...existing, ...report };
    await refreshMachine(tx, existing.id, report);
  } else {
    row = {
      id: machineId,
      license_id: license.id,
      fingerprint: body.fingerprint,
      ...details,
      user_id: userId,
      status: 'active',
      offline: 0,
      activated_at: nowMs,
      last_seen_at: nowMs,
      deactivated_at: null,
      deactivation_secret: null,
    };
    await insertMachine(tx, row);
    await emitMachineEvent(tx, 'machine.activated', row, found.policy.heartbeat_seconds, nowMs);
  }
  await startTermOnFirstUse(tx, found, nowMs);
  return {
    granted: true,
    row,
    lease: grant.lease,
    created: grant.created,
    inUse: grant.inUse,
    machinesCount: found.liveMachines + (wasLive ? 0 : 1),
  };
};

/** After the commit: counts the checkout or the denial, answers FLOATING_NOT_AVAILABLE, or signs the seat's file. */
export const settleCheckout = async (
  deps: ClientDeps,
  found: SeatRead,
  checkout: SeatCheckout,
  nowMs: number,
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
    licenseFile: await licenseFileFor(deps, found, checkout.row, nowMs, checkout.lease),
  };
};

/** POST /v1/client/checkout: a seat of a floating license for leaseSeconds (extended when already held). */
export const checkout = async (deps: ClientDeps, body: ActivateBody) => {
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    const state = stateFailure(found, nowMs, {});
    if (state) throw new AppError(...state);
    if (found.policy.floating === 0) throw notFloating(found);
    const refusal = deviceRefusal(found, body);
    if (refusal) throw new AppError(...refusal);
    return { checkout: await seatCheckout(tx, found, body, nowMs), found, nowMs };
  });
  return settleCheckout(deps, done.found, done.checkout, done.nowMs);
};

/** The holder's live seat of a floating license, from the seat read; LEASE_NOT_FOUND when it holds none. */
const liveSeatOf = (found: SeatRead, nowMs: number): LeasesTable => {
  if (!found.held || !isLive(found.held, nowMs))
    throw new AppError(
      'LEASE_NOT_FOUND',
      `This fingerprint holds no seat of license ${found.license.id}; check out first`,
    );
  return found.held;
};

/**
 * POST /v1/client/borrow: keeps the held seat until `until` without heartbeats (a laptop going offline), within
 * the policy's maxBorrowSeconds and, under restrict, the license's end. The answer carries a file valid as long.
 */
export const borrow = async (deps: ClientDeps, body: BorrowBody) => {
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    const { license, policy } = found;
    const state = stateFailure(found, nowMs, {});
    if (state) throw new AppError(...state);
    if (policy.floating === 0) throw notFloating(found);
    if (policy.allow_borrow === 0)
      throw new AppError(
        'BORROW_NOT_ALLOWED',
        `The policy of license ${license.id} does not allow borrowing`,
      );
    const untilMs = Date.parse(body.until);
    const maxUntil = nowMs + (policy.max_borrow_seconds ?? 0) * 1000;
    const licenseEnd =
      policy.expiration_strategy === 'restrict' && license.expires_at !== null
        ? license.expires_at
        : Infinity;
    const latest = Math.min(maxUntil, licenseEnd);
    if (untilMs <= nowMs || untilMs > latest) {
      throw new AppError(
        'BORROW_UNTIL_INVALID',
        untilMs <= nowMs
          ? `until (${body.until}) is not in the future`
          : `until (${body.until}) is past the latest allowed, ${new Date(latest).toISOString()}`,
        {
          until: body.until,
          latest: new Date(latest).toISOString(),
          maxBorrowSeconds: policy.max_borrow_seconds,
        },
      );
    }
    const seat = liveSeatOf(found, nowMs);
    if (!found.machine)
      throw new AppError('LEASE_NOT_FOUND', `This fingerprint holds no seat of license ${license.id}`);
    const lease = await borrowLease(tx, seat, untilMs, nowMs);
    return { found, lease, machine: found.machine, nowMs };
  });
  return {
    lease: toLease(done.lease, done.nowMs),
    licenseFile: await licenseFileFor(deps, done.found, done.machine, done.nowMs, done.lease),
  };
};

/** POST /v1/client/release: frees the held seat (and the holder's feature seats with it). */
export const release = async (deps: ClientDeps, body: MachineBody): Promise<void> => {
  await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    if (found.policy.floating === 0) throw notFloating(found);
    liveSeatOf(found, nowMs);
    // The holder's feature seats go with its license seat.
    await releaseHolderLeases(tx, { licenseId: found.license.id, fingerprint: body.fingerprint }, nowMs);
  });
};

/** A floating feature the license is entitled to, with its seat count (the entitlement's, else the product's). */
const floatingFeature = async (tx: Executor, found: SeatRead, code: string) => {
  const entitlement = entitlementOf(found, code);
  if (!entitlement)
    throw new AppError('FEATURE_NOT_ENTITLED', `License ${found.license.id} lacks feature ${code}`);
  const feature = await productFeatureByCode(tx, found.product.id, code);
  if (feature?.kind !== 'floating')
    throw new AppError(
      'NOT_FLOATING',
      `Feature ${code} is ${feature?.kind ?? 'not a product feature'}, not floating`,
    );
  return { seats: entitlement.seats ?? feature.seats };
};

/**
 * POST /v1/client/features/{code}/checkout: a seat of a floating feature. The holder must hold the license: a seat
 * of a floating license (LEASE_NOT_FOUND) or a live machine of a node-locked one (MACHINE_NOT_ACTIVATED).
 */
export const featureCheckout = async (deps: ClientDeps, code: string, body: MachineBody) => {
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    const state = stateFailure(found, nowMs, {});
    if (state) throw new AppError(...state);
    const { seats } = await floatingFeature(tx, found, code);
    let machineId: string;
    if (found.policy.floating === 1) {
      machineId = liveSeatOf(found, nowMs).machine_id;
    } else {
      machineId = liveMachineOrThrow(found, nowMs).id;
    }
    const pool: SeatPool = { licenseId: found.license.id, productId: found.product.id, feature: code, seats };
    const grant = await leaseSeat(
      tx,
      pool,
      { fingerprint: body.fingerprint, machineId },
      leaseMsOf(found),
      nowMs,
    );
    return { grant, pool, nowMs };
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
export const featureRelease = async (deps: ClientDeps, code: string, body: MachineBody): Promise<void> => {
  await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
    await floatingFeature(tx, found, code);
    const released = await releaseHolderLeases(
      tx,
      { licenseId: found.license.id, fingerprint: body.fingerprint, feature: code },
      nowMs,
    );
    if (released.length === 0)
      throw new AppError('LEASE_NOT_FOUND', `This fingerprint holds no seat of feature ${code}`);
  });
};
