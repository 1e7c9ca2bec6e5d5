// Issuing a machine's license file (api.md "License file"): what the file says of the license, the machine and its
// seat, and how long it lives — the policy's licenseFileTtlSeconds, a leased seat's end (never past the license's
// end under `restrict`), a borrowed seat's end — signed with the active key. A bundle's license file also lists
// the product codes it covers (`license.products`: the bundle's, then its members' in code order); a standard
// product's file has no such field, so its bytes are what they were before bundles.
import type { KeyRing } from '../../access/signing-keys/service.js';
import type { LeasesTable, LicensesTable, MachinesTable, PoliciesTable } from '../../db/schema.js';
import type { Sealer } from '../../lib/sealing.js';
import { effectiveStatus } from '../licenses/state.js';
import { buildLicenseFile, licenseFileExpiry } from './license-file.js';

export interface LicenseFileDeps {
  sealer: Sealer;
  keyRing: KeyRing;
}

/** The license a file is issued for, with its policy, product code and (a bundle) its members. */
export interface LicenseFileSubject {
  license: LicensesTable;
  policy: PoliciesTable;
  product: { code: string; members?: readonly { code: string }[] | null };
}

/** A bundle's covered codes: its own, then its members' in code order; undefined for a standard product. */
const coveredCodes = (product: LicenseFileSubject['product']): string[] | undefined =>
  product.members === null || product.members === undefined
    ? undefined
    : [product.code, ...product.members.map((member) => member.code).sort()];

export const issueLicenseFile = async (
  deps: LicenseFileDeps,
  subject: LicenseFileSubject,
  machine: MachinesTable,
  nowMs: number,
  lease?: LeasesTable,
  /** withKey false: a license user signed in by password holds the license without its key, and the file too. */
  options: { withKey?: boolean } = {},
): Promise<string> => {
  const { license, policy } = subject;
  const products = coveredCodes(subject.product);
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
        ...(options.withKey === false ? {} : { key: deps.sealer.open(license.key_sealed).toString('utf8') }),
        status: effectiveStatus(license.status, license.expires_at, policy.expiration_strategy, nowMs).status,
        productCode: subject.product.code,
        ...(products ? { products } : {}),
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
