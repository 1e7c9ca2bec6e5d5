// API keys: creation (secret shown once, stored as a SHA-256 hash), revocation, and turning a presented
// key into a principal. A key never gets a scope or a product its creator lacks.

import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { ApiKeysTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import { newSecret, sha256Hex } from '../../lib/secrets.js';
import { type AuditContext, recordAudit } from '../audit/service.js';
import { assertGrantable, assertWithin, type ProductReferences } from '../grants.js';
import type { Principal } from '../principal.js';
import type { Scope } from '../scopes.js';
import { type ApiKey, apiKeyPattern, apiKeyPrefix, type CreateApiKey } from './schemas.js';
import {
  findApiKey,
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  setLastUsed,
} from './store.js';

export const toApiKey = (row: ApiKeysTable): ApiKey => ({
  id: row.id,
  name: row.name,
  keyPrefix: row.key_prefix,
  scopes: JSON.parse(row.scopes) as Scope[],
  productIds: row.product_ids ? (JSON.parse(row.product_ids) as string[]) : null,
  readOnly: row.read_only === 1,
  requireSignature: row.require_signature === 1,
  rateLimit: row.rate_limit,
  quota: row.quota ? (JSON.parse(row.quota) as ApiKey['quota']) : null,
  expiresAt: isoOrNull(row.expires_at),
  revokedAt: isoOrNull(row.revoked_at),
  lastUsedAt: isoOrNull(row.last_used_at),
  createdBy: { type: row.created_by_type, id: row.created_by_id },
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export interface AccessDeps {
  db: Database;
  clock: Clock;
  /** Seals request-signing secrets at rest. */
  sealer: Sealer;
  /** Resolves the products a key is restricted to. */
  productIdsOf: ProductReferences;
}

export const createApiKey = async (
  { db, clock, sealer, productIdsOf }: AccessDeps,
  context: AuditContext,
  creator: Principal | undefined,
  request: CreateApiKey,
): Promise<{ apiKey: ApiKey; secret: string; signingSecret?: string }> => {
  const input = request.productIds
    ? { ...request, productIds: await productIdsOf(db.kysely, request.productIds) }
    : request;
  assertGrantable(creator, input, 'key');
  const now = clock.nowMs();
  const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : null;
  if (expiresAt !== null && expiresAt <= now) {
    throw new AppError('VALIDATION_ERROR', 'expiresAt must be in the future', {
      issues: [{ path: ['expiresAt'], message: 'must be in the future', code: 'too_small' }],
    });
  }
  const secret = newSecret(apiKeyPrefix);
  const signingSecret = input.requireSignature ? newSecret('cks_') : undefined;
  const row: ApiKeysTable = {
    id: newId('key', now),
    name: input.name,
    key_hash: sha256Hex(secret),
    key_prefix: secret.slice(0, 8),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    product_ids: input.productIds ? JSON.stringify(input.productIds) : null,
    read_only: input.readOnly ? 1 : 0,
    require_signature: signingSecret ? 1 : 0,
    signing_secret: signingSecret ? sealer.seal(signingSecret) : null,
    rate_limit: input.rateLimit ?? null,
    quota: input.quota ? JSON.stringify(input.quota) : null,
    expires_at: expiresAt,
    revoked_at: null,
    last_used_at: null,
    created_by_type: context.actor.type,
    created_by_id: context.actor.id,
    created_at: now,
    updated_at: now,
  };
  await transaction(db, async (tx) => {
    await insertApiKey(tx, row);
    await recordAudit(tx, clock, context, {
      action: 'api_key.create',
      target: { type: 'api_key', id: row.id },
      changes: {
        name: [null, row.name],
        scopes: [null, JSON.parse(row.scopes)],
        readOnly: [null, input.readOnly ?? false],
      },
    });
  });
  return { apiKey: toApiKey(row), secret, ...(signingSecret ? { signingSecret } : {}) };
};

export const getApiKeyOrThrow = async (db: Executor, id: string): Promise<ApiKey> => {
  const row = await findApiKey(db, id);
  if (!row) throw new AppError('NOT_FOUND', `No API key ${id}`);
  return toApiKey(row);
};

export const apiKeyPage = async (
  db: Executor,
  query: { limit: number; cursor?: string | undefined; revoked?: boolean | undefined },
) => {
  return readPage(
    query,
    (window) => listApiKeys(db, { after: window.after, revoked: query.revoked, limit: window.limit }),
    (rows) => rows.map((row) => toApiKey(row)),
  );
};

/**
 * Revokes a key; revoking a revoked key changes nothing and still succeeds. A credential revokes only keys within
 * its own power: a `keys:write` key cannot revoke an `admin` key.
 */
export const revokeApiKeyById = async (
  { db, clock }: AccessDeps,
  context: AuditContext,
  revoker: Principal | undefined,
  id: string,
): Promise<void> => {
  await transaction(db, async (tx) => {
    const row = await findApiKey(tx, id);
    if (!row) throw new AppError('NOT_FOUND', `No API key ${id}`);
    const key = toApiKey(row);
    assertWithin(revoker, key, 'key', 'revoked');
    if (await revokeApiKey(tx, id, clock.nowMs())) {
      await recordAudit(tx, clock, context, { action: 'api_key.revoke', target: { type: 'api_key', id } });
    }
  });
};

/**
 * The principal behind a presented key. Malformed keys are refused without a database read; the lookup is by
 * hash, so its timing does not depend on how much of a key is right. Revocation wins over expiry.
 */
export const authenticateApiKey = async (
  { db, clock, sealer }: Pick<AccessDeps, 'db' | 'clock' | 'sealer'>,
  presented: string,
): Promise<Principal> => {
  if (!apiKeyPattern.test(presented)) throw new AppError('AUTH_INVALID', 'The API key is malformed');
  const row = await findApiKeyByHash(db.kysely, sha256Hex(presented));
  if (!row) throw new AppError('AUTH_INVALID', 'The API key is not known');
  if (row.revoked_at !== null) throw new AppError('AUTH_REVOKED', `API key ${row.id} was revoked`);
  if (row.expires_at !== null && row.expires_at <= clock.nowMs()) {
    throw new AppError(
      'AUTH_EXPIRED',
      `API key ${row.id} expired at ${new Date(row.expires_at).toISOString()}`,
    );
  }
  return {
    type: 'api_key',
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as Scope[],
    productIds: row.product_ids ? (JSON.parse(row.product_ids) as string[]) : null,
    readOnly: row.read_only === 1,
    rateLimit: row.rate_limit,
    quota: row.quota ? (JSON.parse(row.quota) as Principal['quota']) : null,
    ...(row.require_signature === 1 && row.signing_secret
      ? { signingSecret: sealer.open(row.signing_secret) }
      : {}),
  };
};

/**
 * lastUsedAt without a write per request: uses are remembered in memory and written in one pass every
 * `intervalMs` and at shutdown.
 */
export const createLastUsedTracker = (db: Database, intervalMs = 10_000) => {
  const pending = new Map<string, number>();
  const flush = async () => {
    const batch = [...pending];
    pending.clear();
    for (const [id, at] of batch) await setLastUsed(db.kysely, id, at);
  };
  const timer = setInterval(() => {
    background('api key last use', flush).catch(() => {});
  }, intervalMs);
  timer.unref();
  return {
    touch: (id: string, at: number) => pending.set(id, at),
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
};

export type LastUsedTracker = ReturnType<typeof createLastUsedTracker>;
