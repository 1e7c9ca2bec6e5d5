// Policies: a product's licensing rules (limits, durations, floating, offline, heartbeats, consumption, features).
// A policy belongs to one product; its code is unique within that product among live policies.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import { readPage } from '../../db/pagination.js';
import type { PoliciesTable } from '../../db/schema.js';
import { type Executor, transaction, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { toValidationIssues } from '../../errors/validation-issues.js';
import { newId } from '../../lib/random.js';
import { type Metadata, parseMetadata } from '../metadata.js';
import {
  type CatalogDeps,
  featureCodesOf,
  findReferencedProduct,
  resolveProductId,
} from '../products/service.js';
import { softDelete } from '../soft-delete.js';
import { assertProductAllowed, canSeeProduct, visibleProducts } from '../visibility.js';
import {
  type CreatePolicy,
  checkPolicyRules,
  type Policy,
  type PolicyRules,
  policyDefaults,
  policyRulesSchema,
  type UpdatePolicy,
} from './schemas.js';
import {
  findLivePolicyByCode,
  findPoliciesByIds,
  findPolicy,
  insertPolicy,
  listPolicies,
  updatePolicyRow,
} from './store.js';

const bool = (value: number) => value === 1;

export const toPolicy = (row: PoliciesTable): Policy => ({
  id: row.id,
  productId: row.product_id,
  code: row.code,
  name: row.name,
  durationSeconds: row.duration_seconds,
  floating: bool(row.floating),
  maxMachines: row.max_machines,
  maxUsers: row.max_users,
  maxActivationsPerUser: row.max_activations_per_user,
  maxTransfers: row.max_transfers,
  maxDeactivations: row.max_deactivations
    ? (JSON.parse(row.max_deactivations) as Policy['maxDeactivations'])
    : null,
  expirationBasis: row.expiration_basis as Policy['expirationBasis'],
  expirationStrategy: row.expiration_strategy as Policy['expirationStrategy'],
  allowVm: bool(row.allow_vm),
  allowOffline: bool(row.allow_offline),
  allowBorrow: bool(row.allow_borrow),
  maxBorrowSeconds: row.max_borrow_seconds,
  leaseSeconds: row.lease_seconds,
  heartbeatSeconds: row.heartbeat_seconds,
  consumption: row.consumption ? (JSON.parse(row.consumption) as Policy['consumption']) : null,
  features: JSON.parse(row.features) as Policy['features'],
  licenseFileTtlSeconds: row.license_file_ttl_seconds,
  requireDeviceKey: bool(row.require_device_key),
  metadata: parseMetadata(row.metadata),
  allowPasswordChange: bool(row.allow_password_change),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const toColumns = (rules: PolicyRules) => ({
  name: rules.name,
  duration_seconds: rules.durationSeconds,
  floating: rules.floating ? 1 : 0,
  max_machines: rules.maxMachines,
  max_users: rules.maxUsers,
  max_activations_per_user: rules.maxActivationsPerUser,
  max_transfers: rules.maxTransfers,
  max_deactivations: rules.maxDeactivations ? JSON.stringify(rules.maxDeactivations) : null,
  expiration_basis: rules.expirationBasis,
  expiration_strategy: rules.expirationStrategy,
  allow_vm: rules.allowVm ? 1 : 0,
  allow_offline: rules.allowOffline ? 1 : 0,
  allow_borrow: rules.allowBorrow ? 1 : 0,
  max_borrow_seconds: rules.maxBorrowSeconds,
  lease_seconds: rules.leaseSeconds,
  heartbeat_seconds: rules.heartbeatSeconds,
  consumption: rules.consumption ? JSON.stringify(rules.consumption) : null,
  features: JSON.stringify(rules.features),
  license_file_ttl_seconds: rules.licenseFileTtlSeconds,
  require_device_key: rules.requireDeviceKey ? 1 : 0,
  metadata: JSON.stringify(rules.metadata),
  allow_password_change: rules.allowPasswordChange ? 1 : 0,
});

const codeTaken = (code: string) =>
  new AppError('ALREADY_EXISTS', `The product already has a policy with code ${code}`, { field: 'code' });

/** Every feature a policy names must be a feature of its product. */
const checkFeatureCodes = async (db: Executor, productId: string, features: PolicyRules['features']) => {
  if (features.length === 0) return;
  const known = await featureCodesOf(db, productId);
  const issues = features
    .map((feature, index) => ({ feature, index }))
    .filter(({ feature }) => !known.has(feature.code))
    .map(({ feature, index }) => ({
      path: ['features', index, 'code'],
      message: `the product has no feature ${feature.code}`,
      code: 'custom',
    }));
  if (issues.length > 0)
    throw new AppError('VALIDATION_ERROR', 'The policy names features its product does not have', { issues });
};

export const getPolicyRowOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<PoliciesTable> => {
  const row = await findPolicy(db, id);
  if (!row || !canSeeProduct(principal, row.product_id)) throw new AppError('NOT_FOUND', `No policy ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `Policy ${id} was deleted`);
  return row;
};

// A request names a policy by its id (pol_…) or by its code. Codes are unique within a product only: a code names
// the one live policy with it among the products in scope (the product named beside it, else every product the
// caller may see), and a code several of them use is refused as ambiguous rather than guessed.
const isPolicyId = (reference: string) => reference.startsWith('pol_');

/** Live policies with this code, of one product or of `productIds` (undefined: all); two tell one from several. */
const livePoliciesWithCode = (
  db: Executor,
  code: string,
  scope: { productId?: string | undefined; productIds?: readonly string[] | undefined },
) => listPolicies(db, { code, productId: scope.productId, productIds: scope.productIds, limit: 2 });

const ambiguousCode = (code: string, location: 'query' | 'body') =>
  new AppError(
    'VALIDATION_ERROR',
    `Policy code ${code} is used by several products: name the product as well, or the policy by id`,
    {
      location,
      issues: [{ path: ['policyId'], message: 'a policy code of several products', code: 'custom' }],
    },
  );

/**
 * A live policy referenced in a body, by id or code (a code within `productId` when the body names the product):
 * UNKNOWN_POLICY when missing, PRODUCT_NOT_ALLOWED for a restricted caller, VALIDATION_ERROR for a code of several
 * products.
 */
export const getReferencedPolicyOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  reference: string,
  productId?: string,
): Promise<PoliciesTable> => {
  const unknown = () => new AppError('UNKNOWN_POLICY', `No policy ${reference}`, { policyId: reference });
  if (isPolicyId(reference)) {
    const row = await findPolicy(db, reference);
    if (!row || row.deleted_at !== null) throw unknown();
    assertProductAllowed(principal, row.product_id);
    return row;
  }
  const visible = await livePoliciesWithCode(db, reference, {
    productId,
    productIds: visibleProducts(principal),
  });
  const [row] = visible;
  if (visible.length > 1) throw ambiguousCode(reference, 'body');
  if (row) return row;
  // Only another product has it: refused as naming another product by id is.
  const [elsewhere] = principal?.productIds ? await livePoliciesWithCode(db, reference, { productId }) : [];
  if (elsewhere) assertProductAllowed(principal, elsewhere.product_id);
  throw unknown();
};

/**
 * The id of the policy a filter names (`?policyId=` of the license list, the CLI's --policy): its id, or its code
 * (within `productId` when the filter names the product too). As for products (resolveProductId): 404 NOT_FOUND
 * when none exists or the caller may not see it, never an empty list; 410 GONE for a deleted one named by id.
 */
export const resolvePolicyId = async (
  db: Executor,
  principal: Principal | undefined,
  reference: string,
  productId?: string,
): Promise<string> => {
  if (isPolicyId(reference)) return (await getPolicyRowOrThrow(db, principal, reference)).id;
  const rows = await livePoliciesWithCode(db, reference, {
    productId,
    productIds: visibleProducts(principal),
  });
  const [row] = rows;
  if (!row) throw new AppError('NOT_FOUND', `No policy ${reference}`, { policyId: reference });
  if (rows.length > 1) throw ambiguousCode(reference, 'query');
  return row.id;
};

/** Policies by id, deleted ones included (licenses keep following the policy they were issued under). */
export const policyRowsByIds = async (
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, PoliciesTable>> => {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await findPoliciesByIds(db, unique);
  return new Map(rows.map((row) => [row.id, row]));
};

export const createPolicy = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  input: CreatePolicy,
): Promise<Policy> => {
  const now = clock.nowMs();
  return await transactionUnique(
    db,
    () => codeTaken(input.code),
    async (tx) => {
      const product = await findReferencedProduct(tx, input.productId);
      if (!product)
        throw new AppError('UNKNOWN_PRODUCT', `No product ${input.productId}`, {
          productId: input.productId,
        });
      assertProductAllowed(caller.principal, product.id);
      await checkFeatureCodes(tx, product.id, input.features);
      if (await findLivePolicyByCode(tx, product.id, input.code)) throw codeTaken(input.code);
      const row: PoliciesTable = {
        id: newId('pol', now),
        product_id: product.id,
        code: input.code,
        ...toColumns(input),
        created_at: now,
        updated_at: now,
        deleted_at: null,
      };
      await insertPolicy(tx, row);
      await recordAudit(tx, clock, caller.audit, {
        action: 'policy.create',
        target: { type: 'policy', id: row.id },
        changes: { productId: [null, product.id], code: [null, row.code], name: [null, row.name] },
      });
      return toPolicy(row);
    },
  );
};

export const getPolicy = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<Policy> => toPolicy(await getPolicyRowOrThrow(db, principal, id));

export const policyPage = async (
  db: Executor,
  principal: Principal | undefined,
  query: {
    limit: number;
    cursor?: string | undefined;
    productId?: string | undefined;
    code?: string | undefined;
    floating?: 'true' | 'false' | undefined;
  },
) => {
  const productId =
    query.productId === undefined ? undefined : await resolveProductId(db, principal, query.productId);
  return readPage(
    query,
    (window) =>
      listPolicies(db, {
        after: window.after,
        productId,
        productIds: visibleProducts(principal),
        code: query.code,
        floating: query.floating === undefined ? undefined : query.floating === 'true',
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toPolicy(row)),
  );
};

export const updatePolicy = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
  patch: UpdatePolicy,
): Promise<Policy> =>
  transaction(db, async (tx) => {
    const row = await getPolicyRowOrThrow(tx, caller.principal, id);
    const before = toPolicy(row);
    const merged = policyRulesSchema.superRefine(checkPolicyRules).safeParse({ ...before, ...patch });
    if (!merged.success) {
      throw new AppError('VALIDATION_ERROR', 'The policy would break its own rules', {
        location: 'body',
        issues: toValidationIssues(merged.error),
      });
    }
    await checkFeatureCodes(tx, row.product_id, merged.data.features);
    const updated: PoliciesTable = { ...row, ...toColumns(merged.data), updated_at: clock.nowMs() };
    await updatePolicyRow(tx, id, updated);
    const after = toPolicy(updated);
    const {
      id: _id,
      productId: _product,
      code: _code,
      createdAt: _created,
      updatedAt: _updated,
      ...rules
    } = after;
    await recordAudit(tx, clock, caller.audit, {
      action: 'policy.update',
      target: { type: 'policy', id },
      changes: diff(before, rules as Partial<Policy> & { metadata: Metadata }),
    });
    return after;
  });

export const deletePolicy = (deps: CatalogDeps, caller: Caller, id: string): Promise<void> =>
  softDelete(
    deps,
    caller,
    { type: 'policy', id },
    {
      load: (tx) => getPolicyRowOrThrow(tx, caller.principal, id),
      mark: (tx, patch) => updatePolicyRow(tx, id, patch),
    },
  );

/** The code of the built-in trial policy each product gets on its first trial. */
export const trialPolicyCode = 'charter-trial';

/** The product's built-in trial policy (one machine), made on first use inside the caller's transaction. */
export const ensureTrialPolicy = async (
  tx: Executor,
  productId: string,
  days: number,
  nowMs: number,
): Promise<PoliciesTable> => {
  const existing = await findLivePolicyByCode(tx, productId, trialPolicyCode);
  if (existing) return existing;
  const row: PoliciesTable = {
    id: newId('pol', nowMs),
    product_id: productId,
    code: trialPolicyCode,
    ...toColumns({
      ...policyDefaults,
      name: 'Trial',
      durationSeconds: days * 86_400,
      maxMachines: 1,
    }),
    created_at: nowMs,
    updated_at: nowMs,
    deleted_at: null,
  };
  await insertPolicy(tx, row);
  return row;
};

/** A live policy of a product by its id or code (an order's items name policies so), or undefined. */
export const findPolicyOfProduct = async (
  db: Executor,
  productId: string,
  reference: string,
): Promise<PoliciesTable | undefined> => {
  if (!isPolicyId(reference)) return findLivePolicyByCode(db, productId, reference);
  const row = await findPolicy(db, reference);
  return row && row.deleted_at === null && row.product_id === productId ? row : undefined;
};
