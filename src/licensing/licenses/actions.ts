// The state actions of a license (suspend, reinstate, revoke, renew, transfer): each applied to the row locked
// for the change, after the transition table of state.ts allows it, audited and emitted as its event.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import type { LicensesTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { isoOrNull } from '../../lib/clock.js';
import { getReferencedCustomerOrThrow } from '../customers/service.js';
import { policyRowsByIds } from '../policies/service.js';
import { canSeeProduct } from '../visibility.js';
import { emitLicenseEvent, type LicenseDeps, type LicenseEventType, presentLicense } from './present.js';
import type { License } from './schemas.js';
import { assertTransition, effectiveStatus, type LicenseAction } from './state.js';
import { lockLicenseRow, updateLicenseRow } from './store.js';

/** Locks the license row for a read-check-write (FOR UPDATE on PostgreSQL). */
export const lockLicense = async (
  deps: Pick<LicenseDeps, 'db' | 'clock'>,
  tx: Executor,
  principal: Principal | undefined,
  id: string,
) => {
  const row = await lockLicenseRow(tx, deps.db.dialect, id);
  if (!row || !canSeeProduct(principal, row.product_id)) throw new AppError('NOT_FOUND', `No license ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `License ${id} was deleted`);
  const [policy] = [...(await policyRowsByIds(tx, [row.policy_id])).values()];
  if (!policy) throw new Error(`License ${id} names a policy that does not exist`);
  return {
    row,
    policy,
    status: effectiveStatus(row.status, row.expires_at, policy.expiration_strategy, deps.clock.nowMs())
      .status,
  };
};

const actionEvents: Record<LicenseAction, LicenseEventType> = {
  suspend: 'license.suspended',
  reinstate: 'license.reinstated',
  revoke: 'license.revoked',
  renew: 'license.renewed',
  transfer: 'license.transferred',
};

/** Applies one state action in a transaction holding the license row. */
export const applyLicenseAction = (
  deps: LicenseDeps,
  caller: Caller,
  id: string,
  action: LicenseAction,
  input: { customerId?: string } = {},
): Promise<License> =>
  transaction(deps.db, (tx) => applyLicenseActionIn(deps, tx, caller, id, action, input));

/** applyLicenseAction inside the caller's transaction (store integrations apply several with their ledger). */
export const applyLicenseActionIn = async (
  deps: LicenseDeps,
  tx: Executor,
  caller: Caller,
  id: string,
  action: LicenseAction,
  input: { customerId?: string } = {},
): Promise<License> => {
  const { row, policy, status } = await lockLicense(deps, tx, caller.principal, id);
  assertTransition(id, status, action);
  const now = deps.clock.nowMs();
  const patch: Partial<LicensesTable> = { updated_at: now };
  switch (action) {
    case 'suspend':
      patch.status = 'suspended';
      break;
    case 'reinstate':
      patch.status = 'active';
      break;
    case 'revoke':
      patch.status = 'revoked';
      break;
    case 'renew': {
      if (policy.duration_seconds === null) {
        throw new AppError('INVALID_TRANSITION', `License ${id} is perpetual; there is nothing to renew`, {
          currentStatus: status,
          attempted: action,
        });
      }
      // An expired license renews from now; an active one from its current end.
      const base = Math.max(row.expires_at ?? now, now);
      patch.expires_at = base + policy.duration_seconds * 1000;
      patch.status = 'active';
      break;
    }
    case 'transfer': {
      // Named by id or email: the row says which customer it is.
      const customerId = (await getReferencedCustomerOrThrow(tx, caller.principal, input.customerId ?? ''))
        .id;
      if (policy.max_transfers !== null && row.transfers_count >= policy.max_transfers) {
        throw new AppError(
          'TRANSFER_LIMIT_EXCEEDED',
          `License ${id} was transferred ${row.transfers_count} of ${policy.max_transfers} times`,
          {
            limit: policy.max_transfers,
            used: row.transfers_count,
          },
        );
      }
      patch.customer_id = customerId;
      patch.transfers_count = row.transfers_count + 1;
      break;
    }
  }
  await updateLicenseRow(tx, id, patch);
  const updated = { ...row, ...patch };
  await recordAudit(tx, deps.clock, caller.audit, {
    action: `license.${action}`,
    target: { type: 'license', id },
    changes: diff(
      { status: row.status, expiresAt: isoOrNull(row.expires_at), customerId: row.customer_id },
      { status: updated.status, expiresAt: isoOrNull(updated.expires_at), customerId: updated.customer_id },
    ),
  });
  await emitLicenseEvent(deps, tx, actionEvents[action], updated);
  return presentLicense(deps, tx, caller.principal, updated);
};

/**
 * Extends a license's end by `seconds` (from its end, or from now when it has passed), inside the caller's
 * transaction (an approved extend_license). A perpetual or revoked license has nothing to extend.
 */
export const extendLicenseIn = async (
  deps: LicenseDeps,
  tx: Executor,
  caller: Caller,
  id: string,
  seconds: number,
): Promise<License> => {
  const { row, status } = await lockLicense(deps, tx, caller.principal, id);
  if (row.expires_at === null || status === 'revoked') {
    throw new AppError(
      'INVALID_TRANSITION',
      row.expires_at === null
        ? `License ${id} is perpetual; there is nothing to extend`
        : `License ${id} is revoked`,
      { currentStatus: status, attempted: 'extend' },
    );
  }
  const now = deps.clock.nowMs();
  const expiresAt = Math.max(row.expires_at, now) + seconds * 1000;
  const patch: Partial<LicensesTable> = { expires_at: expiresAt, updated_at: now };
  if (status === 'expired') patch.status = 'active';
  await updateLicenseRow(tx, id, patch);
  const updated = { ...row, ...patch };
  await recordAudit(tx, deps.clock, caller.audit, {
    action: 'license.extend',
    target: { type: 'license', id },
    changes: diff({ expiresAt: isoOrNull(row.expires_at) }, { expiresAt: isoOrNull(expiresAt) }),
  });
  await emitLicenseEvent(deps, tx, 'license.updated', updated);
  return presentLicense(deps, tx, caller.principal, updated);
};
