// Products and features through HTTP, on both engines: create, list, read, update, soft delete, uniqueness,
// product restriction of keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

type Product = {
  id: string;
  code: string;
  name: string;
  status: string;
  licenseModel: string;
  trial: unknown;
  metadata: unknown;
};

for (const dialect of dialects()) {
  describe(`products and features (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let codeCount = 0;
    const nextCode = () => `app-${dialect}-${++codeCount}`;

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
    const newProduct = async (extra: Record<string, unknown> = {}) => {
      const res = await call('POST', '/v1/products', { code: nextCode(), name: 'Acme Studio', ...extra });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as Product;
    };

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    it('creating a product answers 201 with defaults and a Location, and is audited', async () => {
      const code = nextCode();
      const res = await call('POST', '/v1/products', {
        code,
        name: 'Acme Studio',
        metadata: { tier: 'pro' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const product = res.json() as Product & { createdAt: string };
      assert.match(product.id, /^prod_[0-9A-Z]{26}$/);
      assert.equal(res.headers.location, `/v1/products/${product.id}`);
      assert.deepEqual(
        {
          code: product.code,
          status: product.status,
          licenseModel: product.licenseModel,
          trial: product.trial,
          metadata: product.metadata,
        },
        {
          code,
          status: 'active',
          licenseModel: 'key',
          trial: { enabled: false, days: 14, requireEmail: false },
          metadata: { tier: 'pro' },
        },
      );
      assert.equal(product.createdAt, '2026-11-22T10:30:45.123Z');
      const audit = await t.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', product.id)
        .execute();
      assert.deepEqual(audit, [{ action: 'product.create' }]);
    });

    it('a taken code answers 409 ALREADY_EXISTS; a malformed one 400 VALIDATION_ERROR', async () => {
      const product = await newProduct();
      const again = expectError(
        await call('POST', '/v1/products', { code: product.code, name: 'Other' }),
        409,
        'ALREADY_EXISTS',
      );
      assert.deepEqual(again.details, { field: 'code' });
      for (const code of ['A', 'Has Space', 'x'.repeat(65), 'under_score']) {
        expectError(await call('POST', '/v1/products', { code, name: 'x' }), 400, 'VALIDATION_ERROR');
      }
    });

    it('of 10 concurrent creations with one code, exactly one succeeds', async () => {
      const code = nextCode();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => call('POST', '/v1/products', { code, name: 'Race' })),
      );
      assert.deepEqual(results.map((res) => res.statusCode).sort(), [201, ...Array(9).fill(409)]);
      const rows = await t.db.kysely.selectFrom('products').select('id').where('code', '=', code).execute();
      assert.equal(rows.length, 1);
    });

    it('lists products with filters and cursor pagination', async () => {
      const disabled = await newProduct({ status: 'disabled' });
      const listed = await call('GET', '/v1/products?status=disabled');
      const ids = (listed.json() as { data: Product[] }).data.map((product) => product.id);
      assert.ok(ids.includes(disabled.id));
      assert.ok(
        (listed.json() as { data: Product[] }).data.every((product) => product.status === 'disabled'),
      );
      const first = (await call('GET', '/v1/products?limit=2')).json() as {
        data: Product[];
        nextCursor: string;
      };
      assert.equal(first.data.length, 2);
      const second = (await call('GET', `/v1/products?limit=2&cursor=${first.nextCursor}`)).json() as {
        data: Product[];
      };
      assert.ok(second.data.every((product) => !first.data.some((seen) => seen.id === product.id)));
      const byCode = (await call('GET', `/v1/products?code=${disabled.code}`)).json() as { data: Product[] };
      assert.deepEqual(
        byCode.data.map((product) => product.id),
        [disabled.id],
      );
    });

    it('a product-restricted key sees only its products: others answer 404, creating answers 403', async () => {
      const mine = await newProduct();
      const theirs = await newProduct();
      const restricted = (await createKey(t, ['products:read', 'products:write'], { productIds: [mine.id] }))
        .secret;
      const list = (await call('GET', '/v1/products?limit=200', undefined, restricted)).json() as {
        data: Product[];
      };
      assert.deepEqual(
        list.data.map((product) => product.id),
        [mine.id],
      );
      assert.equal((await call('GET', `/v1/products/${mine.id}`, undefined, restricted)).statusCode, 200);
      expectError(await call('GET', `/v1/products/${theirs.id}`, undefined, restricted), 404, 'NOT_FOUND');
      expectError(
        await call('PATCH', `/v1/products/${theirs.id}`, { name: 'x' }, restricted),
        404,
        'NOT_FOUND',
      );
      expectError(
        await call('POST', '/v1/products', { code: nextCode(), name: 'x' }, restricted),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
    });

    it('updating changes the fields and audits before and after', async () => {
      const product = await newProduct();
      const res = await call('PATCH', `/v1/products/${product.id}`, {
        name: 'Acme Studio 2',
        status: 'archived',
        trial: { enabled: true, days: 30, requireEmail: true },
      });
      assert.equal(res.statusCode, 200, res.body);
      const updated = res.json() as Product;
      assert.equal(updated.name, 'Acme Studio 2');
      assert.equal(updated.status, 'archived');
      const log = await call('GET', `/v1/audit-log?targetId=${product.id}&action=product.update`);
      const [entry] = (log.json() as { data: { changes: Record<string, unknown> }[] }).data;
      assert.deepEqual(entry?.changes.status, ['active', 'archived']);
      assert.deepEqual(entry?.changes.name, ['Acme Studio', 'Acme Studio 2']);
      expectError(await call('PATCH', `/v1/products/${product.id}`, {}), 400, 'VALIDATION_ERROR');
      expectError(
        await call('PATCH', `/v1/products/${product.id}`, { code: 'renamed' }),
        400,
        'VALIDATION_ERROR',
      );
    });

    it('deleting answers 204; afterwards reads answer 410 GONE, lists drop it, and its code is free', async () => {
      const product = await newProduct();
      assert.equal((await call('DELETE', `/v1/products/${product.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/products/${product.id}`), 410, 'GONE');
      expectError(await call('PATCH', `/v1/products/${product.id}`, { name: 'x' }), 410, 'GONE');
      expectError(await call('DELETE', `/v1/products/${product.id}`), 410, 'GONE');
      expectError(await call('GET', `/v1/products/${product.id}/features`), 410, 'GONE');
      const listed = (await call('GET', `/v1/products?code=${product.code}`)).json() as { data: unknown[] };
      assert.equal(listed.data.length, 0);
      assert.equal(
        (await call('POST', '/v1/products', { code: product.code, name: 'Reborn' })).statusCode,
        201,
      );
      expectError(await call('GET', '/v1/products/prod_01KNOSUCHPRODUCT0000000000'), 404, 'NOT_FOUND');
    });

    it('features: create, list, read, update and remove, with kind rules and unique codes', async () => {
      const product = await newProduct();
      const base = `/v1/products/${product.id}/features`;
      expectError(
        await call('POST', base, { code: 'seats', name: 'Seats', kind: 'floating' }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await call('POST', base, { code: 'export', name: 'Export', kind: 'boolean', seats: 3 }),
        400,
        'VALIDATION_ERROR',
      );
      const floating = await call('POST', base, {
        code: 'render-node',
        name: 'Render node',
        kind: 'floating',
        seats: 5,
      });
      assert.equal(floating.statusCode, 201, floating.body);
      const feature = floating.json() as { id: string; seats: number; productId: string };
      assert.equal(feature.productId, product.id);
      assert.equal(floating.headers.location, `${base}/${feature.id}`);
      expectError(
        await call('POST', base, { code: 'render-node', name: 'Again', kind: 'boolean' }),
        409,
        'ALREADY_EXISTS',
      );
      assert.equal(
        (
          await call('POST', base, {
            code: 'api-calls',
            name: 'API calls',
            kind: 'consumption',
            maxConsumption: 1000,
          })
        ).statusCode,
        201,
      );
      const list = (await call('GET', `${base}?kind=floating`)).json() as { data: { id: string }[] };
      assert.deepEqual(
        list.data.map((item) => item.id),
        [feature.id],
      );
      const patched = await call('PATCH', `${base}/${feature.id}`, { seats: 8 });
      assert.equal((patched.json() as { seats: number }).seats, 8);
      expectError(
        await call('PATCH', `${base}/${feature.id}`, { maxConsumption: 5 }),
        400,
        'VALIDATION_ERROR',
      );
      assert.equal((await call('DELETE', `${base}/${feature.id}`)).statusCode, 204);
      expectError(await call('GET', `${base}/${feature.id}`), 404, 'NOT_FOUND');
    });
  });
}
