// Products, policies and customers named by id or by their natural key (code, email) wherever a request names
// one, through HTTP on both engines: every list filter answers by code what it answers by id; a filter naming
// nothing (or what the caller may not see) answers 404 NOT_FOUND, never an empty list; bodies resolve the same names.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError, issuesOf } from '../support/expect-error.js';
import { type CreatedPolicy, createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type Page = { data: { id: string; productId?: string | null }[]; nextCursor: string | null };

for (const dialect of dialects()) {
  describe(`products, policies and customers named by id or code (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    /** A key restricted to product beta. */
    let betaOnly: string;
    let alpha: { id: string; code: string };
    let beta: { id: string; code: string };
    let alphaYearly: CreatedPolicy;
    let alphaMonthly: CreatedPolicy;
    let betaYearly: CreatedPolicy;
    let ann: { id: string; email: string };
    let bob: { id: string; email: string };
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const asBetaOnly = managementCalls(
      () => t,
      () => betaOnly,
    );
    const client = clientCalls(() => t);
    const ok = async (url: string, as = call) => {
      const res = await as('GET', url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return res.json() as Page;
    };
    const issue = async (payload: Record<string, unknown>) => {
      const res = await call('POST', '/v1/licenses', payload);
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; key: string; policyId: string; customerId: string | null };
    };

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      alpha = await createProduct(t, admin, { code: 'alpha', name: 'Alpha' });
      beta = await createProduct(t, admin, { code: 'beta', name: 'Beta' });
      betaOnly = (await createKey(t, ['admin'], { productIds: [beta.id] })).secret;
      alphaYearly = await createPolicy(t, admin, 'alpha', { code: 'yearly' });
      alphaMonthly = await createPolicy(t, admin, 'alpha', { code: 'monthly' });
      betaYearly = await createPolicy(t, admin, 'beta', { code: 'yearly' });
      for (const [email, set] of [
        ['ann@example.com', (row: { id: string; email: string }) => (ann = row)],
        ['bob@example.com', (row: { id: string; email: string }) => (bob = row)],
      ] as const) {
        const res = await call('POST', '/v1/customers', { email });
        assert.equal(res.statusCode, 201, res.body);
        set(res.json() as { id: string; email: string });
      }
      const annYearly = await issue({ policyId: alphaYearly.id, customerId: ann.id });
      await issue({ policyId: alphaMonthly.id, customerId: bob.id });
      await issue({ policyId: betaYearly.id, customerId: ann.id });
      await issue({ policyId: alphaYearly.id });
      for (const [product, version] of [
        ['alpha', '1.0.0'],
        ['alpha', '1.1.0'],
        ['beta', '2.0.0'],
      ] as const) {
        const res = await call('POST', '/v1/releases', { productId: product, version });
        assert.equal(res.statusCode, 201, res.body);
      }
      for (const [productId, fingerprint] of [
        ['alpha', 'fp-alpha-1'],
        ['alpha', 'fp-alpha-2'],
        ['beta', 'fp-beta'],
      ] as const)
        assert.equal((await call('POST', '/v1/blocklist', { productId, fingerprint })).statusCode, 201);
      // Some usage to report.
      await client('validate', { licenseKey: annYearly.key });
    });
    after(() => t.close());

    it('every product filter answers by code exactly what it answers by id: policies, licenses, releases, blocklist, usage', async () => {
      for (const path of ['/v1/policies', '/v1/licenses', '/v1/releases', '/v1/blocklist']) {
        const byId = await ok(`${path}?productId=${alpha.id}`);
        const byCode = await ok(`${path}?productId=alpha`);
        assert.deepEqual(byCode, byId, path);
        assert.ok(byId.data.length >= 2, `${path} lists alpha's`);
        assert.ok(
          byId.data.every((item) => item.productId === alpha.id),
          `${path} lists alpha's only`,
        );
      }
      const usageById = await call('GET', `/v1/usage?productId=${alpha.id}&bucket=hour`);
      const usageByCode = await call('GET', '/v1/usage?productId=alpha&bucket=hour');
      assert.equal(usageByCode.statusCode, 200, usageByCode.body);
      assert.deepEqual(usageByCode.json(), usageById.json());
      assert.equal((usageByCode.json() as { productId: string }).productId, alpha.id);
      // Paging by code walks the same pages as by id.
      const firstByCode = await ok('/v1/policies?productId=alpha&limit=1');
      const firstById = await ok(`/v1/policies?productId=${alpha.id}&limit=1`);
      assert.deepEqual(firstByCode, firstById);
      assert.ok(firstByCode.nextCursor);
      assert.deepEqual(
        await ok(`/v1/policies?productId=alpha&limit=1&cursor=${firstByCode.nextCursor}`),
        await ok(`/v1/policies?productId=${alpha.id}&limit=1&cursor=${firstById.nextCursor}`),
      );
    });

    it('licenses filter by policy code (within the product named beside it) and by customer email as by id', async () => {
      const monthly = await ok('/v1/licenses?policyId=monthly');
      assert.deepEqual(monthly, await ok(`/v1/licenses?policyId=${alphaMonthly.id}`));
      assert.equal(monthly.data.length, 1);
      const yearlyOfBeta = await ok('/v1/licenses?productId=beta&policyId=yearly');
      assert.deepEqual(yearlyOfBeta, await ok(`/v1/licenses?policyId=${betaYearly.id}`));
      assert.equal(yearlyOfBeta.data.length, 1);
      const anns = await ok(`/v1/licenses?customerId=${encodeURIComponent('Ann@Example.com')}`);
      assert.deepEqual(anns, await ok(`/v1/licenses?customerId=${ann.id}`));
      assert.equal(anns.data.length, 2);
    });

    it('a policy code several products use, named without its product, answers 400 VALIDATION_ERROR on policyId', async () => {
      const body = expectError(await call('GET', '/v1/licenses?policyId=yearly'), 400, 'VALIDATION_ERROR');
      assert.deepEqual(
        issuesOf(body).map((issue) => issue.path),
        [['policyId']],
      );
      assert.equal(body.details?.location, 'query');
    });

    it('a filter naming no product, policy or customer answers 404 NOT_FOUND, never an empty list', async () => {
      for (const url of [
        '/v1/policies?productId=nope',
        '/v1/policies?productId=prod_01KAJ6ZQ4M9H3XG0C6V7T8W2YB',
        '/v1/licenses?productId=nope',
        '/v1/releases?productId=nope',
        '/v1/blocklist?productId=nope',
        '/v1/usage?productId=nope',
        '/v1/licenses?policyId=nope',
        '/v1/licenses?productId=beta&policyId=monthly',
        '/v1/licenses?policyId=pol_01KAJ6ZQ4M9H3XG0C6V7T8W2YB',
        '/v1/licenses?customerId=nobody@example.com',
        '/v1/licenses?customerId=cus_01KAJ6ZQ4M9H3XG0C6V7T8W2YB',
      ]) {
        const body = expectError(await call('GET', url), 404, 'NOT_FOUND');
        assert.match(body.message, /^No (product|policy|customer) /, url);
      }
    });

    it('every list filter naming a record (…Id) answers 404 NOT_FOUND for an unknown one, and documents its 404', async () => {
      const document = (await call('GET', '/openapi.json')).json() as {
        paths: Record<
          string,
          Record<string, { parameters?: { in: string; name: string }[]; responses: object }>
        >;
      };
      // The audit log names actors and targets that may since have gone: those filters stay plain matches. An
      // order's externalId searches for the order itself (the shop's number), not for a record the list hangs
      // from: no such order is an empty list.
      const plain = new Set(['/v1/audit-log?actorId', '/v1/audit-log?targetId', '/v1/orders?externalId']);
      const checked: string[] = [];
      for (const [path, operations] of Object.entries(document.paths)) {
        const list = operations.get;
        if (!list || path.includes('{')) continue;
        for (const { name } of (list.parameters ?? []).filter(
          (p) => p.in === 'query' && /Id$/.test(p.name),
        )) {
          if (plain.has(`${path}?${name}`)) continue;
          const url = `${path}?${name}=nothing_01KAJ6ZQ4M9H3XG0C6V7T8W2YB`;
          expectError(await call('GET', url), 404, 'NOT_FOUND');
          assert.ok('404' in list.responses, `${path} documents no 404 for ${name}`);
          checked.push(`${path}?${name}`);
        }
      }
      for (const expected of [
        '/v1/orders?customerId',
        '/v1/licenses?customerId',
        '/v1/machines?licenseId',
        '/v1/leases?licenseId',
        '/v1/leases/denials?licenseId',
        '/v1/actions?incidentId',
        '/v1/monitor/polls?serverId',
      ])
        assert.ok(checked.includes(expected), `${expected} was not found in the document`);
    });

    it("a license filter naming another product's license answers a restricted key the 404 of an unknown one", async () => {
      const alphaLicense = (await ok(`/v1/licenses?productId=${alpha.id}`)).data[0];
      assert.ok(alphaLicense);
      for (const path of ['/v1/machines', '/v1/leases', '/v1/leases/denials']) {
        assert.equal((await call('GET', `${path}?licenseId=${alphaLicense.id}`)).statusCode, 200);
        const body = expectError(
          await asBetaOnly('GET', `${path}?licenseId=${alphaLicense.id}`),
          404,
          'NOT_FOUND',
        );
        assert.equal(body.message, `No license ${alphaLicense.id}`);
      }
    });

    it('a key restricted to one product naming another product, its policy or its customer gets the 404 of an unknown one', async () => {
      const unknown = expectError(await asBetaOnly('GET', '/v1/policies?productId=gamma'), 404, 'NOT_FOUND');
      for (const reference of ['alpha', alpha.id]) {
        for (const path of ['/v1/policies', '/v1/licenses', '/v1/releases', '/v1/blocklist', '/v1/usage']) {
          const body = expectError(
            await asBetaOnly('GET', `${path}?productId=${reference}`),
            404,
            'NOT_FOUND',
          );
          assert.deepEqual(
            { message: body.message.replace(reference, 'gamma'), details: body.details },
            { message: unknown.message, details: { productId: reference } },
          );
          assert.deepEqual(unknown.details, { productId: 'gamma' });
        }
      }
      // alpha's own policy code, and a customer holding only alpha's licenses, are as unknown to it.
      expectError(await asBetaOnly('GET', '/v1/licenses?policyId=monthly'), 404, 'NOT_FOUND');
      expectError(
        await asBetaOnly('GET', `/v1/licenses?customerId=${encodeURIComponent(bob.email)}`),
        404,
        'NOT_FOUND',
      );
      // A code several products use means its own product's policy to it.
      const own = await ok('/v1/licenses?policyId=yearly', asBetaOnly);
      assert.deepEqual(
        own.data.map((license) => license.productId),
        [beta.id],
      );
      assert.deepEqual(
        await ok('/v1/policies?productId=beta', asBetaOnly),
        await ok('/v1/policies?productId=beta'),
      );
    });

    it('a deleted product named by id answers 410 GONE, and its code names nothing any more', async () => {
      const gone = await createProduct(t, admin, { code: 'gone', name: 'Gone' });
      assert.equal((await call('DELETE', `/v1/products/${gone.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/policies?productId=${gone.id}`), 410, 'GONE');
      expectError(await call('GET', '/v1/policies?productId=gone'), 404, 'NOT_FOUND');
    });

    it('POST /v1/licenses names the policy by code and the customer by email, the product beside an ambiguous code', async () => {
      const byCode = await issue({ policyId: 'monthly', customerId: 'BOB@example.com' });
      assert.deepEqual([byCode.policyId, byCode.customerId], [alphaMonthly.id, bob.id]);
      const ofBeta = await issue({ policyId: 'yearly', productId: 'beta' });
      assert.equal(ofBeta.policyId, betaYearly.id);
      const ambiguous = expectError(
        await call('POST', '/v1/licenses', { policyId: 'yearly' }),
        400,
        'VALIDATION_ERROR',
      );
      assert.deepEqual(
        issuesOf(ambiguous).map((issue) => issue.path),
        [['policyId']],
      );
      expectError(await call('POST', '/v1/licenses', { policyId: 'nope' }), 422, 'UNKNOWN_POLICY');
      expectError(
        await call('POST', '/v1/licenses', { policyId: 'monthly', productId: 'beta' }),
        422,
        'UNKNOWN_POLICY',
      );
      expectError(
        await call('POST', '/v1/licenses', { policyId: 'monthly', customerId: 'nobody@example.com' }),
        422,
        'UNKNOWN_CUSTOMER',
      );
      // Transferring to a customer named by email hands the license to that customer's id.
      const moved = await call('POST', `/v1/licenses/${byCode.id}/transfer`, { customerId: ann.email });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal((moved.json() as { customerId: string }).customerId, ann.id);
    });

    it('in a body, a restricted key gets its own product’s policy for a shared code, and 403 for another product’s', async () => {
      const own = await asBetaOnly('POST', '/v1/licenses', { policyId: 'yearly' });
      assert.equal(own.statusCode, 201, own.body);
      assert.equal((own.json() as { policyId: string }).policyId, betaYearly.id);
      expectError(
        await asBetaOnly('POST', '/v1/licenses', { policyId: 'monthly' }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      expectError(await asBetaOnly('POST', '/v1/licenses', { policyId: 'nope' }), 422, 'UNKNOWN_POLICY');
    });

    it('an order names its customer by email and an item’s policy by id or code', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { authorization: `Bearer ${admin}`, 'idempotency-key': `refs-${dialect}` },
        payload: {
          externalId: `refs-${dialect}`,
          customerId: ann.email,
          items: [
            { productCode: 'alpha', policyCode: alphaMonthly.id, quantity: 1 },
            { productCode: beta.id, policyCode: 'yearly', quantity: 1 },
          ],
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const order = res.json() as { customerId: string; licenses: { policyId: string }[] };
      assert.equal(order.customerId, ann.id);
      assert.deepEqual(
        order.licenses.map((license) => license.policyId).sort(),
        [alphaMonthly.id, betaYearly.id].sort(),
      );
    });
  });
}
