// The device blocklist: fingerprints refused at activation and validation (DEVICE_BLOCKED).
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import { readPage } from '../../db/pagination.js';
import type { BlocklistTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import { type CatalogDeps, findReferencedProduct, resolveProductId } from '../products/service.js';
import { assertProductAllowed, canSeeProduct, visibleProducts } from '../visibility.js';
import { deleteBlock, findBlock, isBlocked as findBlocked, insertBlock, listBlocks } from './store.js';

export interface Block {
  id: string;
  fingerprint: string;
  productId: string | null;
  reason: string | null;
  createdAt: string;
}

const toBlock = (row: BlocklistTable): Block => ({
  id: row.id,
  fingerprint: row.fingerprint,
  productId: row.product_id,
  reason: row.reason,
  createdAt: new Date(row.created_at).toISOString(),
});

type BlockInput = {
  fingerprint: string;
  productId?: string | null | undefined;
  reason?: string | null | undefined;
};

export const createBlock = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  input: BlockInput,
): Promise<Block> => transaction(db, (tx) => createBlockIn({ clock }, tx, caller, input));

/** createBlock inside the caller's transaction (an approved action). */
export const createBlockIn = async (
  { clock }: Pick<CatalogDeps, 'clock'>,
  tx: Executor,
  caller: Caller,
  input: BlockInput,
): Promise<Block> => {
  let productId: string | null = null;
  if (input.productId) {
    const product = await findReferencedProduct(tx, input.productId);
    if (!product)
      throw new AppError('UNKNOWN_PRODUCT', `No product ${input.productId}`, {
        productId: input.productId,
      });
    assertProductAllowed(caller.principal, product.id);
    productId = product.id;
  } else if (caller.principal?.productIds) {
    throw new AppError(
      'PRODUCT_NOT_ALLOWED',
      'A product-restricted credential can only block devices for its products',
    );
  }
  const now = clock.nowMs();
  const row: BlocklistTable = {
    id: newId('blk', now),
    fingerprint: input.fingerprint,
    product_id: productId,
    reason: input.reason ?? null,
    created_at: now,
  };
  await insertBlock(tx, row);
  await recordAudit(tx, clock, caller.audit, {
    action: 'blocklist.create',
    target: { type: 'blocklist', id: row.id },
    changes: { fingerprint: [null, row.fingerprint], productId: [null, row.product_id] },
  });
  return toBlock(row);
};

const visibleBlockOrThrow = async (db: Executor, caller: Caller, id: string) => {
  const row = await findBlock(db, id);
  if (
    !row ||
    (row.product_id ? !canSeeProduct(caller.principal, row.product_id) : caller.principal?.productIds)
  ) {
    throw new AppError('NOT_FOUND', `No blocklist entry ${id}`);
  }
  return row;
};

export const getBlock = async (db: Executor, caller: Caller, id: string): Promise<Block> =>
  toBlock(await visibleBlockOrThrow(db, caller, id));

export const blockPage = async (
  db: Executor,
  caller: Caller,
  query: {
    limit: number;
    cursor?: string | undefined;
    fingerprint?: string | undefined;
    productId?: string | undefined;
  },
) => {
  const productId =
    query.productId === undefined ? undefined : await resolveProductId(db, caller.principal, query.productId);
  // Visibility is part of the query: filtering a fetched page would cut it short and could lose the next one.
  return readPage(
    query,
    (window) =>
      listBlocks(db, {
        after: window.after,
        fingerprint: query.fingerprint,
        productId,
        productIds: visibleProducts(caller.principal),
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toBlock(row)),
  );
};

export const removeBlock = async ({ db, clock }: CatalogDeps, caller: Caller, id: string): Promise<void> => {
  await transaction(db, async (tx) => {
    await visibleBlockOrThrow(tx, caller, id);
    await deleteBlock(tx, id);
    await recordAudit(tx, clock, caller.audit, {
      action: 'blocklist.delete',
      target: { type: 'blocklist', id },
    });
  });
};

/** Whether a device is blocked for a product (by an entry of that product, or a server-wide one). */
export const isBlocked = (db: Executor, fingerprint: string, productId: string): Promise<boolean> =>
  findBlocked(db, fingerprint, productId);
