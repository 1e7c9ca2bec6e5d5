// OAuth 2.0 client credentials through HTTP: clients, the token endpoint (form, JSON, Basic), RFC 9068 tokens,
// expiry, revocation, tampering, and CHARTER_OAUTH_REQUIRED.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { oauthErrorEnvelopeSchema } from '../../src/errors/envelope.js';
import { sha256Hex } from '../../src/lib/secrets.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

const expectOauthError = (res: Response, status: number, code: string, error: string) => {
  assert.equal(res.statusCode, status, res.body);
  const body = oauthErrorEnvelopeSchema.parse(res.json());
  assert.equal(body.code, code);
  assert.equal(body.error, error);
  assert.equal(body.requestId, res.headers['x-request-id']);
  return body;
};

const decodePart = (part: string | undefined) =>
  JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));

for (const dialect of dialects()) {
  describe(`OAuth client credentials (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let client: { clientId: string; clientSecret: string };

    const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(fields).toString(),
      });
    const basic = (id: string, secret: string) => ({
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    });
    const token = async (scope?: string) => {
      const res = await form(
        { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
        basic(client.clientId, client.clientSecret),
      );
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { access_token: string }).access_token;
    };

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/oauth-clients',
        headers: bearer(admin),
        payload: { name: 'billing backend', scopes: ['keys:read', 'licenses:read'] },
      });
      assert.equal(res.statusCode, 201, res.body);
      client = res.json() as { clientId: string; clientSecret: string };
    });
    after(() => t.close());

    it('creating a client answers the secret once and stores its hash', async () => {
      assert.match(client.clientId, /^oac_/);
      assert.match(client.clientSecret, /^cs_[A-Za-z0-9_-]{43}$/);
      const row = await t.db.kysely
        .selectFrom('oauth_clients')
        .selectAll()
        .where('id', '=', client.clientId)
        .executeTakeFirstOrThrow();
      assert.equal(row.secret_hash, sha256Hex(client.clientSecret));
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/oauth-clients/${client.clientId}`,
        headers: bearer(admin),
      });
      assert.ok(!read.body.includes(client.clientSecret));
    });

    it('a client restricted by product code is stored with the id; an unknown product is 422 UNKNOWN_PRODUCT', async () => {
      const product = await t.app.inject({
        method: 'POST',
        url: '/v1/products',
        headers: bearer(admin),
        payload: { code: 'client-scoped', name: 'Client scoped' },
      });
      assert.equal(product.statusCode, 201, product.body);
      const productId = (product.json() as { id: string }).id;
      const create = (productIds: string[]) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/oauth-clients',
          headers: bearer(admin),
          payload: { name: 'scoped', scopes: ['licenses:read'], productIds },
        });
      const res = await create(['client-scoped']);
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual((res.json() as { productIds: string[] }).productIds, [productId]);
      const refused = expectError(await create(['client-scoped', 'nope']), 422, 'UNKNOWN_PRODUCT');
      assert.equal(refused.details?.productId, 'nope');
    });

    it('a form request with HTTP Basic answers an RFC 9068 token, no-store', async () => {
      const res = await form(
        { grant_type: 'client_credentials' },
        basic(client.clientId, client.clientSecret),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json() as {
        access_token: string;
        token_type: string;
        expires_in: number;
        scope: string;
      };
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      assert.equal(body.scope, 'keys:read licenses:read');
      const [header, payload] = body.access_token.split('.');
      assert.deepEqual(Object.keys(decodePart(header)).sort(), ['alg', 'kid', 'typ']);
      assert.equal(decodePart(header).typ, 'at+jwt');
      assert.equal(decodePart(header).alg, 'EdDSA');
      const claims = decodePart(payload);
      assert.equal(claims.client_id, client.clientId);
      assert.equal(claims.sub, client.clientId);
      assert.equal(claims.exp - claims.iat, 3600);
      assert.ok(claims.jti);
    });

    it('JSON with client_id and client_secret in the body works too', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/oauth/token',
        payload: {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
        },
      });
      assert.equal(res.statusCode, 200, res.body);
    });

    it('a token works within its scopes and answers 403 AUTH_INSUFFICIENT outside them', async () => {
      const accessToken = await token('keys:read');
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(accessToken) })).statusCode,
        200,
      );
      const outside = await t.app.inject({
        method: 'GET',
        url: '/v1/audit-log',
        headers: bearer(accessToken),
      });
      expectError(outside, 403, 'AUTH_INSUFFICIENT');
      const narrowed = await t.app.inject({
        method: 'GET',
        url: '/v1/oauth-clients',
        headers: bearer(await token('licenses:read')),
      });
      expectError(narrowed, 403, 'AUTH_INSUFFICIENT');
    });

    it('asking for a scope the client lacks answers 403 invalid_scope (AUTH_INSUFFICIENT)', async () => {
      for (const scope of ['admin', 'keys:read products:write', 'no:such']) {
        const res = await form(
          { grant_type: 'client_credentials', scope },
          basic(client.clientId, client.clientSecret),
        );
        expectOauthError(res, 403, 'AUTH_INSUFFICIENT', 'invalid_scope');
      }
    });

    it('wrong, unknown or missing client credentials answer 401 invalid_client', async () => {
      const cases = [
        basic(
          client.clientId,
          `${client.clientSecret.slice(0, -1)}${client.clientSecret.endsWith('x') ? 'y' : 'x'}`,
        ),
        basic('oac_01KNOSUCHCLIENT0000000000', client.clientSecret),
        { authorization: 'Basic !!!' },
        {},
      ];
      for (const headers of cases) {
        expectOauthError(
          await form({ grant_type: 'client_credentials' }, headers),
          401,
          'INVALID_CLIENT_CREDENTIALS',
          'invalid_client',
        );
      }
    });

    it('an unsupported grant, a missing grant_type or two client authentications answer 400', async () => {
      expectOauthError(
        await form(
          { grant_type: 'password', username: 'a', password: 'b' },
          basic(client.clientId, client.clientSecret),
        ),
        400,
        'VALIDATION_ERROR',
        'unsupported_grant_type',
      );
      expectOauthError(
        await form({}, basic(client.clientId, client.clientSecret)),
        400,
        'VALIDATION_ERROR',
        'invalid_request',
      );
      expectOauthError(
        await form(
          { grant_type: 'client_credentials', client_id: client.clientId },
          basic(client.clientId, client.clientSecret),
        ),
        400,
        'VALIDATION_ERROR',
        'invalid_request',
      );
    });

    it('a token past its expiry answers 401 OAUTH_TOKEN_EXPIRED', async () => {
      const accessToken = await token();
      t.clock.advance(3601_000);
      const res = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(accessToken) });
      expectError(res, 401, 'OAUTH_TOKEN_EXPIRED');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="charter", error="invalid_token"');
    });

    it('tampered, unsigned and foreign tokens answer 401 OAUTH_TOKEN_MALFORMED', async () => {
      const [header, payload, signature] = (await token()).split('.');
      const claims = decodePart(payload);
      const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url');
      const none = Buffer.from(
        JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: decodePart(header).kid }),
      ).toString('base64url');
      for (const forged of [
        `${header}.${widened}.${signature}`,
        `${none}.${payload}.`,
        `${header}.${payload}.${'A'.repeat(86)}`,
        'a.b.c',
      ]) {
        expectError(
          await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(forged) }),
          401,
          'OAUTH_TOKEN_MALFORMED',
        );
      }
    });

    it('revoking the client ends its tokens at once (401 AUTH_REVOKED) and its token requests', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/oauth-clients',
        headers: bearer(admin),
        payload: { name: 'short-lived', scopes: ['keys:read'] },
      });
      const other = res.json() as { clientId: string; clientSecret: string };
      const granted = await form(
        { grant_type: 'client_credentials' },
        basic(other.clientId, other.clientSecret),
      );
      const accessToken = (granted.json() as { access_token: string }).access_token;
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(accessToken) })).statusCode,
        200,
      );
      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/v1/oauth-clients/${other.clientId}`,
        headers: bearer(admin),
      });
      assert.equal(revoke.statusCode, 204);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(accessToken) }),
        401,
        'AUTH_REVOKED',
      );
      expectOauthError(
        await form({ grant_type: 'client_credentials' }, basic(other.clientId, other.clientSecret)),
        401,
        'INVALID_CLIENT_CREDENTIALS',
        'invalid_client',
      );
    });
  });
}

describe('CHARTER_OAUTH_REQUIRED', () => {
  it('API keys answer 403 OAUTH_REQUIRED on Management routes while access tokens work', async () => {
    const t = await withApp({ dialect: 'sqlite', config: { CHARTER_OAUTH_REQUIRED: true } });
    try {
      const { createOauthClient } = await import('../../src/access/oauth/service.js');
      const { systemAuditContext } = await import('../../src/access/audit/service.js');
      const { clientSecret, client } = await createOauthClient(t, systemAuditContext('test'), undefined, {
        name: 'only way in',
        scopes: ['keys:read'],
      });
      const key = await createKey(t, ['admin']);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) }),
        403,
        'OAUTH_REQUIRED',
      );
      const granted = await t.app.inject({
        method: 'POST',
        url: '/v1/oauth/token',
        payload: {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: clientSecret,
        },
      });
      const accessToken = (granted.json() as { access_token: string }).access_token;
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(accessToken) })).statusCode,
        200,
      );
    } finally {
      await t.close();
    }
  });
});
