// Orders through HTTP, on both engines: a sale issues its licenses all or nothing, with the customer found or
// created, users assigned on per-user products, externalId unique, and Idempotency-Key required.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recentEvents } from '../../src/events/service.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type Order = {
  id: string;
  externalId: string;
  customerId: string;
  licenses: { id: string; key?: string; productId: string; policyId: string; customerId: string | null }[];
};

for (const dialect of dialects()) {
  describe(`orders (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let keyCount = 0;
    const call = (
      method: 'GET' | 'POST',
      url: string,
      payload?: object,
      headers: Record<string, string> = {},
    ) =>
      t.app.inject({
        method,
        url,
        headers: { ...bearer(admin), ...headers },
        ...(payload === undefined ? {} : { payload }),
      });
    const order = (payload: object, key = `order-${++keyCount}`, secret = admin) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...bearer(secret), 'idempotency-key': key },
        payload,
      });
    const licenseCount = async () =>
      ((await call('GET', '/v1/licenses?limit=200')).json() as { data: unknown[] }).data.length;
    const customerEmails = async () =>
      ((await call('GET', '/v1/customers?limit=200')).json() as { data: { email: string }[] }).data.map(
        (customer) => customer.email,
      );

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      for (const [code, licenseModel] of [
        ['studio', 'key'],
        ['teams', 'user'],
      ] as const) {
        const product = await createProduct(t, admin, { code, name: code, licenseModel });
        for (const policy of ['yearly', 'perpetual'])
          await createPolicy(t, admin, product.id, { code: policy, name: policy, maxUsers: 3 });
      }
    });
    after(() => t.close());

    it('issues every item’s licenses to a customer found or created by email, and reads back', async () => {
      const res = await order({
        externalId: 'shop-1001',
        customer: { email: 'buyer@example.com', name: 'Buyer', company: 'Acme' },
        items: [
          { productCode: 'studio', policyCode: 'yearly', quantity: 2 },
          {
            productCode: 'teams',
            policyCode: 'perpetual',
            quantity: 1,
            users: ['a@example.com', 'b@example.com'],
          },
        ],
      });
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json() as Order;
      assert.equal(res.headers.location, `/v1/orders/${created.id}`);
      assert.match(created.id, /^ord_/);
      assert.equal(created.licenses.length, 3);
      assert.ok(
        created.licenses.every((license) => license.customerId === created.customerId && license.key),
      );
      const customer = (await call('GET', `/v1/customers/${created.customerId}`)).json() as { email: string };
      assert.equal(customer.email, 'buyer@example.com');
      const teams = ((await call('GET', '/v1/products?code=teams')).json() as { data: { id: string }[] })
        .data[0];
      const teamsLicense = created.licenses.find((license) => license.productId === teams?.id);
      const users = (await call('GET', `/v1/licenses/${teamsLicense?.id}/users`)).json() as {
        data: { email: string }[];
      };
      assert.deepEqual(users.data.map((user) => user.email).sort(), ['a@example.com', 'b@example.com']);
      assert.deepEqual((await call('GET', `/v1/orders/${created.id}`)).json(), created);

      // A second order of the same customer finds it.
      const again = (
        await order({
          externalId: 'shop-1002',
          customer: { email: 'buyer@example.com' },
          items: [{ productCode: 'studio', policyCode: 'perpetual', quantity: 1 }],
        })
      ).json() as Order;
      assert.equal(again.customerId, created.customerId);
      // order.created is stored without license keys.
      const [event] = await recentEvents(t.db.kysely, { type: 'order.created', limit: 1 });
      assert.doesNotMatch(JSON.stringify(event), /"key":/);
    });

    it('an order that fails writes nothing: unknown product or policy, too many licenses, duplicate externalId', async () => {
      const before = [await licenseCount(), (await customerEmails()).length];
      const base = { customer: { email: 'nobody@example.com' } };
      expectError(
        await order({
          ...base,
          externalId: 'bad-1',
          items: [
            { productCode: 'studio', policyCode: 'yearly', quantity: 1 },
            { productCode: 'nope', policyCode: 'yearly', quantity: 1 },
          ],
        }),
        422,
        'UNKNOWN_PRODUCT',
      );
      expectError(
        await order({
          ...base,
          externalId: 'bad-2',
          items: [{ productCode: 'studio', policyCode: 'monthly', quantity: 1 }],
        }),
        422,
        'UNKNOWN_POLICY',
      );
      const large = expectError(
        await order({
          ...base,
          externalId: 'bad-3',
          items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1001 }],
        }),
        422,
        'QUANTITY_TOO_LARGE',
      );
      assert.deepEqual(large.details, { limit: 1000, used: 1001 });
      expectError(
        await order({
          ...base,
          externalId: 'shop-1001',
          items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }],
        }),
        409,
        'ALREADY_EXISTS',
      );
      expectError(
        await order({
          customerId: 'cus_missing',
          externalId: 'bad-4',
          items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }],
        }),
        422,
        'UNKNOWN_CUSTOMER',
      );
      assert.deepEqual([await licenseCount(), (await customerEmails()).length], before);
      assert.ok(!(await customerEmails()).includes('nobody@example.com'));
    });

    it('concurrent orders for one new customer email all succeed, to one customer', async () => {
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, index) =>
          order({
            externalId: `race-${index}`,
            customer: { email: 'racer@example.com' },
            items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }],
          }),
        ),
      );
      for (const res of answers) assert.equal(res.statusCode, 201, res.body);
      const customers = new Set(answers.map((res) => (res.json() as { customerId: string }).customerId));
      assert.equal(customers.size, 1);
      assert.equal((await customerEmails()).filter((email) => email === 'racer@example.com').length, 1);
    });

    it('POST /v1/orders needs an Idempotency-Key (400 MISSING_HEADER) and replays a repeated one', async () => {
      const payload = {
        externalId: 'shop-2001',
        customer: { email: 'repeat@example.com' },
        items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }],
      };
      const missing = await t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: bearer(admin),
        payload,
      });
      expectError(missing, 400, 'MISSING_HEADER');
      const first = await order(payload, 'retry-me');
      const second = await order(payload, 'retry-me');
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(second.body, first.body);
      assert.equal(second.headers['idempotent-replayed'], 'true');
    });

    it('a body that names no customer, or both ways, or a per-user list on a per-key product answers 400', async () => {
      const items = [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }];
      expectError(await order({ externalId: 'bad-5', items }), 400, 'VALIDATION_ERROR');
      expectError(
        await order({
          externalId: 'bad-6',
          items,
          customerId: 'cus_x',
          customer: { email: 'x@example.com' },
        }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await order({
          externalId: 'bad-7',
          customer: { email: 'x@example.com' },
          items: [{ ...items[0], users: ['u@example.com'] }],
        }),
        400,
        'VALIDATION_ERROR',
      );
    });

    it('a key restricted to another product is refused (403) and cannot read the order (404)', async () => {
      const teams = ((await call('GET', '/v1/products?code=teams')).json() as { data: { id: string }[] })
        .data[0];
      const restricted = (
        await createKey(t, ['orders:write', 'orders:read'], { productIds: [teams?.id ?? ''] })
      ).secret;
      const refused = await order(
        {
          externalId: 'shop-3001',
          customer: { email: 'r@example.com' },
          items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }],
        },
        'restricted-1',
        restricted,
      );
      expectError(refused, 403, 'PRODUCT_NOT_ALLOWED');
      const other = (
        await order({
          externalId: 'shop-3002',
          customer: { email: 'r@example.com' },
          items: [{ productCode: 'studio', policyCode: 'yearly', quantity: 1 }],
        })
      ).json() as Order;
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/orders/${other.id}`,
        headers: bearer(restricted),
      });
      expectError(read, 404, 'NOT_FOUND');
      expectError(await call('GET', '/v1/orders/ord_missing'), 404, 'NOT_FOUND');
    });

    it('GET /v1/orders lists newest first with a license count, pages by cursor, filters by customer or externalId, and hides orders a restricted key cannot wholly see', async () => {
      type Summary = { id: string; externalId: string; customerId: string; licensesCount: number };
      type OrderPage = { data: Summary[]; nextCursor: string | null };
      const placed: Order[] = [];
      for (const [externalId, email, productCode, quantity] of [
        ['list-1', 'lister@example.com', 'studio', 2],
        ['list-2', 'lister@example.com', 'teams', 1],
        ['list-3', 'other-lister@example.com', 'studio', 3],
      ] as const) {
        const res = await order({
          externalId,
          customer: { email },
          items: [{ productCode, policyCode: 'yearly', quantity }],
        });
        assert.equal(res.statusCode, 201, res.body);
        placed.push(res.json() as Order);
      }
      const all = (await call('GET', '/v1/orders?limit=200')).json() as OrderPage;
      const ids = all.data.map((summary) => summary.id);
      assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
      const [first, second, third] = placed;
      assert.ok(first && second && third);
      assert.deepEqual(
        all.data.slice(0, 3).map((summary) => [summary.externalId, summary.licensesCount]),
        [
          ['list-3', 3],
          ['list-2', 1],
          ['list-1', 2],
        ],
      );
      assert.equal(
        'licenses' in (all.data[0] ?? {}),
        false,
        'a list answers counts, not up to 1,000 licenses each',
      );
      // Two at a time, with the cursor: the same orders in the same order, none twice.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await call('GET', url)).json() as OrderPage;
        paged.push(...page.data.map((summary) => summary.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(paged, ids);
      const byEmail = (await call('GET', '/v1/orders?customerId=lister@example.com')).json() as OrderPage;
      assert.deepEqual(
        byEmail.data.map((summary) => summary.externalId),
        ['list-2', 'list-1'],
      );
      const byId = (await call('GET', `/v1/orders?customerId=${third.customerId}`)).json() as OrderPage;
      assert.deepEqual(
        byId.data.map((summary) => summary.id),
        [third.id],
      );
      const byExternal = (await call('GET', '/v1/orders?externalId=list-2')).json() as OrderPage;
      assert.deepEqual(
        byExternal.data.map((summary) => summary.id),
        [second.id],
      );
      expectError(await call('GET', '/v1/orders?customerId=nobody@example.com'), 404, 'NOT_FOUND');
      expectError(await call('GET', '/v1/orders?status=paid'), 400, 'INVALID_QUERY');
      // A key restricted to teams lists the teams order and none of the studio ones.
      const teams = ((await call('GET', '/v1/products?code=teams')).json() as { data: { id: string }[] })
        .data[0];
      const restricted = (await createKey(t, ['orders:read'], { productIds: [teams?.id ?? ''] })).secret;
      const seen = (
        await t.app.inject({ method: 'GET', url: '/v1/orders?limit=200', headers: bearer(restricted) })
      ).json() as OrderPage;
      assert.ok(seen.data.some((summary) => summary.id === second.id));
      assert.ok(!seen.data.some((summary) => summary.id === first.id || summary.id === third.id));
      const refused = await t.app.inject({
        method: 'GET',
        url: '/v1/orders',
        headers: bearer((await createKey(t, ['licenses:read'])).secret),
      });
      expectError(refused, 403, 'AUTH_INSUFFICIENT');
    });
  });
}
