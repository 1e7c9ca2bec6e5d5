// Products and their features: what a vendor sells. Deleting a product is soft: lists drop it, reads answer
// 410 GONE, and its code becomes free for a new product.
//
// Bundles (licensing.md "Bundles"): a product of kind `bundle` (chosen at creation, never changed) lists member
// products, and a license of the bundle covers each member too (the Client API's productCode check, client/
// checks.ts). Members are standard products only (no bundle in a bundle: VALIDATION_ERROR), at most 100, set as
// a whole list with PUT …/members; a member may belong to several bundles. Deleting a member removes it from every
// bundle in the same transaction. The members routes on a standard product answer 422 PRODUCT_NOT_BUNDLE. A
// product-restricted credential reaches a bundle only when it names it (404 otherwise, as for any product), sees
// only the members it may see, names others as if they did not exist (422 UNKNOWN_PRODUCT), and its PUT keeps
// the members it cannot see.

import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Principal } from '../../access/principal.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { FeaturesTable, ProductsTable } from '../../db/schema.js';
import { type Executor, transaction, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { parseMetadata } from '../metadata.js';
import { softDelete } from '../soft-delete.js';
import { canSeeProduct, visibleProducts } from '../visibility.js';
import {
  type CreateFeature,
  type CreateProduct,
  defaultTrial,
  type Feature,
  type Product,
  type ProductKind,
  type ProductMembers,
  type SetMembers,
  type UpdateFeature,
  type UpdateProduct,
} from './schemas.js';
import {
  deleteFeatureRow,
  deleteMembers,
  deleteMembershipsOf,
  findFeature,
  findFeatureByCode,
  findLiveProductByCode,
  findProduct,
  insertFeature,
  insertMembers,
  insertProduct,
  listFeatures,
  listMembers,
  listProducts,
  lockProduct,
  updateFeatureRow,
  updateProductRow,
} from './store.js';

export interface CatalogDeps {
  db: Database;
  clock: Clock;
}

export const toProduct = (row: ProductsTable): Product => ({
  id: row.id,
  code: row.code,
  name: row.name,
  status: row.status as Product['status'],
  kind: row.kind as ProductKind,
  licenseModel: row.license_model as Product['licenseModel'],
  trial: JSON.parse(row.trial) as Product['trial'],
  metadata: parseMetadata(row.metadata),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export const toFeature = (row: FeaturesTable): Feature => ({
  id: row.id,
  productId: row.product_id,
  code: row.code,
  name: row.name,
  kind: row.kind as Feature['kind'],
  seats: row.seats,
  maxConsumption: row.max_consumption,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const codeTaken = (code: string) =>
  new AppError('ALREADY_EXISTS', `A product with code ${code} exists`, { field: 'code' });

/** The product row the caller may see: 404 when missing or of another product, 410 when deleted. */
export const getProductRowOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<ProductsTable> => {
  const row = await findProduct(db, id);
  if (!row || !canSeeProduct(principal, row.id)) throw new AppError('NOT_FOUND', `No product ${id}`);
  if (row.deleted_at !== null) throw new AppError('GONE', `Product ${id} was deleted`);
  return row;
};

/** A live product by code or id, for references in request bodies (UNKNOWN_PRODUCT when none). */
export const findReferencedProduct = async (
  db: Executor,
  reference: string,
): Promise<ProductsTable | undefined> => {
  const byId = reference.startsWith('prod_') ? await findProduct(db, reference) : undefined;
  if (byId && byId.deleted_at === null) return byId;
  return findLiveProductByCode(db, reference);
};

/**
 * The ids of the products a grant names (an API key's or an OAuth client's `productIds`), each by id or code, in
 * order and without repeats. A name that is no live product answers 422 UNKNOWN_PRODUCT: a key restricted to a
 * typo would otherwise reach nothing, silently.
 */
export const referencedProductIds = async (
  db: Executor,
  references: readonly string[],
): Promise<string[]> => {
  const ids: string[] = [];
  for (const reference of references) {
    const product = await findReferencedProduct(db, reference);
    if (!product) throw new AppError('UNKNOWN_PRODUCT', `No product ${reference}`, { productId: reference });
    if (!ids.includes(product.id)) ids.push(product.id);
  }
  return ids;
};

/**
 * The id of the product a filter names (`?productId=` of every list and of the usage report, the CLI's
 * --product): its id or its code. The rule for every filter: naming a product that does not exist answers 404
 * NOT_FOUND, never an empty list that would hide a typo; a product the caller may not see answers the same 404,
 * so a code tells a restricted credential nothing about other products; a deleted product named by id answers
 * 410 GONE, as reading it does (a deleted product's code is free again, so a code names a live product only).
 * Bodies name products through findReferencedProduct instead (422 UNKNOWN_PRODUCT, 403 PRODUCT_NOT_ALLOWED).
 */
export const resolveProductId = async (
  db: Executor,
  principal: Principal | undefined,
  reference: string,
): Promise<string> => {
  const row = reference.startsWith('prod_')
    ? await findProduct(db, reference)
    : await findLiveProductByCode(db, reference);
  if (!row || !canSeeProduct(principal, row.id))
    throw new AppError('NOT_FOUND', `No product ${reference}`, { productId: reference });
  if (row.deleted_at !== null) throw new AppError('GONE', `Product ${reference} was deleted`);
  return row.id;
};

export const createProduct = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  input: CreateProduct,
): Promise<Product> => {
  if (caller.principal?.productIds) {
    throw new AppError('PRODUCT_NOT_ALLOWED', 'A product-restricted credential cannot create products');
  }
  const now = clock.nowMs();
  const row: ProductsTable = {
    id: newId('prod', now),
    code: input.code,
    name: input.name,
    status: input.status ?? 'active',
    license_model: input.licenseModel ?? 'key',
    trial: JSON.stringify(input.trial ?? defaultTrial),
    metadata: JSON.stringify(input.metadata ?? {}),
    kind: input.kind ?? 'standard',
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  await transactionUnique(
    db,
    () => codeTaken(input.code),
    async (tx) => {
      if (await findLiveProductByCode(tx, input.code)) throw codeTaken(input.code);
      await insertProduct(tx, row);
      await recordAudit(tx, clock, caller.audit, {
        action: 'product.create',
        target: { type: 'product', id: row.id },
        changes: {
          code: [null, row.code],
          name: [null, row.name],
          status: [null, row.status],
          kind: [null, row.kind],
        },
      });
    },
  );
  return toProduct(row);
};

export const getProduct = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<Product> => toProduct(await getProductRowOrThrow(db, principal, id));

export const productPage = async (
  db: Executor,
  principal: Principal | undefined,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
    code?: string | undefined;
  },
) => {
  return readPage(
    query,
    (window) =>
      listProducts(db, {
        after: window.after,
        status: query.status,
        kind: query.kind,
        code: query.code,
        ids: visibleProducts(principal),
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toProduct(row)),
  );
};

export const updateProduct = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
  patch: UpdateProduct,
): Promise<Product> =>
  transaction(db, async (tx) => {
    const row = await getProductRowOrThrow(tx, caller.principal, id);
    const before = toProduct(row);
    const updated: ProductsTable = {
      ...row,
      name: patch.name ?? row.name,
      status: patch.status ?? row.status,
      license_model: patch.licenseModel ?? row.license_model,
      trial: patch.trial ? JSON.stringify(patch.trial) : row.trial,
      metadata: patch.metadata ? JSON.stringify(patch.metadata) : row.metadata,
      updated_at: clock.nowMs(),
    };
    await updateProductRow(tx, id, updated);
    const after = toProduct(updated);
    await recordAudit(tx, clock, caller.audit, {
      action: 'product.update',
      target: { type: 'product', id },
      changes: diff(before, {
        name: after.name,
        status: after.status,
        licenseModel: after.licenseModel,
        trial: after.trial,
        metadata: after.metadata,
      }),
    });
    return after;
  });

/** Soft delete; a member product leaves every bundle it was in, in the same transaction. */
export const deleteProduct = (deps: CatalogDeps, caller: Caller, id: string): Promise<void> =>
  softDelete(
    deps,
    caller,
    { type: 'product', id },
    {
      load: (tx) => getProductRowOrThrow(tx, caller.principal, id),
      mark: async (tx, patch) => {
        await updateProductRow(tx, id, patch);
        await deleteMembershipsOf(tx, id);
      },
    },
  );

/** A bundle the caller may see, as getProductRowOrThrow; 422 PRODUCT_NOT_BUNDLE when it is a standard product. */
const bundleRowOrThrow = (row: ProductsTable): ProductsTable => {
  if (row.kind !== 'bundle')
    throw new AppError(
      'PRODUCT_NOT_BUNDLE',
      `Product ${row.code} is a ${row.kind} product, not a bundle: it has no members`,
      { productId: row.id },
    );
  return row;
};

const visibleMembers = (principal: Principal | undefined, rows: readonly ProductsTable[]) =>
  rows.filter((row) => canSeeProduct(principal, row.id)).map((row) => toProduct(row));

/**
 * What a license of this product covers besides it (the Client API's and license files' view, outside the hot
 * path's own read): a bundle's live members, by id; null for a standard product.
 */
export const bundleMembersOf = async (
  db: Executor,
  product: Pick<ProductsTable, 'id' | 'kind'>,
): Promise<{ id: string; code: string; status: string }[] | null> =>
  product.kind === 'bundle'
    ? (await listMembers(db, product.id)).map((row) => ({ id: row.id, code: row.code, status: row.status }))
    : null;

/** GET /v1/products/{id}/members: the bundle's members the caller may see, by id. */
export const productMembers = async (
  db: Executor,
  principal: Principal | undefined,
  id: string,
): Promise<ProductMembers> => {
  const bundle = bundleRowOrThrow(await getProductRowOrThrow(db, principal, id));
  return { data: visibleMembers(principal, await listMembers(db, bundle.id)) };
};

const memberIssue = (index: number, message: string) =>
  new AppError('VALIDATION_ERROR', `productIds[${index}]: ${message}`, {
    issues: [{ path: ['productIds', index], message, code: 'custom' }],
  });

/**
 * PUT /v1/products/{id}/members: the bundle's members become the products named (by id or code), each a live
 * standard product the caller may see; one the caller may not see answers as one that does not exist (422
 * UNKNOWN_PRODUCT), and members the caller may not see stay. Audited as `product.members`.
 */
export const setProductMembers = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
  input: SetMembers,
): Promise<ProductMembers> =>
  transaction(db, async (tx) => {
    const { principal } = caller;
    const seen = await getProductRowOrThrow(tx, principal, id);
    // Locked on PostgreSQL: two changes of one bundle's members run one after the other.
    const bundle = bundleRowOrThrow((await lockProduct(tx, seen.id, db.dialect)) ?? seen);
    const wanted = new Map<string, ProductsTable>();
    for (const [index, reference] of input.productIds.entries()) {
      const product = await findReferencedProduct(tx, reference);
      if (!product || !canSeeProduct(principal, product.id))
        throw new AppError('UNKNOWN_PRODUCT', `No product ${reference}`, { productId: reference });
      if (product.id === bundle.id) throw memberIssue(index, 'a bundle cannot contain itself');
      if (product.kind !== 'standard')
        throw memberIssue(index, `${product.code} is a bundle: members must be standard products`);
      wanted.set(product.id, product);
    }
    const current = await listMembers(tx, bundle.id);
    const kept = current.filter((row) => !canSeeProduct(principal, row.id));
    for (const row of kept) wanted.set(row.id, row);
    const removed = current.filter((row) => !wanted.has(row.id)).map((row) => row.id);
    const currentIds = new Set(current.map((row) => row.id));
    const now = clock.nowMs();
    const added = [...wanted.keys()].filter((memberId) => !currentIds.has(memberId));
    await deleteMembers(tx, bundle.id, removed);
    await insertMembers(
      tx,
      added.map((memberId) => ({ bundle_id: bundle.id, member_id: memberId, created_at: now })),
    );
    const members = [...wanted.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (added.length > 0 || removed.length > 0) {
      const codes = (rows: readonly ProductsTable[]) => rows.map((row) => row.code).sort();
      await recordAudit(tx, clock, caller.audit, {
        action: 'product.members',
        target: { type: 'product', id: bundle.id },
        changes: { members: [codes(current), codes(members)] },
      });
    }
    return { data: visibleMembers(principal, members) };
  });

/** A product's feature by its code (the Client API names features by code). */
export const productFeatureByCode = (db: Executor, productId: string, code: string) =>
  findFeatureByCode(db, productId, code);

/** The codes of a product's features. */
export const featureCodesOf = async (db: Executor, productId: string): Promise<Set<string>> =>
  new Set((await listFeatures(db, { productId, limit: 10_000 })).map((feature) => feature.code));

const featureTaken = (code: string) =>
  new AppError('ALREADY_EXISTS', `The product already has a feature with code ${code}`, { field: 'code' });

export const createFeature = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  productId: string,
  input: CreateFeature,
): Promise<Feature> => {
  const now = clock.nowMs();
  const row: FeaturesTable = {
    id: newId('feat', now),
    product_id: productId,
    code: input.code,
    name: input.name,
    kind: input.kind,
    seats: input.seats ?? null,
    max_consumption: input.maxConsumption ?? null,
    created_at: now,
    updated_at: now,
  };
  await transactionUnique(
    db,
    () => featureTaken(input.code),
    async (tx) => {
      await getProductRowOrThrow(tx, caller.principal, productId);
      await insertFeature(tx, row);
      await recordAudit(tx, clock, caller.audit, {
        action: 'feature.create',
        target: { type: 'feature', id: row.id },
        changes: { productId: [null, productId], code: [null, row.code], kind: [null, row.kind] },
      });
    },
  );
  return toFeature(row);
};

const getFeatureRowOrThrow = async (
  db: Executor,
  principal: Principal | undefined,
  productId: string,
  id: string,
) => {
  await getProductRowOrThrow(db, principal, productId);
  const row = await findFeature(db, productId, id);
  if (!row) throw new AppError('NOT_FOUND', `Product ${productId} has no feature ${id}`);
  return row;
};

export const getFeature = async (
  db: Executor,
  principal: Principal | undefined,
  productId: string,
  id: string,
) => toFeature(await getFeatureRowOrThrow(db, principal, productId, id));

export const featurePage = async (
  db: Executor,
  principal: Principal | undefined,
  productId: string,
  query: { limit: number; cursor?: string | undefined; kind?: string | undefined },
) => {
  await getProductRowOrThrow(db, principal, productId);
  return readPage(
    query,
    (window) =>
      listFeatures(db, {
        productId,
        after: window.after,
        kind: query.kind,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toFeature(row)),
  );
};

export const updateFeature = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  productId: string,
  id: string,
  patch: UpdateFeature,
): Promise<Feature> =>
  transaction(db, async (tx) => {
    const row = await getFeatureRowOrThrow(tx, caller.principal, productId, id);
    if (patch.seats && row.kind !== 'floating') {
      throw new AppError('VALIDATION_ERROR', 'Only floating features have seats', {
        issues: [{ path: ['seats'], message: 'only floating features have seats', code: 'custom' }],
      });
    }
    if (patch.maxConsumption && row.kind !== 'consumption') {
      throw new AppError('VALIDATION_ERROR', 'Only consumption features have maxConsumption', {
        issues: [
          {
            path: ['maxConsumption'],
            message: 'only consumption features have maxConsumption',
            code: 'custom',
          },
        ],
      });
    }
    const before = toFeature(row);
    const updated: FeaturesTable = {
      ...row,
      name: patch.name ?? row.name,
      seats: patch.seats === undefined ? row.seats : patch.seats,
      max_consumption: patch.maxConsumption === undefined ? row.max_consumption : patch.maxConsumption,
      updated_at: clock.nowMs(),
    };
    await updateFeatureRow(tx, id, updated);
    const after = toFeature(updated);
    await recordAudit(tx, clock, caller.audit, {
      action: 'feature.update',
      target: { type: 'feature', id },
      changes: diff(before, { name: after.name, seats: after.seats, maxConsumption: after.maxConsumption }),
    });
    return after;
  });

export const deleteFeature = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  productId: string,
  id: string,
) => {
  await transaction(db, async (tx) => {
    await getFeatureRowOrThrow(tx, caller.principal, productId, id);
    await deleteFeatureRow(tx, id);
    await recordAudit(tx, clock, caller.audit, { action: 'feature.delete', target: { type: 'feature', id } });
  });
};
