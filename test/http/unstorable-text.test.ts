// Text storage cannot hold (a NUL, which PostgreSQL refuses in text; a lone surrogate, which has no UTF-8 form) is
// refused at the edge alike on both engines: 404 in a path id, 400 VALIDATION_ERROR naming the field elsewhere,
// on routes with a credential and without. Nothing is stored, and error details stay small for huge bodies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`unstorable text (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let licenseKey: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      const product = await createProduct(t, admin, {
        code: 'texts',
        name: 'Texts',
        trial: { enabled: true, days: 14, requireEmail: false },
      });
      licenseKey = (await createLicense(t, admin, { product: product.id })).key;
    });
    after(() => t.close());

    it('a NUL in a path id answers 404 NOT_FOUND, on every kind of id', async () => {
      for (const url of [
        '/v1/licenses/lic_%00',
        '/v1/products/%00',
        '/v1/customers/cus_x%00y',
        '/v1/operators/op_%00',
      ]) {
        expectError(await call('GET', url), 404, 'NOT_FOUND');
      }
      expectError(await call('PATCH', '/v1/products/%00', { name: 'x' }), 404, 'NOT_FOUND');
    });

    it('a NUL in a field of a route without a credential answers 400 naming the field', async () => {
      const login = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'a\u0000@example.com', password: 'whatever it is' },
      });
      const body = expectError(login, 400, 'VALIDATION_ERROR');
      assert.deepEqual((body.details as { issues: { path: unknown[] }[] }).issues[0]?.path, ['email']);
      for (const [route, payload] of [
        ['trial', { productCode: 'texts\u0000', fingerprint: 'fp-1' }],
        ['activate', { licenseKey, fingerprint: 'fp\u0000' }],
        ['validate', { licenseKey: `${licenseKey}\u0000` }],
      ] as const) {
        const res = await t.app.inject({ method: 'POST', url: `/v1/client/${route}`, payload });
        expectError(res, 400, 'VALIDATION_ERROR');
      }
      const token = await t.app.inject({
        method: 'POST',
        url: '/v1/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials&client_id=oac_%00&client_secret=x',
      });
      assert.equal(token.statusCode, 400, token.body);
    });

    it('a NUL or a lone surrogate in a body value or key answers 400 and stores nothing', async () => {
      const bodies: [string, (string | number)[]][] = [
        ['{"code":"nul-name","name":"A\\u0000B"}', ['name']],
        ['{"code":"lone-high","name":"A\\ud800B"}', ['name']],
        ['{"code":"lone-low","name":"\\udc00"}', ['name']],
        ['{"code":"upper-hex","name":"\\uD83D"}', ['name']],
        ['{"code":"meta-key","name":"M","metadata":{"k\\u0000":"v"}}', ['metadata', 'k\u0000']],
        [
          '{"code":"in-list","name":"M","metadata":{"list":["ok",{"x":"\\u0000"}]}}',
          ['metadata', 'list', 1, 'x'],
        ],
      ];
      for (const [payload, path] of bodies) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/products',
          headers: { ...bearer(admin), 'content-type': 'application/json' },
          payload,
        });
        const body = expectError(res, 400, 'VALIDATION_ERROR');
        const details = body.details as { location: string; issues: { path: unknown[] }[] };
        assert.equal(details.location, 'body');
        assert.deepEqual(details.issues[0]?.path, path, payload);
      }
      const codes = (await t.db.kysely.selectFrom('products').select('code').execute()).map(
        (row) => row.code,
      );
      assert.deepEqual(codes, ['texts']);
    });

    it('a NUL in a query parameter answers 400 VALIDATION_ERROR in the query', async () => {
      const body = expectError(await call('GET', '/v1/customers?email=a%00b'), 400, 'VALIDATION_ERROR');
      assert.equal((body.details as { location: string }).location, 'query');
    });

    it('well-formed text beyond the BMP (a surrogate pair) is stored as sent', async () => {
      const res = await call('POST', '/v1/products', { code: 'emoji', name: 'Rocket 🚀 ünïcode' });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((await call('GET', `/v1/products/${res.json().id}`)).json().name, 'Rocket 🚀 ünïcode');
    });

    it('a body with 60,000 unknown keys answers a small VALIDATION_ERROR', async () => {
      const payload: Record<string, unknown> = { code: 'many', name: 'Many' };
      for (let i = 0; i < 60_000; i++) payload[`k${i}`] = i;
      const res = await call('POST', '/v1/products', payload);
      expectError(res, 400, 'VALIDATION_ERROR');
      assert.ok(res.body.length < 4096, `details of ${res.body.length} bytes`);
    });
  });
}
