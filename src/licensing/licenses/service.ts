// Licenses: issue (key generated or supplied, stored as a lookup hash and a sealed copy), read, list, update,
// soft delete, and the state actions of state.ts (suspend, reinstate, revoke, renew, transfer).
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import { hasScope } from '../../access/scopes.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { LicensesTable, MetersTable, PoliciesTable } from '../../db/schema.js';
import { type Executor, forUpdate, transaction, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import { emitEvent } from '../../ops/events/service.js';
import { licenseConsumption, licenseMetersOf } from '../consumption/service.js';
import { getReferencedCustomerOrThrow } from '../customers/service.js';
import { parseMetadata } from '../metadata.js';
import { getReferencedPolicyOrThrow, policyRowsByIds } from '../policies/service.js';
import { findReferencedProduct } from '../products/service.js';
import { softDelete } from '../soft-delete.js';
import { canSeeProduct, visibleProducts } from '../visibility.js';
import {
  generateLicenseKey,
  hasValidChecksum,
  isCharterShaped,
  licenseKeyHash,
  licenseKeyPrefix,
  normalizeLicenseKey,
} from './license-key.js';
import type { CreateLicense, License, LicenseStatus, UpdateLicense } from './schemas.js';
import { assertTransition, effectiveStatus, type LicenseAction } from './state.js';
import {
  countLiveMachines,
  findLicense,
  findLicenseByKeyHash,
  insertLicense,
  licensesOfOrder,
  listLicenses,
  updateLicenseRow,
} from './store.js';

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

const present = async (
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

const presentOne = async (
  deps: LicenseDeps,
  db: Executor,
  principal: Principal | undefined,
  row: LicensesTable,
) => {
  const [license] = await present(deps, db, principal, [row]);
  if (!license) throw new Error('unreachable');
  return license;
};

type LicenseEventType =
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
  const object = license ?? (await present(deps, tx, undefined, [row], { showKey: false }))[0];
  await emitEvent(tx, deps.clock.nowMs(), {
    type,
    subject: { type: 'license', id: row.id },
    licenseId: row.id,
    object,
  });
};

export const getLicenseRowOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<LicensesTable> => {
  const row = await findLicense(db, id);
  if (!row || !canSeeProduct(principal, row.product_id)) throw new AppError('NOT_FOUND', `No license ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `License ${id} was deleted`);
  return row;
};

const keyTaken = () => new AppError('ALREADY_EXISTS', 'A license with this key exists', { field: 'key' });

export const createLicense = async (
  deps: LicenseDeps,
  caller: Caller,
  input: CreateLicense,
): Promise<License> => {
  const { db, clock } = deps;
  const key = input.key ? normalizeLicenseKey(input.key) : generateLicenseKey();
  if (input.key && isCharterShaped(key) && !hasValidChecksum(key)) {
    throw new AppError(
      'VALIDATION_ERROR',
      'The key has the shape of a Charter key but its checksum group is wrong',
      {
        issues: [{ path: ['key'], message: 'checksum group does not match', code: 'custom' }],
      },
    );
  }
  const now = clock.nowMs();
  return await transactionUnique(
    db,
    () => keyTaken(),
    async (tx) => {
      const policy = await getReferencedPolicyOrThrow(tx, caller.principal, input.policyId);
      if (input.productId) {
        const product = await findReferencedProduct(tx, input.productId);
        if (!product)
          throw new AppError('UNKNOWN_PRODUCT', `No product ${input.productId}`, {
            productId: input.productId,
          });
        if (product.id !== policy.product_id) {
          throw new AppError('UNKNOWN_POLICY', `Policy ${policy.id} belongs to another product`, {
            policyId: policy.id,
          });
        }
      }
      const product = await findReferencedProduct(tx, policy.product_id);
      if (!product) throw new AppError('UNKNOWN_PRODUCT', `Product ${policy.product_id} was deleted`);
      if (product.status === 'archived')
        throw new AppError('PRODUCT_ARCHIVED', `Product ${product.code} is archived`);
      if (input.customerId) await getReferencedCustomerOrThrow(tx, caller.principal, input.customerId);
      const row = await issueLicense(deps, tx, caller, policy, {
        key,
        customerId: input.customerId ?? null,
        startsAt: input.startsAt ? Date.parse(input.startsAt) : now,
        expiresAt:
          input.expiresAt === undefined
            ? undefined
            : input.expiresAt === null
              ? null
              : Date.parse(input.expiresAt),
        trial: input.trial ?? false,
        maxMachines: input.maxMachines ?? null,
        features: input.features ?? null,
        metadata: input.metadata ?? {},
      });
      return presentOne(deps, tx, caller.principal, row);
    },
  );
};

export const getLicense = async (
  deps: LicenseDeps,
  principal: Principal | undefined,
  id: string,
): Promise<License> =>
  presentOne(deps, deps.db.kysely, principal, await getLicenseRowOrThrow(deps.db.kysely, principal, id));

export const licensePage = async (
  deps: LicenseDeps,
  principal: Principal | undefined,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: LicenseStatus | undefined;
    productId?: string | undefined;
    policyId?: string | undefined;
    customerId?: string | undefined;
    key?: string | undefined;
  },
) => {
  const db = deps.db.kysely;
  return readPage(
    query,
    (window) =>
      listLicenses(db, {
        after: window.after,
        productId: query.productId,
        productIds: visibleProducts(principal),
        policyId: query.policyId,
        customerId: query.customerId,
        keyHash: query.key ? licenseKeyHash(normalizeLicenseKey(query.key)) : undefined,
        status: query.status,
        nowMs: deps.clock.nowMs(),
        limit: window.limit,
      }),
    (rows) => present(deps, db, principal, rows),
  );
};

/** Locks the license row for a read-check-write (FOR UPDATE on PostgreSQL). */
const lockLicense = async (deps: LicenseDeps, tx: Executor, principal: Principal | undefined, id: string) => {
  const row = await forUpdate(
    tx.selectFrom('licenses').selectAll().where('id', '=', id),
    deps.db.dialect,
  ).executeTakeFirst();
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

export const updateLicense = async (
  deps: LicenseDeps,
  caller: Caller,
  id: string,
  patch: UpdateLicense,
): Promise<License> =>
  transaction(deps.db, async (tx) => {
    const { row } = await lockLicense(deps, tx, caller.principal, id);
    const updated: LicensesTable = {
      ...row,
      expires_at:
        patch.expiresAt === undefined
          ? row.expires_at
          : patch.expiresAt === null
            ? null
            : Date.parse(patch.expiresAt),
      max_machines: patch.maxMachines === undefined ? row.max_machines : patch.maxMachines,
      features:
        patch.features === undefined
          ? row.features
          : patch.features === null
            ? null
            : JSON.stringify(patch.features),
      metadata: patch.metadata ? JSON.stringify(patch.metadata) : row.metadata,
      updated_at: deps.clock.nowMs(),
    };
    await updateLicenseRow(tx, id, updated);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'license.update',
      target: { type: 'license', id },
      changes: diff(
        {
          expiresAt: isoOrNull(row.expires_at),
          maxMachines: row.max_machines,
          features: row.features,
          metadata: row.metadata,
        },
        {
          expiresAt: isoOrNull(updated.expires_at),
          maxMachines: updated.max_machines,
          features: updated.features,
          metadata: updated.metadata,
        },
      ),
    });
    await emitLicenseEvent(deps, tx, 'license.updated', updated);
    return presentOne(deps, tx, caller.principal, updated);
  });

export const deleteLicense = (deps: LicenseDeps, caller: Caller, id: string): Promise<void> => {
  let loaded: LicensesTable | undefined;
  return softDelete(
    deps,
    caller,
    { type: 'license', id },
    {
      load: async (tx) => {
        loaded = (await lockLicense(deps, tx, caller.principal, id)).row;
      },
      mark: async (tx, patch) => {
        await updateLicenseRow(tx, id, patch);
        if (loaded) await emitLicenseEvent(deps, tx, 'license.deleted', { ...loaded, ...patch });
      },
    },
  );
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
      const customerId = input.customerId ?? '';
      await getReferencedCustomerOrThrow(tx, caller.principal, customerId);
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
  return presentOne(deps, tx, caller.principal, updated);
};

/** Records a license's first activation (and the term it starts under an activation-based policy). */
export const recordFirstActivation = (
  db: Executor,
  id: string,
  patch: { first_activated_at: number; expires_at?: number },
) => updateLicenseRow(db, id, patch);

/** A new license row for `key`: active, with no machines, transfers or overrides unless `fields` say otherwise. */
const newLicenseRow = (
  sealer: Sealer,
  key: string,
  nowMs: number,
  fields: Pick<LicensesTable, 'product_id' | 'policy_id' | 'starts_at' | 'expires_at'> &
    Partial<LicensesTable>,
): LicensesTable => ({
  id: newId('lic', nowMs),
  key_hash: licenseKeyHash(key),
  key_sealed: sealer.seal(key),
  key_prefix: licenseKeyPrefix(key),
  customer_id: null,
  status: 'active',
  trial: 0,
  max_machines: null,
  transfers_count: 0,
  features: null,
  metadata: '{}',
  first_activated_at: null,
  created_at: nowMs,
  updated_at: nowMs,
  deleted_at: null,
  order_id: null,
  ...fields,
});

/**
 * Issues a license under a policy inside the caller's transaction (the policy and product already checked), and
 * audits it. Without an explicit end, a policy counted from issue ends its duration after the start; one counted
 * from activation gets its end at the first activation.
 */
export const issueLicense = async (
  deps: LicenseDeps,
  tx: Executor,
  caller: Caller,
  policy: PoliciesTable,
  input: {
    key?: string;
    customerId: string | null;
    startsAt: number;
    expiresAt?: number | null | undefined;
    trial?: boolean;
    maxMachines?: number | null;
    features?: unknown[] | null;
    metadata?: Record<string, unknown>;
    orderId?: string;
  },
): Promise<LicensesTable> => {
  const now = deps.clock.nowMs();
  const key = input.key ?? generateLicenseKey();
  const expiresAt =
    input.expiresAt !== undefined
      ? input.expiresAt
      : policy.duration_seconds !== null && policy.expiration_basis === 'issue'
        ? input.startsAt + policy.duration_seconds * 1000
        : null;
  const row = newLicenseRow(deps.sealer, key, now, {
    product_id: policy.product_id,
    policy_id: policy.id,
    customer_id: input.customerId,
    starts_at: input.startsAt,
    expires_at: expiresAt,
    trial: input.trial ? 1 : 0,
    max_machines: input.maxMachines ?? null,
    features: input.features ? JSON.stringify(input.features) : null,
    metadata: JSON.stringify(input.metadata ?? {}),
    order_id: input.orderId ?? null,
  });
  if (await findLicenseByKeyHash(tx, row.key_hash)) throw keyTaken();
  await insertLicense(tx, row);
  await recordAudit(tx, deps.clock, caller.audit, {
    action: 'license.create',
    target: { type: 'license', id: row.id },
    changes: {
      policyId: [null, row.policy_id],
      customerId: [null, row.customer_id],
      expiresAt: [null, isoOrNull(row.expires_at)],
    },
  });
  // A new license has no machines or meters yet: its answer needs no reads.
  const license = toLicense(row, policy, {
    nowMs: now,
    machinesCount: 0,
    sealer: deps.sealer,
    showKey: false,
  });
  await emitLicenseEvent(deps, tx, 'license.created', row, license);
  return row;
};

/** The licenses an order issued, as rows. */
export const licenseRowsOfOrder = (db: Executor, orderId: string) => licensesOfOrder(db, orderId);

/** Licenses as answered, for rows issued inside a transaction (orders). */
export const presentLicenses = (
  deps: LicenseDeps,
  db: Executor,
  principal: Principal | undefined,
  rows: LicensesTable[],
) => present(deps, db, principal, rows);

/** Issues a trial license inside the caller's transaction (POST /v1/client/trial); answers the row and its key. */
export const issueTrialLicense = async (
  deps: LicenseDeps,
  tx: Executor,
  input: { productId: string; policy: PoliciesTable; expiresAt: number; nowMs: number },
): Promise<{ row: LicensesTable; key: string }> => {
  const key = generateLicenseKey();
  const row = newLicenseRow(deps.sealer, key, input.nowMs, {
    product_id: input.productId,
    policy_id: input.policy.id,
    starts_at: input.nowMs,
    expires_at: input.expiresAt,
    trial: 1,
    first_activated_at: input.nowMs,
  });
  await insertLicense(tx, row);
  const license = toLicense(row, input.policy, {
    nowMs: input.nowMs,
    machinesCount: 0,
    sealer: deps.sealer,
    showKey: false,
  });
  await emitLicenseEvent(deps, tx, 'license.created', row, license);
  return { row, key };
};
