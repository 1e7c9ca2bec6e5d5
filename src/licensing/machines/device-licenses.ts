// The licenses active on a device (LicenseSpring's "license by hardware id"): the live machines of a fingerprint,
// one per license. A fingerprint is no secret, so the answer says little (DeviceLicense: no key, no customer), and
// a device with a device key is answered only what its signature speaks for (device-keys.ts machinesSignedFor).
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { effectiveStatus } from '../licenses/state.js';
import { type DeviceSignature, machinesSignedFor } from './device-keys.js';
import { isDead } from './machine.js';
import type { DeviceLicense } from './schemas.js';
import { activeMachinesOfFingerprint } from './store.js';

/** A device on more licenses than this is answered its oldest activations. */
export const maxDeviceLicenses = 100;

/** DEVICE_LICENSES_NOT_FOUND when no license (of the product, when named) has this fingerprint live. */
export const licensesOnDevice = async (
  db: Executor,
  query: { fingerprint: string; productCode?: string | undefined },
  signed: DeviceSignature,
  nowMs: number,
): Promise<DeviceLicense[]> => {
  const rows = await activeMachinesOfFingerprint(db, query.fingerprint, query.productCode, maxDeviceLicenses);
  const live = rows.filter((row) => !isDead(row, row.heartbeat_seconds, nowMs));
  if (live.length === 0)
    throw new AppError(
      'DEVICE_LICENSES_NOT_FOUND',
      query.productCode === undefined
        ? 'No license is active on this device'
        : `No license of product ${query.productCode} is active on this device`,
    );
  return machinesSignedFor(live, signed, nowMs).map((row) => ({
    licenseId: row.license_id,
    productCode: row.product_code,
    status: effectiveStatus(row.license_status, row.expires_at, row.expiration_strategy, nowMs).status,
    trial: row.trial === 1,
    startsAt: new Date(row.starts_at).toISOString(),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
    machineId: row.id,
    activatedAt: new Date(row.activated_at).toISOString(),
  }));
};
