// Request signing for keys with requireSignature: missing headers, good signatures, and every way to fail.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

/** What a client does, written out from api.md rather than taken from the server's code. */
const signatureFor = (
  secret: string,
  parts: { ts: string; nonce: string; method: string; path: string; body: string },
) => {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  const canonical = `${parts.ts}\n${parts.nonce}\n${parts.method}\n${parts.path}\n${bodyHash}`;
  return `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`;
};

for (const dialect of dialects()) {
  describe(`request signing (${dialect})`, () => {
    let t: TestApp;
    let key: { id: string; secret: string; signingSecret: string };
    let nonceCount = 0;
    const now = () => String(Math.floor(t.clock.nowMs() / 1000));

    const signed = (
      method: 'GET' | 'POST',
      path: string,
      body = '',
      overrides: { ts?: string; nonce?: string; signature?: string; sendBody?: string } = {},
    ) => {
      const ts = overrides.ts ?? now();
      const nonce = overrides.nonce ?? `nonce-${++nonceCount}-${dialect}`;
      const signature =
        overrides.signature ?? signatureFor(key.signingSecret, { ts, nonce, method, path, body });
      return t.app.inject({
        method,
        url: path,
        headers: {
          ...bearer(key.secret),
          'x-charter-timestamp': ts,
          'x-charter-nonce': nonce,
          'x-charter-signature': signature,
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { payload: overrides.sendBody ?? body } : {}),
      });
    };

    before(async () => {
      t = await withApp({ dialect });
      const admin = await createKey(t, ['admin']);
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(admin.secret),
        payload: { name: 'signed', scopes: ['keys:read', 'keys:write'], requireSignature: true },
      });
      assert.equal(res.statusCode, 201, res.body);
      key = res.json() as typeof key;
    });
    after(() => t.close());

    it('a key with requireSignature answers its signing secret once and stores it sealed', async () => {
      assert.match(key.signingSecret, /^cks_[A-Za-z0-9_-]{43}$/);
      const row = await t.db.kysely
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.require_signature, 1);
      assert.ok(row.signing_secret?.startsWith('v1.'));
      assert.ok(!JSON.stringify(row).includes(key.signingSecret));
    });

    it('a request without the signature headers answers 401 SIGNATURE_REQUIRED naming the missing ones', async () => {
      const bare = expectError(
        await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(key.secret) }),
        401,
        'SIGNATURE_REQUIRED',
      );
      assert.deepEqual(bare.details?.missing, [
        'x-charter-timestamp',
        'x-charter-nonce',
        'x-charter-signature',
      ]);
      const partial = await t.app.inject({
        method: 'GET',
        url: '/v1/api-keys',
        headers: { ...bearer(key.secret), 'x-charter-timestamp': now(), 'x-charter-nonce': 'abcdefgh' },
      });
      assert.deepEqual(expectError(partial, 401, 'SIGNATURE_REQUIRED').details?.missing, [
        'x-charter-signature',
      ]);
    });

    it('signed GET with a query and signed POST with a body succeed', async () => {
      assert.equal((await signed('GET', '/v1/api-keys?limit=5')).statusCode, 200);
      const body = JSON.stringify({ name: 'child', scopes: ['keys:read'] });
      const res = await signed('POST', '/v1/api-keys', body);
      assert.equal(res.statusCode, 201, res.body);
    });

    it('a wrong signature, a changed body or a changed query answers 401 SIGNATURE_MISMATCH', async () => {
      expectError(
        await signed('GET', '/v1/api-keys', '', { signature: `v1=${'0'.repeat(64)}` }),
        401,
        'SIGNATURE_MISMATCH',
      );
      const body = JSON.stringify({ name: 'x', scopes: ['keys:read'] });
      const tampered = JSON.stringify({ name: 'x', scopes: ['keys:write'] });
      expectError(
        await signed('POST', '/v1/api-keys', body, { sendBody: tampered }),
        401,
        'SIGNATURE_MISMATCH',
      );
      const ts = now();
      const signature = signatureFor(key.signingSecret, {
        ts,
        nonce: 'query-nonce-1',
        method: 'GET',
        path: '/v1/api-keys?limit=5',
        body: '',
      });
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/api-keys?limit=6',
        headers: {
          ...bearer(key.secret),
          'x-charter-timestamp': ts,
          'x-charter-nonce': 'query-nonce-1',
          'x-charter-signature': signature,
        },
      });
      expectError(res, 401, 'SIGNATURE_MISMATCH');
    });

    it('a timestamp more than 300 s away answers 401 SIGNATURE_MISMATCH; 299 s is accepted', async () => {
      const seconds = Math.floor(t.clock.nowMs() / 1000);
      expectError(
        await signed('GET', '/v1/api-keys', '', { ts: String(seconds - 301) }),
        401,
        'SIGNATURE_MISMATCH',
      );
      expectError(
        await signed('GET', '/v1/api-keys', '', { ts: String(seconds + 301) }),
        401,
        'SIGNATURE_MISMATCH',
      );
      assert.equal((await signed('GET', '/v1/api-keys', '', { ts: String(seconds - 299) })).statusCode, 200);
    });

    it('a replayed nonce answers 401 SIGNATURE_MISMATCH', async () => {
      const first = await signed('GET', '/v1/api-keys', '', { nonce: 'replay-me-please' });
      assert.equal(first.statusCode, 200);
      expectError(
        await signed('GET', '/v1/api-keys', '', { nonce: 'replay-me-please' }),
        401,
        'SIGNATURE_MISMATCH',
      );
    });

    it('the README worked example with openssl signs the same way', async (context) => {
      let openssl: string;
      try {
        openssl = execFileSync('openssl', ['version']).toString();
      } catch {
        context.skip('openssl is not installed');
        return;
      }
      assert.ok(openssl.length > 0);
      const ts = now();
      const nonce = 'openssl-example-1';
      const body = '{"name":"from shell","scopes":["keys:read"]}';
      const bodyHash = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: body })
        .toString()
        .split(' ')[0];
      const canonical = `${ts}\n${nonce}\nPOST\n/v1/api-keys\n${bodyHash}`;
      const mac = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key.signingSecret, '-r'], {
        input: canonical,
      })
        .toString()
        .split(' ')[0];
      const res = await signed('POST', '/v1/api-keys', body, { ts, nonce, signature: `v1=${mac}` });
      assert.equal(res.statusCode, 201, res.body);
    });
  });
}
