// What a route does not declare it does not take: unknown query parameters answer 400 INVALID_QUERY on every
// API route, a body on a route that takes none answers 400 (and does nothing), and JSON in another charset than
// UTF-8 answers 415 rather than being read as UTF-8.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`undeclared input (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let policyId: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      const product = await createProduct(t, admin, { code: 'closed', name: 'Closed' });
      policyId = (await createPolicy(t, admin, product.id)).id;
    });
    after(() => t.close());

    it('unknown query parameters answer 400 INVALID_QUERY on routes that declare no query', async () => {
      for (const url of [
        `/v1/policies/${policyId}?colour=red`,
        '/v1/leases/lease_x?x=1',
        '/v1/signing-keys?y=2',
      ]) {
        const body = expectError(await call('GET', url), 400, 'INVALID_QUERY');
        assert.match(body.message, /unknown parameter/);
      }
      assert.equal((await call('GET', `/v1/policies/${policyId}`)).statusCode, 200);
    });

    it('POST /v1/signing-keys takes no body but {}: anything else answers 400 and rotates nothing', async () => {
      const count = async () => (await t.db.kysely.selectFrom('signing_keys').select('id').execute()).length;
      const before = await count();
      expectError(await call('POST', '/v1/signing-keys', { algorithm: 'RSA' }), 400, 'VALIDATION_ERROR');
      expectError(await call('POST', '/v1/signing-keys', [1, 2]), 400, 'VALIDATION_ERROR');
      assert.equal(await count(), before);
      assert.equal((await call('POST', '/v1/signing-keys', {})).statusCode, 201);
      assert.equal((await call('POST', '/v1/signing-keys')).statusCode, 201);
      assert.equal(await count(), before + 2);
    });

    it('JSON declared in another charset answers 415; utf-8 in any spelling is read', async () => {
      const send = (contentType: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/products',
          headers: { ...bearer(admin), 'content-type': contentType },
          payload: JSON.stringify({ code: `cs-${contentType.length}`, name: 'Charset' }),
        });
      expectError(await send('application/json; charset=utf-16'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectError(await send('application/json; charset="iso-8859-1"'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.equal((await send('application/json; charset=UTF-8')).statusCode, 201);
      assert.equal((await send('application/json;charset=utf8')).statusCode, 201);
    });
  });
}
