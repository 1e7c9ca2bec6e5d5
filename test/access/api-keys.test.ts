// API keys through HTTP: creation shown once and stored hashed, every refusal of the access table, revocation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '../../src/lib/secrets.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`API keys (${dialect})`, () => {
    let t: TestApp;
    let admin: { id: string; secret: string };
    before(async () => {
      t = await withApp({ dialect });
      admin = await createKey(t, ['admin']);
    });
    after(() => t.close());

    const create = (secret: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(secret), payload });
    const countKeys = async () =>
      Number(
        (
          await t.db.kysely
            .selectFrom('api_keys')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const newProduct = async (code: string): Promise<string> => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/products',
        headers: bearer(admin.secret),
        payload: { code, name: code },
      });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { id: string }).id;
    };

    it('creating a key answers 201 with the secret once, a Location, and stores only its hash', async () => {
      const res = await create(admin.secret, { name: 'reporting', scopes: ['licenses:read', 'audit:read'] });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as { id: string; secret: string; keyPrefix: string; scopes: string[] };
      assert.match(body.secret, /^ck_[A-Za-z0-9_-]{43}$/);
      assert.equal(body.keyPrefix, body.secret.slice(0, 8));
      assert.equal(res.headers.location, `/v1/api-keys/${body.id}`);
      const row = await t.db.kysely
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', body.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.key_hash, sha256Hex(body.secret));
      assert.ok(!JSON.stringify(row).includes(body.secret), 'the secret is not stored');
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/api-keys/${body.id}`,
        headers: bearer(admin.secret),
      });
      assert.equal(read.statusCode, 200);
      assert.equal((read.json() as { secret?: string }).secret, undefined);
      const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(admin.secret) });
      assert.ok(!list.body.includes(body.secret));
      const audit = await t.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('target_id', '=', body.id)
        .execute();
      assert.deepEqual(
        audit.map((entry) => entry.action),
        ['api_key.create'],
      );
      assert.ok(!JSON.stringify(audit).includes(body.secret), 'the audit entry holds no secret');
    });

    it('a key works as Authorization: Bearer and as X-API-Key', async () => {
      const key = await createKey(t, ['keys:read']);
      const viaBearer = await t.app.inject({
        method: 'GET',
        url: '/v1/api-keys',
        headers: bearer(key.secret),
      });
      const viaHeader = await t.app.inject({
        method: 'GET',
        url: '/v1/api-keys',
        headers: { 'x-api-key': key.secret },
      });
      assert.equal(viaBearer.statusCode, 200);
      assert.equal(viaHeader.statusCode, 200);
    });

    it('no credential answers 401 AUTH_MISSING', async () => {
      expectError(await t.app.inject({ method: 'GET', url: '/v1/api-keys' }), 401, 'AUTH_MISSING');
    });

    it('malformed, unknown, foreign and injected keys answer 401 AUTH_INVALID', async () => {
      const real = admin.secret;
      const presented = [
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'Bearer a b',
        `Token ${real}`,
        'Bearer ck_short',
        `Bearer ${real}x`,
        `Bearer ck_${'A'.repeat(43)}`,
        `Bearer ${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
        "Bearer ck_' OR '1'='1' --aaaaaaaaaaaaaaaaaaaaaaaaaaa",
        'Bearer sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
      ];
      for (const authorization of presented) {
        const res = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { authorization } });
        expectError(res, 401, 'AUTH_INVALID');
      }
      const viaHeader = await t.app.inject({
        method: 'GET',
        url: '/v1/api-keys',
        headers: { 'x-api-key': 'garbage' },
      });
      expectError(viaHeader, 401, 'AUTH_INVALID');
      const count = await t.db.kysely
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.ok(Number(count.n) >= 1, 'the table survived the injection attempt');
    });

    it('a bearer JWT that does not verify answers 401 OAUTH_TOKEN_MALFORMED', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/api-keys',
        headers: bearer('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln'),
      });
      expectError(res, 401, 'OAUTH_TOKEN_MALFORMED');
    });

    it('a key past expiresAt answers 401 AUTH_EXPIRED; once also revoked, AUTH_REVOKED wins', async () => {
      const expiresAt = new Date(t.clock.nowMs() + 60_000).toISOString();
      const key = await createKey(t, ['keys:read'], { expiresAt });
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) })).statusCode,
        200,
      );
      t.clock.advance(61_000);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) }),
        401,
        'AUTH_EXPIRED',
      );
      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${key.id}`,
        headers: bearer(admin.secret),
      });
      assert.equal(revoke.statusCode, 204);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) }),
        401,
        'AUTH_REVOKED',
      );
    });

    it('revoking answers 204, is idempotent, is audited once, and an unknown id answers 404', async () => {
      const key = await createKey(t, ['keys:read']);
      for (let i = 0; i < 2; i++) {
        const res = await t.app.inject({
          method: 'DELETE',
          url: `/v1/api-keys/${key.id}`,
          headers: bearer(admin.secret),
        });
        assert.equal(res.statusCode, 204);
      }
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/api-keys/${key.id}`,
        headers: bearer(admin.secret),
      });
      assert.ok((read.json() as { revokedAt: string | null }).revokedAt);
      const audit = await t.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', key.id)
        .execute();
      assert.deepEqual(audit.map((entry) => entry.action).sort(), ['api_key.create', 'api_key.revoke']);
      expectError(
        await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/key_nope', headers: bearer(admin.secret) }),
        404,
        'NOT_FOUND',
      );
    });

    it('a key without the scope answers 403 AUTH_INSUFFICIENT naming it', async () => {
      const key = await createKey(t, ['licenses:read']);
      const body = expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) }),
        403,
        'AUTH_INSUFFICIENT',
      );
      assert.deepEqual(body.details, { required: 'keys:read' });
    });

    it('a read-only key answers 403 READ_ONLY_KEY on a write, even with the write scope', async () => {
      const key = await createKey(t, ['keys:read', 'keys:write'], { readOnly: true });
      expectError(await create(key.secret, { name: 'x', scopes: ['keys:read'] }), 403, 'READ_ONLY_KEY');
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) })).statusCode,
        200,
      );
    });

    it('a key cannot grant a scope its creator lacks', async () => {
      const creator = await createKey(t, ['keys:write', 'licenses:read']);
      const body = expectError(
        await create(creator.secret, { name: 'x', scopes: ['licenses:read', 'products:write'] }),
        403,
        'AUTH_INSUFFICIENT',
      );
      assert.equal(body.details?.required, 'products:write');
      assert.equal((await create(creator.secret, { name: 'ok', scopes: ['licenses:read'] })).statusCode, 201);
    });

    it('a product-restricted key creates no key: for all products, for others, nor for its own', async () => {
      const productA = await newProduct('restricted-a');
      const productB = await newProduct('restricted-b');
      const creator = await createKey(t, ['admin'], { productIds: [productA] });
      const before = await countKeys();
      for (const productIds of [undefined, [productB], [productA]]) {
        expectError(
          await create(creator.secret, {
            name: 'k',
            scopes: ['licenses:read'],
            ...(productIds ? { productIds } : {}),
          }),
          403,
          'PRODUCT_NOT_ALLOWED',
        );
      }
      assert.equal(await countKeys(), before);
    });

    it('productIds take ids or codes and answer ids; an unknown one is 422 UNKNOWN_PRODUCT and makes no key', async () => {
      const first = await newProduct('named-by-code');
      const second = await newProduct('named-by-id');
      const res = await create(admin.secret, {
        name: 'by code',
        scopes: ['products:read'],
        productIds: ['named-by-code', second, first],
      });
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json() as { id: string; secret: string; productIds: string[] };
      assert.deepEqual(created.productIds, [first, second]);
      const listed = await t.app.inject({
        method: 'GET',
        url: '/v1/products',
        headers: bearer(created.secret),
      });
      assert.deepEqual(
        (listed.json() as { data: { id: string }[] }).data.map((product) => product.id).sort(),
        [first, second].sort(),
      );
      const before = await countKeys();
      for (const unknown of ['no-such-code', 'prod_01KZZZZZZZZZZZZZZZZZZZZZZZ']) {
        const refused = expectError(
          await create(admin.secret, {
            name: 'typo',
            scopes: ['licenses:read'],
            productIds: [first, unknown],
          }),
          422,
          'UNKNOWN_PRODUCT',
        );
        assert.equal(refused.details?.productId, unknown);
      }
      assert.equal(await countKeys(), before);
    });

    it('a key revokes only keys within its own scopes; the CLI and an admin key revoke any', async () => {
      const keysWriter = await createKey(t, ['keys:write', 'keys:read']);
      const full = await createKey(t, ['admin']);
      const narrow = await createKey(t, ['keys:read']);
      const other = await createKey(t, ['licenses:read']);
      const revoke = (secret: string, id: string) =>
        t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(secret) });
      const refused = expectError(await revoke(keysWriter.secret, full.id), 403, 'AUTH_INSUFFICIENT');
      assert.deepEqual(refused.details, { required: 'admin', missing: ['admin'] });
      const still = await t.app.inject({ method: 'GET', url: '/v1/licenses', headers: bearer(full.secret) });
      assert.equal(still.statusCode, 200);
      expectError(await revoke(keysWriter.secret, other.id), 403, 'AUTH_INSUFFICIENT');
      assert.equal((await revoke(keysWriter.secret, narrow.id)).statusCode, 204);
      assert.equal((await revoke(admin.secret, keysWriter.id)).statusCode, 204);
    });

    it('bad bodies answer 400 VALIDATION_ERROR: unknown scope, no scopes, unknown field, past expiry', async () => {
      const payloads = [
        { name: 'x', scopes: ['licenses:fly'] },
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['licenses:read'], colour: 'red' },
        { name: 'x', scopes: ['licenses:read'], expiresAt: '2000-01-01T00:00:00.000Z' },
        { name: '', scopes: ['licenses:read'] },
      ];
      for (const payload of payloads)
        expectError(await create(admin.secret, payload), 400, 'VALIDATION_ERROR');
    });

    it('lastUsedAt is written in batches, not per request', async () => {
      const key = await createKey(t, ['keys:read']);
      await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) });
      const before = await t.db.kysely
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      assert.equal(before.last_used_at, null, 'no write on the request path');
      await t.app.close();
      const afterClose = await t.db.kysely
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      assert.equal(afterClose.last_used_at, t.clock.nowMs());
    });
  });
}
