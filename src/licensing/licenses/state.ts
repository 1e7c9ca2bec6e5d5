// The license state machine, as data: which actions each status allows. `expired` is derived from expiresAt
// (under the restrict strategy); every other status is stored.
import { AppError } from '../../errors/app-error.js';
import type { LicenseStatus } from './schemas.js';

export type LicenseAction = 'suspend' | 'reinstate' | 'revoke' | 'renew' | 'transfer';

export const allowedFrom: Record<LicenseAction, readonly LicenseStatus[]> = {
  suspend: ['active'],
  reinstate: ['suspended'],
  revoke: ['active', 'suspended', 'expired'],
  renew: ['active', 'expired'],
  transfer: ['active', 'suspended', 'expired'],
};

/** Refuses an action the current status does not allow (409 INVALID_TRANSITION with currentStatus). */
export const assertTransition = (licenseId: string, current: LicenseStatus, action: LicenseAction): void => {
  if (!allowedFrom[action].includes(current)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `License ${licenseId} is ${current}; it cannot be ${action === 'renew' ? 'renewed' : `${action}ed`}`,
      {
        currentStatus: current,
        attempted: action,
      },
    );
  }
};

/** The status a license shows: revoked and suspended as stored, then expired when its end has passed. */
export const effectiveStatus = (
  stored: string,
  expiresAt: number | null,
  strategy: string,
  nowMs: number,
): { status: LicenseStatus; maintenanceExpired: boolean } => {
  const pastEnd = expiresAt !== null && expiresAt <= nowMs;
  if (stored === 'revoked' || stored === 'suspended')
    return { status: stored, maintenanceExpired: pastEnd && strategy === 'maintenance' };
  if (pastEnd)
    return strategy === 'maintenance'
      ? { status: 'active', maintenanceExpired: true }
      : { status: 'expired', maintenanceExpired: false };
  return { status: 'active', maintenanceExpired: false };
};
