// A license as the API answers it (the key only for callers with licenses:read; live machine counts and meters
// read once for a page) and license events, which carry the same object without its key.
import type { Principal } from '../../access/principal.js';
import { hasScope } from '../../access/scopes.js';
import type { Database } from '../../db/connection.js';
import type { LicensesTable, MetersTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { emitEvent } from '../../events/service.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { licenseConsumption, licenseMetersOf } from '../consumption/service.js';
import { parseMetadata } from '../metadata.js';
import { policyRowsByIds } from '../policies/service.js';
import type { License } from './schemas.js';
import { effectiveStatus } from './state.js';
import { countLiveMachines } from './store.js';

export interface LicenseDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
}

/** Only callers with licenses:read see the full key (api.md); everyone sees its first group. */
const showsKey = (principal: Principal | undefined) =>
  !principal || hasScope(principal.scopes, 'licenses:read');

export const toLicense = (
  row: LicensesTable,
  policy: PoliciesTable,
  context: {
    nowMs: number;
    machinesCount: number;
    sealer: Sealer;
    showKey: boolean;
    /** The license-level consumption meter, when it has been used. */
    meter?: Pick<MetersTable, 'used' | 'period_starts_at'> | undefined;
  },
): License => {
  const { status, maintenanceExpired } = effectiveStatus(
    row.status,
    row.expires_at,
    policy.expiration_strategy,
    context.nowMs,
  );
  return {
    id: row.id,
    ...(context.showKey ? { key: context.sealer.open(row.key_sealed).toString('utf8') } : {}),
    keyPrefix: row.key_prefix,
    productId: row.product_id,
    policyId: row.policy_id,
    customerId: row.customer_id,
    status,
    startsAt: new Date(row.starts_at).toISOString(),
    expiresAt: isoOrNull(row.expires_at),
    maintenanceExpired,
    trial: row.trial === 1,
    maxMachines: row.max_machines ?? policy.max_machines,
    machinesCount: context.machinesCount,
    transfersCount: row.transfers_count,
    consumption: licenseConsumption(policy, context.meter, row.starts_at, context.nowMs),
    features: JSON.parse(row.features ?? policy.features) as License['features'],
    metadata: parseMetadata(row.metadata),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
};

/** Licenses as answered, with their live machine counts and meters read for all rows at once. */
export const presentLicenses = async (
  deps: LicenseDeps,
  db: Executor,
  principal: Principal | undefined,
  rows: LicensesTable[],
  options: { showKey?: boolean } = {},
) => {
  const nowMs = deps.clock.nowMs();
  const policies = await policyRowsByIds(
    db,
    rows.map((row) => row.policy_id),
  );
  const ids = rows.map((row) => row.id);
  const counts = await countLiveMachines(db, ids, nowMs);
  const meters = await licenseMetersOf(db, ids);
  return rows.map((row) => {
    const policy = policies.get(row.policy_id);
    if (!policy) throw new Error(`License ${row.id} names a policy that does not exist`);
    return toLicense(row, policy, {
      nowMs,
      machinesCount: counts.get(row.id) ?? 0,
      sealer: deps.sealer,
      showKey: options.showKey ?? showsKey(principal),
      meter: meters.get(row.id),
    });
  });
};

export const presentLicense = async (
  deps: LicenseDeps,
  db: Executor,
  principal: Principal | undefined,
  row: LicensesTable,
) => {
  const [license] = await presentLicenses(deps, db, principal, [row]);
  if (!license) throw new Error('unreachable');
  return license;
};

export type LicenseEventType =
  | 'license.created'
  | 'license.updated'
  | 'license.suspended'
  | 'license.reinstated'
  | 'license.revoked'
  | 'license.renewed'
  | 'license.expired'
  | 'license.expiring_soon'
  | 'license.transferred'
  | 'license.deleted';

/**
 * Emits a license event in `tx` with the license as the API answers it, but without its key: events are kept
 * as plain JSON (the outbox) and reach every endpoint, while keys are sealed at rest. Receivers have keyPrefix and
 * read the key through the API when they need it.
 */
export const emitLicenseEvent = async (
  deps: LicenseDeps,
  tx: Executor,
  type: LicenseEventType,
  row: LicensesTable,
  license?: License,
) => {
  const object = license ?? (await presentLicenses(deps, tx, undefined, [row], { showKey: false }))[0];
  await emitEvent(tx, deps.clock.nowMs(), {
    type,
    subject: { type: 'license', id: row.id },
    licenseId: row.id,
    object,
  });
};
