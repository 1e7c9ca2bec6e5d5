// What every Client API call shares: its dependencies, the key's checksum and hash, the license state checks in
// api.md's order, the license as answered, and the signed license file of a machine.
import type { KeyRing } from '../../access/signing-keys/service.js';
import type { Database } from '../../db/connection.js';
import type { LeasesTable, MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { WriteBatcher } from '../../db/write-batcher.js';
import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { buildLicenseFile, licenseFileExpiry } from '../license-files/license-file.js';
import { hasValidChecksum, licenseKeyHash, normalizeLicenseKey } from '../licenses/license-key.js';
import { recordFirstActivation, toLicense } from '../licenses/service.js';
import { effectiveStatus } from '../licenses/state.js';
import { isDead } from '../machines/service.js';
import type { UsageRecorder } from '../usage/recorder.js';
import { assignedUserByEmail } from '../users/service.js';
import type { ActivateBody } from './schemas.js';
import { type ClientLicense, readForSeat, type SeatRead } from './store.js';

export interface ClientDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  keyRing: KeyRing;
  /** Activations and deactivations commit in groups on SQLite (see db/write-batcher.ts). */
  writes: WriteBatcher;
  /** Usage counters, aggregated in memory (see usage/recorder.ts). */
  usage: UsageRecorder;
  /** Told each validation's result code (the /metrics counter). */
  onValidation?: ((code: string) => void) | undefined;
}

export const liveMachineCount = (
  machines: Pick<MachinesTable, 'last_seen_at'>[],
  heartbeatSeconds: number | null,
  nowMs: number,
) =>
  machines.filter(
    (machine) => !isDead({ status: 'active', last_seen_at: machine.last_seen_at }, heartbeatSeconds, nowMs),
  ).length;

export const entitledCodes = (found: ClientLicense): Set<string> =>
  new Set(
    (JSON.parse(found.license.features ?? found.policy.features) as { code: string }[]).map(
      (feature) => feature.code,
    ),
  );

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

/** A license's entitlement to a feature (the license's own list, else the policy's), if it has one. */
export const entitlementOf = (
  found: ClientLicense,
  code: string,
): { code: string; seats?: number; maxConsumption?: number } | undefined =>
  (
    JSON.parse(found.license.features ?? found.policy.features) as {
      code: string;
      seats?: number;
      maxConsumption?: number;
    }[]
  ).find((feature) => feature.code === code);

/** What refuses a device, after the license's state: archived product, inactive customer, blocklist, VM rule. */
export const deviceRefusal = (
  found: SeatRead,
  body: Pick<ActivateBody, 'isVm'>,
): [ErrorCode, string] | undefined => {
  const { license, policy, product } = found;
  if (product.status === 'archived') return ['PRODUCT_ARCHIVED', `Product ${product.code} is archived`];
  if (found.customerStatus === 'inactive')
    return ['CUSTOMER_INACTIVE', `The customer of license ${license.id} is inactive`];
  if (found.blocked) return ['DEVICE_BLOCKED', 'This device is blocked'];
  if (body.isVm && policy.allow_vm === 0)
    return ['VM_NOT_ALLOWED', `License ${license.id} does not run on virtual machines`];
  return undefined;
};

/** A policy counted from activation starts the license's term at its first activation (or first checkout). */
export const startTermOnFirstUse = async (tx: Executor, found: ClientLicense, nowMs: number) => {
  const { license, policy } = found;
  if (license.first_activated_at !== null) return;
  const term =
    policy.expiration_basis === 'activation' &&
    policy.duration_seconds !== null &&
    license.expires_at === null
      ? { expires_at: nowMs + policy.duration_seconds * 1000 }
      : {};
  Object.assign(license, { first_activated_at: nowMs, ...term });
  await recordFirstActivation(tx, license.id, { first_activated_at: nowMs, ...term });
};

/** On a per-user product, activation names an assigned user (userEmail); answers that user's id. */
export const licenseUserFor = async (
  tx: Executor,
  found: ClientLicense,
  body: Pick<ActivateBody, 'userEmail'>,
): Promise<string> => {
  if (!body.userEmail) {
    throw new AppError(
      'LICENSE_USER_NOT_FOUND',
      `License ${found.license.id} is licensed per user: send the user's email in userEmail`,
    );
  }
  const user = await assignedUserByEmail(tx, found.license.id, body.userEmail);
  if (!user)
    throw new AppError(
      'LICENSE_USER_NOT_FOUND',
      `${body.userEmail} is not a user of license ${found.license.id}`,
    );
  return user.id;
};

export const keyOf = (licenseKey: string) => {
  const normalized = normalizeLicenseKey(licenseKey);
  return { normalized, checksumOk: hasValidChecksum(normalized), hash: licenseKeyHash(normalized) };
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
  if (options.productCode !== undefined && options.productCode !== product.code) {
    return [
      'PRODUCT_MISMATCH',
      `License ${license.id} is for product ${product.code}, not ${options.productCode}`,
    ];
  }
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

export const licenseFileFor = async (
  deps: ClientDeps,
  found: ClientLicense,
  machine: MachinesTable,
  nowMs: number,
  lease?: LeasesTable,
) => {
  const license = found.license;
  const policy = found.policy;
  const restricted = policy.expiration_strategy === 'restrict' && license.expires_at !== null;
  // A leased seat's file ends with its lease (never after the license's end under restrict), so a client offline
  // cannot run past the seat it holds; a borrowed seat's file runs to the borrow's end.
  const expiresAt = lease
    ? restricted
      ? Math.min(lease.expires_at, license.expires_at ?? lease.expires_at)
      : lease.expires_at
    : licenseFileExpiry(
        nowMs,
        policy.license_file_ttl_seconds,
        license.expires_at,
        policy.expiration_strategy,
      );
  return buildLicenseFile(
    {
      license: {
        id: license.id,
        key: deps.sealer.open(license.key_sealed).toString('utf8'),
        status: effectiveStatus(license.status, license.expires_at, policy.expiration_strategy, nowMs).status,
        productCode: found.product.code,
        policy: {
          maxMachines: license.max_machines ?? policy.max_machines,
          floating: policy.floating === 1,
          durationSeconds: policy.duration_seconds,
          heartbeatSeconds: policy.heartbeat_seconds,
          expirationStrategy: policy.expiration_strategy,
        },
        features: JSON.parse(license.features ?? policy.features) as unknown[],
        startsAt: new Date(license.starts_at).toISOString(),
        expiresAt: license.expires_at === null ? null : new Date(license.expires_at).toISOString(),
      },
      machine: {
        id: machine.id,
        fingerprint: machine.fingerprint,
        // An air-gapped machine proves its deactivation with this secret (api.md "Offline activation").
        ...(machine.offline === 1 && machine.deactivation_secret !== null
          ? {
              offline: true,
              deactivationSecret: deps.sealer.open(machine.deactivation_secret).toString('utf8'),
            }
          : {}),
      },
      ...(lease
        ? {
            lease: {
              id: lease.id,
              feature: lease.feature === '' ? null : lease.feature,
              expiresAt: new Date(lease.expires_at).toISOString(),
              borrowedUntil:
                lease.borrowed_until === null ? null : new Date(lease.borrowed_until).toISOString(),
            },
          }
        : {}),
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    },
    await deps.keyRing.active(),
  );
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

/** This fingerprint's live machine on the license: MACHINE_NOT_ACTIVATED or HEARTBEAT_DEAD otherwise. */
export const liveMachineOrThrow = (
  found: ClientLicense & { machine: MachinesTable | undefined },
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
