// OAuth 2.0 client credentials (RFC 6749 §4.4): clients with hashed secrets, and short-lived access tokens as
// RFC 9068 JWTs (`at+jwt`, EdDSA with the server's Ed25519 key). A token answers for its client only while the
// client is not revoked, and never for more scopes than the client has now.
import { sign as signBytes, verify as verifyBytes } from 'node:crypto';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { OauthClientsTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId, secureRandomBytes } from '../../lib/random.js';
import { newSecret, safeEqual, sha256Hex } from '../../lib/secrets.js';
import { type AuditContext, recordAudit } from '../audit/service.js';
import { assertGrantable, assertWithin, type ProductReferences } from '../grants.js';
import type { Principal } from '../principal.js';
import { hasScope, type Scope, scopeSchema, scopesBeyond } from '../scopes.js';
import type { KeyRing } from '../signing-keys/service.js';
import { type CreateOauthClient, clientSecretPattern, type OauthClient } from './schemas.js';
import { findOauthClient, insertOauthClient, listOauthClients, revokeOauthClient } from './store.js';

export const tokenIssuer = 'charter';
export const defaultTokenTtlSeconds = 3600;

export interface OauthDeps {
  db: Database;
  clock: Clock;
  keyRing: KeyRing;
  /** Resolves the products a client is restricted to. */
  productIdsOf: ProductReferences;
}

export const toOauthClient = (row: OauthClientsTable): OauthClient => ({
  id: row.id,
  clientId: row.id,
  name: row.name,
  scopes: JSON.parse(row.scopes) as Scope[],
  productIds: row.product_ids ? (JSON.parse(row.product_ids) as string[]) : null,
  tokenTtlSeconds: row.token_ttl_seconds,
  revokedAt: isoOrNull(row.revoked_at),
  createdBy: { type: row.created_by_type, id: row.created_by_id },
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export const createOauthClient = async (
  { db, clock, productIdsOf }: Pick<OauthDeps, 'db' | 'clock' | 'productIdsOf'>,
  context: AuditContext,
  creator: Principal | undefined,
  request: CreateOauthClient,
): Promise<{ client: OauthClient; clientSecret: string }> => {
  const input = request.productIds
    ? { ...request, productIds: await productIdsOf(db.kysely, request.productIds) }
    : request;
  assertGrantable(creator, input, 'client');
  const now = clock.nowMs();
  const clientSecret = newSecret('cs_');
  const row: OauthClientsTable = {
    id: newId('oac', now),
    name: input.name,
    secret_hash: sha256Hex(clientSecret),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    product_ids: input.productIds ? JSON.stringify(input.productIds) : null,
    token_ttl_seconds: input.tokenTtlSeconds ?? defaultTokenTtlSeconds,
    revoked_at: null,
    created_by_type: context.actor.type,
    created_by_id: context.actor.id,
    created_at: now,
    updated_at: now,
  };
  await transaction(db, async (tx) => {
    await insertOauthClient(tx, row);
    await recordAudit(tx, clock, context, {
      action: 'oauth_client.create',
      target: { type: 'oauth_client', id: row.id },
      changes: { name: [null, row.name], scopes: [null, JSON.parse(row.scopes)] },
    });
  });
  return { client: toOauthClient(row), clientSecret };
};

export const getOauthClientOrThrow = async (db: Executor, id: string): Promise<OauthClient> => {
  const row = await findOauthClient(db, id);
  if (!row) throw new AppError('NOT_FOUND', `No OAuth client ${id}`);
  return toOauthClient(row);
};

export const oauthClientPage = async (
  db: Executor,
  query: { limit: number; cursor?: string | undefined; revoked?: boolean | undefined },
) => {
  return readPage(
    query,
    (window) =>
      listOauthClients(db, {
        after: window.after,
        revoked: query.revoked,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toOauthClient(row)),
  );
};

/** Revokes a client and so its tokens; only a credential within whose power the client is may. */
export const revokeOauthClientById = async (
  { db, clock }: Pick<OauthDeps, 'db' | 'clock'>,
  context: AuditContext,
  revoker: Principal | undefined,
  id: string,
) => {
  await transaction(db, async (tx) => {
    const row = await findOauthClient(tx, id);
    if (!row) throw new AppError('NOT_FOUND', `No OAuth client ${id}`);
    assertWithin(revoker, toOauthClient(row), 'client', 'revoked');
    if (await revokeOauthClient(tx, id, clock.nowMs())) {
      await recordAudit(tx, clock, context, {
        action: 'oauth_client.revoke',
        target: { type: 'oauth_client', id },
      });
    }
  });
};

const oauthError = (
  code: 'INVALID_CLIENT_CREDENTIALS' | 'VALIDATION_ERROR' | 'AUTH_INSUFFICIENT',
  error: 'invalid_client' | 'invalid_request' | 'unsupported_grant_type' | 'invalid_scope',
  description: string,
  details?: Record<string, unknown>,
) => new AppError(code, description, details, { extra: { error, error_description: description } });

const b64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Issues an access token for client credentials; `scope` narrows the client's scopes (space-separated). */
export const issueAccessToken = async (
  { db, clock, keyRing }: OauthDeps,
  context: AuditContext,
  request: { clientId: string; clientSecret: string; scope?: string | undefined },
) => {
  const row = clientSecretPattern.test(request.clientSecret)
    ? await findOauthClient(db.kysely, request.clientId)
    : undefined;
  // The hash comparison runs whether or not the client exists, so both refusals take as long.
  const matches = safeEqual(sha256Hex(request.clientSecret), row?.secret_hash ?? sha256Hex('no such client'));
  if (!row || !matches || row.revoked_at !== null) {
    throw oauthError(
      'INVALID_CLIENT_CREDENTIALS',
      'invalid_client',
      'The client id or secret is wrong, or the client was revoked',
    );
  }
  const granted = JSON.parse(row.scopes) as Scope[];
  let scopes: Scope[] = granted;
  if (request.scope !== undefined && request.scope.trim() !== '') {
    const asked = request.scope.trim().split(/\s+/);
    const unknown = asked.filter((scope) => !scopeSchema.safeParse(scope).success);
    const beyond = scopesBeyond(
      asked.filter((scope): scope is Scope => !unknown.includes(scope)),
      granted,
    );
    if (unknown.length > 0 || beyond.length > 0) {
      const first = unknown[0] ?? beyond[0];
      throw oauthError('AUTH_INSUFFICIENT', 'invalid_scope', `The client may not have the scope ${first}`, {
        required: first,
      });
    }
    scopes = [...new Set(asked as Scope[])];
  }
  const key = await keyRing.active();
  const issuedAt = Math.floor(clock.nowMs() / 1000);
  const header = b64urlJson({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid });
  const payload = b64urlJson({
    iss: tokenIssuer,
    aud: tokenIssuer,
    sub: row.id,
    client_id: row.id,
    scope: scopes.join(' '),
    iat: issuedAt,
    exp: issuedAt + row.token_ttl_seconds,
    jti: secureRandomBytes(16).toString('base64url'),
  });
  const signature = signBytes(null, Buffer.from(`${header}.${payload}`), key.privateKey).toString(
    'base64url',
  );
  await recordAudit(
    db.kysely,
    clock,
    { ...context, actor: { type: 'oauth_client', id: row.id, name: row.name } },
    {
      action: 'oauth.token',
      target: { type: 'oauth_client', id: row.id },
    },
  );
  return {
    access_token: `${header}.${payload}.${signature}`,
    token_type: 'Bearer' as const,
    expires_in: row.token_ttl_seconds,
    scope: scopes.join(' '),
  };
};

const malformed = () =>
  new AppError('OAUTH_TOKEN_MALFORMED', 'The access token cannot be parsed or its signature fails');

const parsePart = (part: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
    return value as Record<string, unknown>;
  } catch {
    throw malformed();
  }
};

/** The principal behind a bearer access token. Only EdDSA tokens of this server's keys are accepted. */
export const authenticateAccessToken = async (
  { db, clock, keyRing }: Pick<OauthDeps, 'db' | 'clock' | 'keyRing'>,
  token: string,
): Promise<Principal> => {
  const [headerPart = '', payloadPart = '', signaturePart = ''] = token.split('.');
  const header = parsePart(headerPart);
  if (header.alg !== 'EdDSA' || header.typ !== 'at+jwt' || typeof header.kid !== 'string') throw malformed();
  const publicKey = await keyRing.verifier(header.kid);
  if (!publicKey) throw malformed();
  const valid = verifyBytes(
    null,
    Buffer.from(`${headerPart}.${payloadPart}`),
    publicKey,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) throw malformed();
  const claims = parsePart(payloadPart);
  if (
    claims.iss !== tokenIssuer ||
    claims.aud !== tokenIssuer ||
    typeof claims.client_id !== 'string' ||
    typeof claims.exp !== 'number'
  ) {
    throw malformed();
  }
  if (claims.exp * 1000 <= clock.nowMs())
    throw new AppError('OAUTH_TOKEN_EXPIRED', 'The access token expired; request a new one');
  const client = await findOauthClient(db.kysely, claims.client_id);
  if (!client) throw malformed();
  if (client.revoked_at !== null) throw new AppError('AUTH_REVOKED', `OAuth client ${client.id} was revoked`);
  const current = JSON.parse(client.scopes) as Scope[];
  const tokenScopes =
    typeof claims.scope === 'string' ? (claims.scope.split(' ').filter(Boolean) as Scope[]) : [];
  return {
    type: 'oauth_client',
    id: client.id,
    name: client.name,
    scopes: tokenScopes.filter((scope) => hasScope(current, scope)),
    productIds: client.product_ids ? (JSON.parse(client.product_ids) as string[]) : null,
    readOnly: false,
    rateLimit: null,
    quota: null,
  };
};
