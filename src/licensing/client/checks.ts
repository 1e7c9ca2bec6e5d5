// What every Client API call shares: its dependencies, the key's checksum and hash, the license state checks in
// api.md's order, the license as answered, and the signed license file of a machine.
import type { KeyRing } from '../../access/signing-keys/service.js';
import type { Database } from '../../db/connection.js';
import type { MachinesTable } from '../../db/schema.js';
import type { WriteBatcher } from '../../db/write-batcher.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { buildLicenseFile, licenseFileExpiry } from '../license-files/license-file.js';
import { hasValidChecksum, licenseKeyHash, normalizeLicenseKey } from '../licenses/license-key.js';
import { toLicense } from '../licenses/service.js';
import { effectiveStatus } from '../licenses/state.js';
import { isDead } from '../machines/service.js';
import type { ClientLicense } from './store.js';

export interface ClientDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  keyRing: KeyRing;
  /** Activations and deactivations commit in groups on SQLite (see db/write-batcher.ts). */
  writes: WriteBatcher;
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

export const present = (deps: ClientDeps, found: ClientLicense, machinesCount: number, nowMs: number) =>
  toLicense(found.license, found.policy, { nowMs, machinesCount, sealer: deps.sealer, showKey: false });

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
) => {
  const license = found.license;
  const policy = found.policy;
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
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(
        licenseFileExpiry(
          nowMs,
          policy.license_file_ttl_seconds,
          license.expires_at,
          policy.expiration_strategy,
        ),
      ).toISOString(),
    },
    await deps.keyRing.active(),
  );
};
