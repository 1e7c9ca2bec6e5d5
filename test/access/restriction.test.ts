// A product-restricted credential stays inside its products, and no credential raises a principal above itself:
// the outside probe's escalation path (a restricted admin key making an owner, setting the owner's password,
// revoking unrestricted keys, rotating signing keys) and its cross-product reads, replayed against each fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addOperator, bearer, createKey, signIn, testPassword } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`product restriction and principal power (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let restricted: string;
    let productA: string;
    let productB: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const asRestricted = managementCalls(
      () => t,
      () => restricted,
    );

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      productA = (await createProduct(t, admin, { code: 'alpha', name: 'A' })).id;
      productB = (await createProduct(t, admin, { code: 'beta', name: 'B' })).id;
      restricted = (await createKey(t, ['admin'], { productIds: [productA] })).secret;
    });
    after(() => t.close());

    it('a restricted admin key cannot create an owner, nor change the owner or their password', async () => {
      const owner = await addOperator(t, 'owner');
      expectError(
        await asRestricted('POST', '/v1/operators', {
          email: 'intruder@example.com',
          password: 'a long enough password',
          role: 'owner',
        }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      expectError(
        await asRestricted('PATCH', `/v1/operators/${owner.id}`, { password: 'taken over by the key' }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      const operators = await t.db.kysely.selectFrom('operators').select('email').execute();
      assert.ok(!operators.some((row) => row.email === 'intruder@example.com'));
      // The owner's password is the one it had.
      assert.ok((await signIn(t, owner.email, testPassword)).csrfToken);
    });

    it('a restricted admin key cannot revoke keys, nor rotate or retire signing keys', async () => {
      const unrestricted = await createKey(t, ['licenses:read']);
      expectError(
        await asRestricted('DELETE', `/v1/api-keys/${unrestricted.id}`),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      const still = await t.app.inject({
        method: 'GET',
        url: '/v1/licenses',
        headers: bearer(unrestricted.secret),
      });
      assert.equal(still.statusCode, 200);
      const [active] = (await call('GET', '/v1/signing-keys')).json().data as { kid: string }[];
      assert.ok(active);
      expectError(await asRestricted('POST', '/v1/signing-keys', {}), 403, 'PRODUCT_NOT_ALLOWED');
      expectError(
        await asRestricted('POST', `/v1/signing-keys/${active.kid}/retire`),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      const after = (await call('GET', '/v1/signing-keys')).json().data as { kid: string; status: string }[];
      assert.equal(after.length, 1);
      assert.equal(after[0]?.kid, active.kid);
    });

    it('an operators:write key without admin cannot make or change an operator above itself', async () => {
      const writer = (await createKey(t, ['operators:write', 'operators:read'])).secret;
      const asWriter = managementCalls(
        () => t,
        () => writer,
      );
      const refused = expectError(
        await asWriter('POST', '/v1/operators', {
          email: 'second-owner@example.com',
          password: 'a long enough password',
          role: 'owner',
        }),
        403,
        'AUTH_INSUFFICIENT',
      );
      assert.deepEqual(refused.details, { required: 'admin', missing: ['admin'] });
      const owner = await addOperator(t, 'owner');
      expectError(
        await asWriter('PATCH', `/v1/operators/${owner.id}`, { password: 'set by a lesser key' }),
        403,
        'AUTH_INSUFFICIENT',
      );
      assert.ok((await signIn(t, owner.email, testPassword)).csrfToken);
      // An owner's session (or an admin key) still manages every operator.
      const ownerSession = await signIn(t, owner.email);
      const made = await t.app.inject({
        method: 'POST',
        url: '/v1/operators',
        headers: ownerSession.headers(),
        payload: { email: 'new-admin@example.com', password: 'a long enough password', role: 'admin' },
      });
      assert.equal(made.statusCode, 201, made.body);
    });

    it('audit log, monitor, metrics and webhooks answer 403 PRODUCT_NOT_ALLOWED to a restricted key', async () => {
      for (const url of [
        '/v1/audit-log',
        '/v1/monitor/servers',
        '/v1/monitor/features',
        '/v1/monitor/sessions',
        '/metrics',
        '/v1/webhook-endpoints',
        '/v1/api-keys',
        '/v1/operators',
      ]) {
        expectError(await asRestricted('GET', url), 403, 'PRODUCT_NOT_ALLOWED');
      }
    });

    it('customers of other products only are missing to a restricted key: read, list, edit, delete', async () => {
      const ofB = (await call('POST', '/v1/customers', { email: 'only-b@example.com' })).json() as {
        id: string;
      };
      await createLicense(t, admin, { product: productB, license: { customerId: ofB.id } });
      const ofBoth = (await call('POST', '/v1/customers', { email: 'both@example.com' })).json() as {
        id: string;
      };
      await createLicense(t, admin, { product: productB, license: { customerId: ofBoth.id } });
      await createLicense(t, admin, { product: productA, license: { customerId: ofBoth.id } });

      expectError(await asRestricted('GET', `/v1/customers/${ofB.id}`), 404, 'NOT_FOUND');
      expectError(
        await asRestricted('PATCH', `/v1/customers/${ofB.id}`, { name: 'Renamed' }),
        404,
        'NOT_FOUND',
      );
      expectError(await asRestricted('DELETE', `/v1/customers/${ofB.id}`), 404, 'NOT_FOUND');
      const listed = (await asRestricted('GET', '/v1/customers?limit=200')).json().data as { id: string }[];
      assert.ok(!listed.some((row) => row.id === ofB.id));
      assert.ok(listed.some((row) => row.id === ofBoth.id));
      const untouched = (await call('GET', `/v1/customers/${ofB.id}`)).json() as { name: string };
      assert.equal(untouched.name, 'only-b@example.com');
      // A license of its own product cannot be handed to a customer it does not reach.
      const ownPolicy = await createPolicy(t, admin, productA);
      expectError(
        await asRestricted('POST', '/v1/licenses', { policyId: ownPolicy.id, customerId: ofB.id }),
        422,
        'UNKNOWN_CUSTOMER',
      );
      // Through a license of its product, the customer is in reach.
      assert.equal((await asRestricted('GET', `/v1/customers/${ofBoth.id}`)).statusCode, 200);
    });

    it('a restricted key creates a customer, reads it back and issues it a license of its product', async () => {
      const created = await asRestricted('POST', '/v1/customers', { email: 'fresh@example.com' });
      assert.equal(created.statusCode, 201, created.body);
      const { id } = created.json() as { id: string };
      assert.equal((await asRestricted('GET', `/v1/customers/${id}`)).statusCode, 200);
      const policy = (
        await asRestricted('POST', '/v1/policies', { productId: productA, code: 'a-f', name: 'f' })
      ).json().id as string;
      const license = await asRestricted('POST', '/v1/licenses', { policyId: policy, customerId: id });
      assert.equal(license.statusCode, 201, license.body);
      assert.equal((await asRestricted('GET', `/v1/customers/${id}`)).statusCode, 200);
    });

    it("a restricted key pages through its products' blocklist entries without losing any to other products' entries", async () => {
      // Entries of the other product and server-wide ones sit between its own, so a page filtered after the fetch
      // would come back short and end early.
      const own: string[] = [];
      for (let index = 0; index < 3; index++) {
        const mine = await call('POST', '/v1/blocklist', {
          fingerprint: `mine-${index}`,
          productId: productA,
        });
        own.push((mine.json() as { id: string }).id);
        await call('POST', '/v1/blocklist', { fingerprint: `theirs-${index}`, productId: productB });
        await call('POST', '/v1/blocklist', { fingerprint: `everyone-${index}` });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await asRestricted('GET', `/v1/blocklist?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { data: { id: string }[]; nextCursor: string | null };
        assert.ok(page.data.length === 1 || page.nextCursor === null, 'every page but the last is full');
        seen.push(...page.data.map((entry) => entry.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, own);
    });

    it('license users of other products only are missing to a restricted key', async () => {
      const license = await createLicense(t, admin, { product: productB });
      const user = (await call('POST', '/v1/users', { email: 'user-b@example.com' })).json() as {
        id: string;
      };
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: user.id })).statusCode,
        201,
      );
      expectError(await asRestricted('GET', `/v1/users/${user.id}`), 404, 'NOT_FOUND');
      expectError(await asRestricted('PATCH', `/v1/users/${user.id}`, { name: 'Renamed' }), 404, 'NOT_FOUND');
      expectError(await asRestricted('DELETE', `/v1/users/${user.id}`), 404, 'NOT_FOUND');
      const listed = (await asRestricted('GET', '/v1/users?limit=200')).json().data as { id: string }[];
      assert.ok(!listed.some((row) => row.id === user.id));
      assert.equal((await call('GET', `/v1/users/${user.id}`)).statusCode, 200);
      // Nor can it assign that user to a license of its own product.
      const own = await createLicense(t, admin, { product: productA });
      const assign = await asRestricted('POST', `/v1/licenses/${own.id}/users`, { userId: user.id });
      assert.equal(assign.statusCode, 400, assign.body);
    });
  });
}
