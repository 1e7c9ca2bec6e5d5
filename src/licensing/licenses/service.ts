// Licenses of the Management API: read, list (by status, product, policy, customer or key), update and soft delete.
// Issuing is issue.ts, the state actions actions.ts, the answer's shape and events present.ts.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import { readPage } from '../../db/pagination.js';
import type { LicensesTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { isoOrNull } from '../../lib/clock.js';
import { readInPages } from '../../lib/yield.js';
import { resolveCustomerId } from '../customers/service.js';
import { policyRowsByIds, resolvePolicyId } from '../policies/service.js';
import { resolveProductId } from '../products/service.js';
import { softDelete } from '../soft-delete.js';
import { canSeeProduct, visibleProducts } from '../visibility.js';
import { lockLicense } from './actions.js';
import { licenseKeyHash, normalizeLicenseKey } from './license-key.js';
import { emitLicenseEvent, type LicenseDeps, presentLicense, presentLicenses } from './present.js';
import type { License, LicenseStatus, UpdateLicense } from './schemas.js';
import {
  countLicenses,
  countLicensesByStatus,
  expiringWithMachines,
  findLicense,
  findLicensesByIds,
  licenseCountsOfOrders,
  licensesOfOrder,
  listLicenses,
  updateLicenseRow,
} from './store.js';

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

export const getLicense = async (
  deps: LicenseDeps,
  principal: Principal | undefined,
  id: string,
): Promise<License> =>
  presentLicense(deps, deps.db.kysely, principal, await getLicenseRowOrThrow(deps.db.kysely, principal, id));

/**
 * Licenses by id as their holders see them, through the Client API or the portal: without the key (a license user
 * signs in instead), in the order asked.
 */
export const licensesForHolder = async (deps: LicenseDeps, ids: readonly string[]): Promise<License[]> => {
  const rows = await findLicensesByIds(deps.db.kysely, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered = ids.flatMap((id) => byId.get(id) ?? []);
  return presentLicenses(deps, deps.db.kysely, undefined, ordered, { showKey: false });
};

/** The key of a live license, unsealed: what a Client API call signed in by the license's user runs with. */
export const licenseKeyOf = async (
  deps: Pick<LicenseDeps, 'db' | 'sealer'>,
  id: string,
): Promise<string | undefined> => {
  const row = await findLicense(deps.db.kysely, id);
  return row && row.deleted_at === null ? deps.sealer.open(row.key_sealed).toString('utf8') : undefined;
};

/** The filters of the license list: a product, policy or customer by id or by code or email. */
export interface LicenseListFilters {
  status?: LicenseStatus | undefined;
  productId?: string | undefined;
  policyId?: string | undefined;
  customerId?: string | undefined;
  key?: string | undefined;
  keyPrefix?: string | undefined;
}

/** The filters with each named product, policy and customer resolved to its id (404 when it names none). */
const licenseFilter = async (db: Executor, principal: Principal | undefined, query: LicenseListFilters) => {
  const productId =
    query.productId === undefined ? undefined : await resolveProductId(db, principal, query.productId);
  return {
    productId,
    productIds: visibleProducts(principal),
    policyId:
      query.policyId === undefined
        ? undefined
        : await resolvePolicyId(db, principal, query.policyId, productId),
    customerId:
      query.customerId === undefined ? undefined : await resolveCustomerId(db, principal, query.customerId),
    keyHash: query.key ? licenseKeyHash(normalizeLicenseKey(query.key)) : undefined,
    keyPrefixes: query.keyPrefix ? keyPrefixSpellings(query.keyPrefix) : undefined,
    status: query.status,
  };
};

/** A typed first group as stored: upper case, and for a Charter key its Crockford reading (O is 0, I and L are 1). */
const keyPrefixSpellings = (typed: string): string[] => {
  const upper = typed.trim().toUpperCase();
  return [...new Set([upper, upper.replace(/O/g, '0').replace(/[IL]/g, '1')])];
};

/** Licenses by effective status (the dashboard's overview), within the caller's products and the filters. */
export const licenseCountsByStatus = async (
  deps: LicenseDeps,
  principal: Principal | undefined,
  query: Pick<LicenseListFilters, 'productId' | 'policyId' | 'customerId'>,
) => {
  const db = deps.db.kysely;
  const counts = await countLicensesByStatus(db, {
    ...(await licenseFilter(db, principal, query)),
    nowMs: deps.clock.nowMs(),
  });
  return { ...counts, total: counts.active + counts.suspended + counts.revoked + counts.expired };
};

export const licensePage = async (
  deps: LicenseDeps,
  principal: Principal | undefined,
  query: LicenseListFilters & { limit: number; cursor?: string | undefined },
) => {
  const db = deps.db.kysely;
  const filter = await licenseFilter(db, principal, query);
  return readPage(
    query,
    (window) =>
      listLicenses(db, { ...filter, after: window.after, nowMs: deps.clock.nowMs(), limit: window.limit }),
    (rows) => presentLicenses(deps, db, principal, rows),
  );
};

/** How many licenses the list with these filters holds in all (an export's progress). */
export const licenseCount = async (
  deps: LicenseDeps,
  principal: Principal | undefined,
  query: LicenseListFilters,
): Promise<number> => {
  const db = deps.db.kysely;
  return countLicenses(db, { ...(await licenseFilter(db, principal, query)), nowMs: deps.clock.nowMs() });
};

export const updateLicense = async (
  deps: LicenseDeps,
  caller: Caller,
  id: string,
  patch: UpdateLicense,
): Promise<License> => transaction(deps.db, (tx) => updateLicenseIn(deps, tx, caller, id, patch));

/** updateLicense inside the caller's transaction (an approved action). */
export const updateLicenseIn = async (
  deps: LicenseDeps,
  tx: Executor,
  caller: Caller,
  id: string,
  patch: UpdateLicense,
): Promise<License> => {
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
  return presentLicense(deps, tx, caller.principal, updated);
};

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

/** The licenses an order issued, as rows. */
export const licenseRowsOfOrder = (db: Executor, orderId: string) => licensesOfOrder(db, orderId);

/** How many licenses each order issued, for a page of orders in one query. */
export const licenseCountsByOrder = (db: Executor, orderIds: readonly string[]) =>
  licenseCountsOfOrders(db, orderIds);

/** At most this many licenses are reported as expiring per evaluation (the soonest first). */
export const expiringLicenseLimit = 10_000;

/** Active licenses with an active machine that end within (nowMs, untilMs], soonest first. */
export const licensesExpiringWithMachines = (db: Executor, nowMs: number, untilMs: number) =>
  // In pages with a turn of the event loop between them: on SQLite one read of 10,000 rows would hold every
  // request for tens of milliseconds.
  readInPages(
    (last: Awaited<ReturnType<typeof expiringWithMachines>>[number] | undefined, size) =>
      expiringWithMachines(
        db,
        { fromMs: nowMs, untilMs, ...(last ? { after: { at: Number(last.expires_at), id: last.id } } : {}) },
        size,
      ),
    { limit: expiringLicenseLimit },
  );

/** Each license's machine limit (its own override, else its policy's; null: unlimited), for these ids. */
export const machineLimitsOf = async (db: Executor, ids: readonly string[]) => {
  const rows = await findLicensesByIds(db, ids);
  const policies = await policyRowsByIds(
    db,
    rows.map((row) => row.policy_id),
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        keyPrefix: row.key_prefix,
        limit: row.max_machines ?? policies.get(row.policy_id)?.max_machines ?? null,
      },
    ]),
  );
};
