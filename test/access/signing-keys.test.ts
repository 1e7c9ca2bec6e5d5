// Signing keys through HTTP, on both engines: a key from the first start, rotation (the old key keeps verifying),
// retirement (what it signed stops verifying), the public key list, the audit trail, and other processes
// learning of a rotation.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { keyRingRefreshMs } from '../../src/access/signing-keys/service.js';
import { canonicalJson } from '../../src/lib/canonical-json.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { createLicense } from '../support/factories.js';
import { dialects } from '../support/services.js';

interface KeyView {
  kid: string;
  algorithm: string;
  publicKey: string;
  status: string;
  createdAt: string;
}

for (const dialect of dialects()) {
  describe(`signing keys (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let licenseKey: string;
    let client: { clientId: string; clientSecret: string };

    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: bearer(admin), ...(payload ? { payload } : {}) });
    const publicKeys = async (app = t.app) => {
      const res = await app.inject({ method: 'GET', url: '/v1/public-keys' });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { data: KeyView[] }).data;
    };
    const signedValidation = async (app = t.app) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/client/validate',
        payload: { licenseKey, nonce: `nonce-${Math.random()}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Record<string, unknown> & { signature: string; kid: string };
    };
    const verifies = (result: { signature: string; kid: string }, keys: KeyView[]) => {
      const key = keys.find((candidate) => candidate.kid === result.kid);
      assert.ok(key, `public keys list ${result.kid}`);
      const { signature, kid: _kid, ...unsigned } = result;
      return verify(
        null,
        Buffer.from(canonicalJson(unsigned)),
        createPublicKey({ key: Buffer.from(key.publicKey, 'base64'), format: 'der', type: 'spki' }),
        Buffer.from(signature, 'base64'),
      );
    };
    const accessToken = async () => {
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
      return (res.json() as { access_token: string }).access_token;
    };

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      licenseKey = (await createLicense(t, admin)).key;
      client = (await call('POST', '/v1/oauth-clients', { name: 'backend', scopes: ['keys:read'] })).json();
    });
    after(() => t.close());

    it('the first start makes one active key, listed publicly without its private half', async () => {
      const keys = await publicKeys();
      assert.equal(keys.length, 1);
      const [key] = keys;
      assert.match(key?.kid ?? '', /^sk_[0-9A-Z]{26}$/);
      assert.deepEqual([key?.algorithm, key?.status], ['Ed25519', 'active']);
      const spki = createPublicKey({
        key: Buffer.from(key?.publicKey ?? '', 'base64'),
        format: 'der',
        type: 'spki',
      });
      assert.equal(spki.asymmetricKeyType, 'ed25519');
      const listed = await call('GET', '/v1/signing-keys');
      assert.equal(listed.statusCode, 200);
      assert.doesNotMatch(listed.body, /private/i);
      assert.equal((await signedValidation()).kid, key?.kid);
    });

    it('rotating answers 201 with the new active key; the old one moves to verify_only and still verifies', async () => {
      const before = await signedValidation();
      const token = await accessToken();
      const res = await call('POST', '/v1/signing-keys');
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json() as KeyView;
      assert.equal(res.headers.location, `/v1/signing-keys/${created.kid}`);
      assert.equal(created.status, 'active');
      assert.notEqual(created.kid, before.kid);

      const keys = await publicKeys();
      assert.deepEqual(
        keys.map((key) => [key.kid, key.status]),
        [
          [created.kid, 'active'],
          [before.kid, 'verify_only'],
        ],
      );
      const after = await signedValidation();
      assert.equal(after.kid, created.kid);
      assert.ok(verifies(after, keys));
      assert.ok(verifies(before, keys), 'a result signed before the rotation still verifies');
      // An access token signed by the old key is still accepted.
      const apiKeys = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(token) });
      assert.equal(apiKeys.statusCode, 200, apiKeys.body);

      const audit = await t.db.kysely
        .selectFrom('audit_log')
        .select(['action', 'target_id'])
        .where('action', '=', 'signing_key.rotate')
        .execute();
      assert.deepEqual(audit, [{ action: 'signing_key.rotate', target_id: created.kid }]);
    });

    it('retiring a verify_only key answers 200; what it signed stops verifying at the server', async () => {
      const token = await accessToken();
      const keys = await publicKeys();
      const [active, old] = keys;
      assert.equal(old?.status, 'verify_only');

      const refused = expectError(
        await call('POST', `/v1/signing-keys/${active?.kid}/retire`),
        409,
        'INVALID_TRANSITION',
      );
      assert.deepEqual(refused.details, { currentStatus: 'active', attempted: 'retire' });

      // A token signed by the current key, then a rotation, then the retirement of that key.
      await call('POST', '/v1/signing-keys');
      const retired = await call('POST', `/v1/signing-keys/${active?.kid}/retire`);
      assert.equal(retired.statusCode, 200, retired.body);
      assert.equal((retired.json() as KeyView).status, 'retired');
      await expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(token) }),
        401,
        'OAUTH_TOKEN_MALFORMED',
      );
      const again = expectError(
        await call('POST', `/v1/signing-keys/${active?.kid}/retire`),
        409,
        'INVALID_TRANSITION',
      );
      assert.deepEqual(again.details, { currentStatus: 'retired', attempted: 'retire' });
      assert.equal((await publicKeys()).find((key) => key.kid === active?.kid)?.status, 'retired');
      const row = await t.db.kysely
        .selectFrom('signing_keys')
        .select('status')
        .where('id', '=', active?.kid ?? '')
        .executeTakeFirst();
      assert.equal(row?.status, 'retired');
    });

    it('an unknown or malformed kid answers 404 or 400', async () => {
      await expectError(
        await call('POST', '/v1/signing-keys/sk_01KAJ6ZQ4M9H3XG0C6V7T8W2YB/retire'),
        404,
        'NOT_FOUND',
      );
      await expectError(
        await call('GET', '/v1/signing-keys/sk_01KAJ6ZQ4M9H3XG0C6V7T8W2YB'),
        404,
        'NOT_FOUND',
      );
      await expectError(await call('GET', '/v1/signing-keys/nope'), 400, 'VALIDATION_ERROR');
    });

    it('keys:read lists but cannot rotate; no credential answers 401', async () => {
      const reader = (await createKey(t, ['keys:read'])).secret;
      const list = await t.app.inject({ method: 'GET', url: '/v1/signing-keys', headers: bearer(reader) });
      assert.equal(list.statusCode, 200);
      await expectError(
        await t.app.inject({ method: 'POST', url: '/v1/signing-keys', headers: bearer(reader) }),
        403,
        'AUTH_INSUFFICIENT',
      );
      await expectError(await t.app.inject({ method: 'GET', url: '/v1/signing-keys' }), 401, 'AUTH_MISSING');
    });

    it(`another server process signs with a rotated key within ${keyRingRefreshMs / 1000} s`, async () => {
      const sibling = await t.sibling();
      const before = await signedValidation(sibling);
      const created = (await call('POST', '/v1/signing-keys')).json() as KeyView;
      assert.equal((await signedValidation(sibling)).kid, before.kid, 'still its cached key');
      t.clock.advance(keyRingRefreshMs);
      assert.equal((await signedValidation(sibling)).kid, created.kid);
    });
  });
}
