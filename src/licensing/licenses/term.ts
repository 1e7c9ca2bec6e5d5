// A license's term under a policy counted from activation: it starts at the first activation (or checkout).
import type { LicensesTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { recordFirstUse } from './store.js';

/**
 * Records the license's first use once: its first_activated_at and, under an activation-based policy without an
 * end yet, the end of its term. The row object is updated too, so the caller's answer shows the new end.
 */
export const startTermOnFirstUse = async (
  tx: Executor,
  found: { license: LicensesTable; policy: PoliciesTable },
  nowMs: number,
): Promise<void> => {
  const { license, policy } = found;
  if (license.first_activated_at !== null) return;
  const expiresAt =
    policy.expiration_basis === 'activation' &&
    policy.duration_seconds !== null &&
    license.expires_at === null
      ? nowMs + policy.duration_seconds * 1000
      : undefined;
  Object.assign(license, {
    first_activated_at: nowMs,
    ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
  });
  await recordFirstUse(tx, license.id, nowMs, expiresAt);
};
