// What every Client API call shares: its dependencies, the key's checksum and hash, the license of a key (the
// compiled reads of store.ts), the license state checks in api.md's order, the device refusals, and the license
// as a client call answers it. The rules each call applies then are their domains' (machines, floating, …).
//
// `productCode` (every call that takes a license key may send it): the product the caller runs. It must be the
// license's product or, when that product is a bundle, one of the bundle's members (licensing.md "Bundles");
// anything else answers PRODUCT_MISMATCH. A member named so brings its own status: disabled answers
// PRODUCT_DISABLED, archived refuses new devices (PRODUCT_ARCHIVED), as the bundle's own status does.
import type { KeyRing } from '../../access/signing-keys/service.js';
import type { CustomerMailKind } from '../../config.js';
import type { Database } from '../../db/connection.js';
import type { Executor } from '../../db/transaction.js';
import type { WriteBatcher } from '../../db/write-batcher.js';
import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { hasValidChecksum, licenseKeyHash, normalizeLicenseKey } from '../licenses/license-key.js';
import { toLicense } from '../licenses/present.js';
import { effectiveStatus } from '../licenses/state.js';
import type { UsageRecorder } from '../usage/recorder.js';
import type { ActivateBody } from './schemas.js';
import {
  type BundleMember,
  type ClientLicense,
  findClientLicense,
  readForSeat,
  type SeatRead,
} from './store.js';
import type { ValidationCache } from './validation-cache.js';

export interface ClientDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  keyRing: KeyRing;
  /** Activations and deactivations commit in groups on SQLite (see db/write-batcher.ts). */
  writes: WriteBatcher;
  /** Usage counters, aggregated in memory (see usage/recorder.ts). */
  usage: UsageRecorder;
  /** What validation read, remembered until a change to it commits (see validation-cache.ts); none when off. */
  validations?: ValidationCache | undefined;
  /** Told each validation's result code (the /metrics counter). */
  onValidation?: ((code: string) => void) | undefined;
  /** The customer mail turned on (a trial started, a consumption limit reached). */
  customerMail?: readonly CustomerMailKind[] | undefined;
}

export const present = (
  deps: ClientDeps,
  found: ClientLicense & { meter?: ValidationMeter | undefined },
  machinesCount: number,
  nowMs: number,
) =>
  toLicense(found.license, found.policy, {
    nowMs,
    machinesCount,
    sealer: deps.sealer,
    showKey: false,
    meter: found.meter,
  });

type ValidationMeter = { used: number; period_starts_at: number };

/**
 * The product a call names with `productCode`: the license's own when none is given or its code is named; for a
 * bundle's license the member of that code; undefined when the license does not cover it. A bundle holds at most
 * 100 members: a scan of them costs less than building a map per read.
 */
export const namedProduct = (
  product: ClientLicense['product'],
  productCode: string | undefined,
): ClientLicense['product'] | BundleMember | undefined => {
  if (productCode === undefined || productCode === product.code) return product;
  if (product.members === null) return undefined;
  for (const member of product.members) if (member.code === productCode) return member;
  return undefined;
};

const productMismatch = (found: ClientLicense, productCode: string | undefined): [ErrorCode, string] => {
  const { license, product } = found;
  return [
    'PRODUCT_MISMATCH',
    product.members === null
      ? `License ${license.id} is for product ${product.code}, not ${productCode}`
      : `License ${license.id} is for bundle ${product.code} and its members, not ${productCode}`,
  ];
};

/**
 * For the calls that run in any state (deactivate, heartbeat, release): PRODUCT_MISMATCH when the license does
 * not cover productCode, and nothing else of its state.
 */
export const assertCoversProduct = (found: ClientLicense, productCode: string | undefined): void => {
  if (!namedProduct(found.product, productCode)) throw new AppError(...productMismatch(found, productCode));
};

/** What refuses a device, after the license's state: archived product, inactive customer, blocklist, VM rule. */
export const deviceRefusal = (
  found: SeatRead,
  body: Pick<ActivateBody, 'isVm' | 'productCode'>,
): [ErrorCode, string] | undefined => {
  const { license, policy, product } = found;
  if (product.status === 'archived') return ['PRODUCT_ARCHIVED', `Product ${product.code} is archived`];
  const named = namedProduct(product, body.productCode);
  if (named?.status === 'archived') return ['PRODUCT_ARCHIVED', `Product ${named.code} is archived`];
  if (found.customerStatus === 'inactive')
    return ['CUSTOMER_INACTIVE', `The customer of license ${license.id} is inactive`];
  if (found.blocked) return ['DEVICE_BLOCKED', 'This device is blocked'];
  if (body.isVm && policy.allow_vm === 0)
    return ['VM_NOT_ALLOWED', `License ${license.id} does not run on virtual machines`];
  return undefined;
};

/**
 * How a call's license file is issued: a call signed in by a license user (email and password, user-sign-in.ts)
 * gets it without the license key, so a user never learns a key that would outlive their seat.
 */
export const licenseFileOptions = (body: { email?: string | undefined }) => ({
  withKey: body.email === undefined,
});

/** A key's normalized form and lookup hash; its checksum is computed when first asked (a cached validation never asks). */
export const keyOf = (licenseKey: string) => {
  const normalized = normalizeLicenseKey(licenseKey);
  return {
    normalized,
    hash: licenseKeyHash(normalized),
    get checksumOk() {
      return hasValidChecksum(normalized);
    },
  };
};

/** The state checks every client call starts with, in api.md's order; answers the first failing code. */
export const stateFailure = (
  found: ClientLicense,
  nowMs: number,
  options: { productCode?: string | undefined },
): [ErrorCode, string] | undefined => {
  const { license, policy, product } = found;
  if (license.status === 'revoked') return ['LICENSE_REVOKED', `License ${license.id} was revoked`];
  if (license.status === 'suspended') return ['LICENSE_SUSPENDED', `License ${license.id} is suspended`];
  if (product.status === 'disabled') return ['PRODUCT_DISABLED', `Product ${product.code} is disabled`];
  const named = namedProduct(product, options.productCode);
  if (!named) return productMismatch(found, options.productCode);
  if (named.status === 'disabled') return ['PRODUCT_DISABLED', `Product ${named.code} is disabled`];
  if (license.starts_at > nowMs)
    return [
      'LICENSE_NOT_STARTED',
      `License ${license.id} starts at ${new Date(license.starts_at).toISOString()}`,
    ];
  const { status } = effectiveStatus(license.status, license.expires_at, policy.expiration_strategy, nowMs);
  if (status === 'expired' && license.trial === 1) return ['TRIAL_EXPIRED', `The trial ${license.id} ended`];
  if (status === 'expired')
    return [
      'LICENSE_EXPIRED',
      `License ${license.id} expired at ${new Date(license.expires_at ?? 0).toISOString()}`,
    ];
  return undefined;
};

/**
 * Inside a write transaction: the license of a key with this fingerprint's machine and seat (store.ts
 * readForSeat), its row locked on PostgreSQL; LICENSE_NOT_FOUND when no license has the key.
 */
export const lockedSeatRead = async (
  deps: ClientDeps,
  tx: Executor,
  licenseKey: string,
  fingerprint: string,
  nowMs: number,
): Promise<SeatRead> => {
  const key = keyOf(licenseKey);
  const found = key.checksumOk ? await readForSeat(deps.db, tx, key.hash, fingerprint, nowMs) : undefined;
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  return found;
};

/**
 * lockedSeatRead, then the state checks: the license of a key refused with its state's code (revoked, suspended,
 * expired …, PRODUCT_MISMATCH for a productCode it does not cover) when it may not be used now. Calls that may run
 * on a license in any state (release) read alone.
 */
export const lockedUsableSeatRead = async (
  deps: ClientDeps,
  tx: Executor,
  body: { licenseKey: string; fingerprint: string; productCode?: string | undefined },
  nowMs: number,
): Promise<SeatRead> => {
  const found = await lockedSeatRead(deps, tx, body.licenseKey, body.fingerprint, nowMs);
  const state = stateFailure(found, nowMs, { productCode: body.productCode });
  if (state) throw new AppError(...state);
  return found;
};

/** The license of a key (outside a write), or undefined when no license has it. */
export const findLicenseOfKey = async (
  db: Executor,
  licenseKey: string,
): Promise<ClientLicense | undefined> => {
  const key = keyOf(licenseKey);
  return key.checksumOk ? findClientLicense(db, key.hash) : undefined;
};

/** The license of a key; LICENSE_NOT_FOUND when no license has it. */
export const licenseOfKeyOrThrow = async (db: Executor, licenseKey: string): Promise<ClientLicense> => {
  const found = await findLicenseOfKey(db, licenseKey);
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  return found;
};

/** Inside a write transaction: the license of a key, its row locked on PostgreSQL; LICENSE_NOT_FOUND when none. */
export const lockedLicenseOfKey = async (
  deps: ClientDeps,
  tx: Executor,
  licenseKey: string,
): Promise<ClientLicense> => {
  const key = keyOf(licenseKey);
  const found = key.checksumOk ? await findClientLicense(tx, key.hash, { lock: deps.db.dialect }) : undefined;
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  return found;
};
