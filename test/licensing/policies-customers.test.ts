// Policies and customers through HTTP, on both engines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError, issuesOf } from '../support/expect-error.js';
import { createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`policies (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string; code: string };
    let other: { id: string; code: string };

    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
      secret = admin,
    ) =>
      t.app.inject({
        method,
        url,
        headers: bearer(secret),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'studio', name: 'Studio' });
      other = await createProduct(t, admin, { code: 'other', name: 'Other' });
      await call('POST', `/v1/products/${product.id}/features`, {
        code: 'export',
        name: 'Export',
        kind: 'boolean',
      });
    });
    after(() => t.close());

    it('creating a policy by product code fills every rule with its default', async () => {
      const res = await call('POST', '/v1/policies', {
        productId: 'studio',
        code: 'standard',
        name: 'Standard',
      });
      assert.equal(res.statusCode, 201, res.body);
      const policy = res.json() as Record<string, unknown>;
      assert.equal(policy.productId, product.id);
      assert.deepEqual(
        {
          durationSeconds: policy.durationSeconds,
          floating: policy.floating,
          maxMachines: policy.maxMachines,
          expirationBasis: policy.expirationBasis,
          expirationStrategy: policy.expirationStrategy,
          leaseSeconds: policy.leaseSeconds,
          heartbeatSeconds: policy.heartbeatSeconds,
          licenseFileTtlSeconds: policy.licenseFileTtlSeconds,
          allowVm: policy.allowVm,
          allowOffline: policy.allowOffline,
          features: policy.features,
        },
        {
          durationSeconds: null,
          floating: false,
          maxMachines: 1,
          expirationBasis: 'issue',
          expirationStrategy: 'restrict',
          leaseSeconds: 3600,
          heartbeatSeconds: null,
          licenseFileTtlSeconds: 604800,
          allowVm: true,
          allowOffline: false,
          features: [],
        },
      );
      assert.equal(res.headers.location, `/v1/policies/${policy.id}`);
    });

    it('a full policy keeps every field as sent', async () => {
      const payload = {
        productId: product.id,
        code: 'floating-team',
        name: 'Floating team',
        durationSeconds: 31_536_000,
        floating: true,
        maxMachines: 10,
        maxUsers: 20,
        maxActivationsPerUser: 2,
        maxTransfers: 3,
        maxDeactivations: { count: 5, periodSeconds: 2_592_000 },
        expirationBasis: 'activation',
        expirationStrategy: 'maintenance',
        allowVm: false,
        allowOffline: false,
        allowBorrow: true,
        maxBorrowSeconds: 604_800,
        leaseSeconds: 900,
        heartbeatSeconds: 300,
        consumption: { max: 1000, allowNegative: false, allowOverage: true, resetPeriod: 'monthly' },
        features: [{ code: 'export' }],
        licenseFileTtlSeconds: 86_400,
        requireDeviceKey: true,
        metadata: { plan: 'team' },
        allowPasswordChange: false,
      };
      const res = await call('POST', '/v1/policies', payload);
      assert.equal(res.statusCode, 201, res.body);
      const { id, createdAt, updatedAt, productId, ...rest } = res.json() as Record<string, unknown>;
      assert.ok(id && createdAt && updatedAt);
      const { productId: _sent, ...expected } = payload;
      assert.equal(productId, product.id);
      assert.deepEqual(rest, expected);
    });

    it('rules that contradict each other answer 400 VALIDATION_ERROR naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ floating: true, maxMachines: null }, 'maxMachines'],
        [{ floating: true, maxMachines: 5, allowOffline: true }, 'allowOffline'],
        [{ allowBorrow: true, maxBorrowSeconds: 60 }, 'allowBorrow'],
        [{ features: [{ code: 'nope' }] }, 'features'],
        [{ leaseSeconds: 5 }, 'leaseSeconds'],
      ];
      for (const [extra, field] of cases) {
        const res = await call('POST', '/v1/policies', {
          productId: product.id,
          code: 'bad',
          name: 'Bad',
          ...extra,
        });
        const body = expectError(res, 400, 'VALIDATION_ERROR');
        const paths = issuesOf(body).map((issue) => issue.path[0]);
        assert.ok(paths.includes(field), `${JSON.stringify(extra)} → ${JSON.stringify(paths)}`);
      }
    });

    it('an unknown product answers 422 UNKNOWN_PRODUCT; a taken code 409; another product restricted 403', async () => {
      expectError(
        await call('POST', '/v1/policies', { productId: 'nope', code: 'x1', name: 'X' }),
        422,
        'UNKNOWN_PRODUCT',
      );
      await call('POST', '/v1/policies', { productId: product.id, code: 'dup', name: 'Dup' });
      expectError(
        await call('POST', '/v1/policies', { productId: product.id, code: 'dup', name: 'Dup' }),
        409,
        'ALREADY_EXISTS',
      );
      assert.equal(
        (await call('POST', '/v1/policies', { productId: other.id, code: 'dup', name: 'Dup' })).statusCode,
        201,
      );
      const restricted = (
        await createKey(t, ['policies:read', 'policies:write'], { productIds: [product.id] })
      ).secret;
      expectError(
        await call('POST', '/v1/policies', { productId: other.id, code: 'zz', name: 'Z' }, restricted),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      const list = (await call('GET', '/v1/policies?limit=200', undefined, restricted)).json() as {
        data: { productId: string }[];
      };
      assert.ok(list.data.length > 0 && list.data.every((policy) => policy.productId === product.id));
    });

    it('updating merges and re-checks the rules; deleting answers 410 afterwards', async () => {
      const created = (
        await call('POST', '/v1/policies', { productId: product.id, code: 'upd', name: 'Upd' })
      ).json() as { id: string };
      const patched = await call('PATCH', `/v1/policies/${created.id}`, {
        maxMachines: 5,
        heartbeatSeconds: 600,
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal((patched.json() as { maxMachines: number }).maxMachines, 5);
      expectError(
        await call('PATCH', `/v1/policies/${created.id}`, { allowBorrow: true }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await call('PATCH', `/v1/policies/${created.id}`, { productId: other.id }),
        400,
        'VALIDATION_ERROR',
      );
      assert.equal((await call('DELETE', `/v1/policies/${created.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/policies/${created.id}`), 410, 'GONE');
      const filtered = (await call('GET', `/v1/policies?productId=${product.id}&code=upd`)).json() as {
        data: unknown[];
      };
      assert.equal(filtered.data.length, 0);
    });
  });

  describe(`customers (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: bearer(admin),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    it('create, read, list by email, update and soft delete', async () => {
      const res = await call('POST', '/v1/customers', {
        email: 'Buyer@Example.com',
        name: 'Buyer',
        company: 'Acme',
      });
      assert.equal(res.statusCode, 201, res.body);
      const customer = res.json() as { id: string; email: string; status: string };
      assert.deepEqual([customer.email, customer.status], ['buyer@example.com', 'active']);
      const listed = (await call('GET', '/v1/customers?email=BUYER@example.com')).json() as {
        data: { id: string }[];
      };
      assert.deepEqual(
        listed.data.map((item) => item.id),
        [customer.id],
      );
      const updated = await call('PATCH', `/v1/customers/${customer.id}`, {
        status: 'inactive',
        company: null,
      });
      assert.deepEqual(
        [(updated.json() as { status: string }).status, (updated.json() as { company: null }).company],
        ['inactive', null],
      );
      assert.equal((await call('DELETE', `/v1/customers/${customer.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/customers/${customer.id}`), 410, 'GONE');
      assert.equal(
        (await call('POST', '/v1/customers', { email: 'buyer@example.com' })).statusCode,
        201,
        'the email is free again',
      );
    });

    it('a taken email answers 409 ALREADY_EXISTS, on create and on update', async () => {
      await call('POST', '/v1/customers', { email: 'one@example.com' });
      const two = (await call('POST', '/v1/customers', { email: 'two@example.com' })).json() as {
        id: string;
      };
      expectError(await call('POST', '/v1/customers', { email: 'ONE@example.com' }), 409, 'ALREADY_EXISTS');
      expectError(
        await call('PATCH', `/v1/customers/${two.id}`, { email: 'one@example.com' }),
        409,
        'ALREADY_EXISTS',
      );
      expectError(await call('POST', '/v1/customers', { email: 'not an email' }), 400, 'VALIDATION_ERROR');
      expectError(await call('GET', '/v1/customers/cus_nope'), 404, 'NOT_FOUND');
    });
  });
}
