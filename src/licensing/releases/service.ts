// Releases: the versions of a product, each on a channel with a file per platform. Management CRUD, and what a
// license may install (Client API): its product's releases published by now on the asked channels; under the
// `maintenance` expiration strategy an expired license keeps the releases published before its end, and no later.
import semver from 'semver';
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { ReleasesTable } from '../../db/schema.js';
import { transaction, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { findLicenseOfKey, namedProduct, stateFailure } from '../client/checks.js';
import { effectiveStatus } from '../licenses/state.js';
import { findReferencedProduct, resolveProductId } from '../products/service.js';
import { assertProductAllowed, canSeeProduct, visibleProducts } from '../visibility.js';
import type { CreateRelease, Release, UpdateRelease } from './schemas.js';
import {
  deleteReleaseRow,
  findRelease,
  findReleaseByVersion,
  insertRelease,
  listReleases,
  publishedReleases,
  updateReleaseRow,
} from './store.js';

interface ReleaseDeps {
  db: Database;
  clock: Clock;
}

export const toRelease = (row: ReleasesTable): Release => ({
  id: row.id,
  productId: row.product_id,
  version: row.version,
  channel: row.channel as Release['channel'],
  publishedAt: new Date(row.published_at).toISOString(),
  files: JSON.parse(row.files) as Release['files'],
  notes: row.notes,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const versionTaken = (version: string) =>
  new AppError('ALREADY_EXISTS', `The product already has a release ${version}`, { field: 'version' });

export const createRelease = async ({ db, clock }: ReleaseDeps, caller: Caller, input: CreateRelease) => {
  const now = clock.nowMs();
  return transactionUnique(
    db,
    () => versionTaken(input.version),
    async (tx) => {
      const product = await findReferencedProduct(tx, input.productId);
      if (!product)
        throw new AppError('UNKNOWN_PRODUCT', `No product ${input.productId}`, {
          productId: input.productId,
        });
      assertProductAllowed(caller.principal, product.id);
      if (await findReleaseByVersion(tx, product.id, input.version)) throw versionTaken(input.version);
      const row: ReleasesTable = {
        id: newId('rel', now),
        product_id: product.id,
        version: input.version,
        channel: input.channel,
        published_at: input.publishedAt ? Date.parse(input.publishedAt) : now,
        files: JSON.stringify(input.files),
        notes: input.notes ?? null,
        created_at: now,
        updated_at: now,
      };
      await insertRelease(tx, row);
      await recordAudit(tx, clock, caller.audit, {
        action: 'release.create',
        target: { type: 'release', id: row.id },
        changes: { version: [null, row.version], channel: [null, row.channel] },
      });
      return toRelease(row);
    },
  );
};

const visibleReleaseOrThrow = async (db: Database['kysely'], caller: Caller, id: string) => {
  const row = await findRelease(db, id);
  if (!row || !canSeeProduct(caller.principal, row.product_id))
    throw new AppError('NOT_FOUND', `No release ${id}`);
  return row;
};

export const getRelease = async ({ db }: ReleaseDeps, caller: Caller, id: string) =>
  toRelease(await visibleReleaseOrThrow(db.kysely, caller, id));

export const releasePage = async (
  { db }: ReleaseDeps,
  caller: Caller,
  query: {
    limit: number;
    cursor?: string | undefined;
    productId?: string | undefined;
    channel?: string | undefined;
  },
) => {
  const productId =
    query.productId === undefined
      ? undefined
      : await resolveProductId(db.kysely, caller.principal, query.productId);
  return readPage(
    query,
    (window) =>
      listReleases(db.kysely, {
        after: window.after,
        productIds: visibleProducts(caller.principal),
        productId,
        channel: query.channel,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toRelease(row)),
  );
};

export const updateRelease = async (
  { db, clock }: ReleaseDeps,
  caller: Caller,
  id: string,
  patch: UpdateRelease,
) =>
  transaction(db, async (tx) => {
    const row = await visibleReleaseOrThrow(tx, caller, id);
    const next: ReleasesTable = {
      ...row,
      ...(patch.channel ? { channel: patch.channel } : {}),
      ...(patch.publishedAt ? { published_at: Date.parse(patch.publishedAt) } : {}),
      ...(patch.files ? { files: JSON.stringify(patch.files) } : {}),
      ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
      updated_at: clock.nowMs(),
    };
    await updateReleaseRow(tx, id, next);
    const before = toRelease(row);
    const after = toRelease(next);
    await recordAudit(tx, clock, caller.audit, {
      action: 'release.update',
      target: { type: 'release', id },
      changes: diff(before, {
        channel: after.channel,
        publishedAt: after.publishedAt,
        files: after.files,
        notes: after.notes,
      }),
    });
    return after;
  });

export const deleteRelease = async ({ db, clock }: ReleaseDeps, caller: Caller, id: string) =>
  transaction(db, async (tx) => {
    const row = await visibleReleaseOrThrow(tx, caller, id);
    await deleteReleaseRow(tx, id);
    await recordAudit(tx, clock, caller.audit, {
      action: 'release.delete',
      target: { type: 'release', id },
      changes: { version: [row.version, null] },
    });
  });

/**
 * The releases a license may install, newest version first: its product's, or with `productCode` those of the
 * product named (a bundle's license: one of its members; PRODUCT_MISMATCH for a product it does not cover);
 * ACTIVE_LICENSE_REQUIRED when it may not run.
 */
export const installableReleases = async (
  { db, clock }: ReleaseDeps,
  licenseKey: string,
  channel: 'stable' | 'beta',
  productCode?: string | undefined,
): Promise<Release[]> => {
  const nowMs = clock.nowMs();
  const found = await findLicenseOfKey(db.kysely, licenseKey);
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  const refusal = stateFailure(found, nowMs, { productCode });
  if (refusal?.[0] === 'PRODUCT_MISMATCH') throw new AppError(...refusal);
  const product = namedProduct(found.product, productCode) ?? found.product;
  if (refusal) {
    throw new AppError(
      'ACTIVE_LICENSE_REQUIRED',
      `License ${found.license.id} may not install releases: ${refusal[1]}`,
      {
        reason: refusal[0],
      },
    );
  }
  const { maintenanceExpired } = effectiveStatus(
    found.license.status,
    found.license.expires_at,
    found.policy.expiration_strategy,
    nowMs,
  );
  const publishedBy = maintenanceExpired ? (found.license.expires_at ?? nowMs) : nowMs;
  const rows = await publishedReleases(
    db.kysely,
    product.id,
    channel === 'beta' ? ['stable', 'beta'] : ['stable'],
    publishedBy,
  );
  return rows.sort((a, b) => semver.rcompare(a.version, b.version)).map(toRelease);
};

/** The file of one version (default: the newest installable) for a platform; VERSION_NOT_FOUND when none. */
export const installationFile = async (
  deps: ReleaseDeps,
  input: {
    licenseKey: string;
    platform: string;
    version?: string | undefined;
    channel: 'stable' | 'beta';
    productCode?: string | undefined;
  },
) => {
  const releases = await installableReleases(deps, input.licenseKey, input.channel, input.productCode);
  for (const release of releases) {
    if (input.version !== undefined && release.version !== input.version) continue;
    const file = release.files.find((candidate) => candidate.platform === input.platform);
    if (file) return { version: release.version, url: file.url, sha256: file.sha256, size: file.size };
    if (input.version !== undefined) break;
  }
  throw new AppError(
    'VERSION_NOT_FOUND',
    input.version === undefined
      ? `No release this license may install has a file for ${input.platform}`
      : `Version ${input.version} is not installable for ${input.platform} with this license`,
    { platform: input.platform, ...(input.version === undefined ? {} : { version: input.version }) },
  );
};
