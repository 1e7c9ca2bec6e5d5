// Licenses through HTTP, on both engines: issue, keys, references, the state machine, expiry, transfer, delete.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type License = {
  id: string;
  key?: string;
  keyPrefix: string;
  status: string;
  expiresAt: string | null;
  maintenanceExpired: boolean;
  maxMachines: number | null;
  machinesCount: number;
  transfersCount: number;
  customerId: string | null;
  policyId: string;
  productId: string;
};

const day = 86_400;

for (const dialect of dialects()) {
  describe(`licenses (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string };
    let yearly: { id: string };
    let maintenance: { id: string };
    let perpetual: { id: string };
    let customer: { id: string };
    let otherCustomer: { id: string };

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
    const issue = async (payload: Record<string, unknown>) => {
      const res = await call('POST', '/v1/licenses', payload);
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as License;
    };

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'studio', name: 'Studio' });
      yearly = await createPolicy(t, admin, product.id, {
        code: 'yearly',
        name: 'Yearly',
        durationSeconds: 365 * day,
        maxMachines: 3,
        maxTransfers: 1,
      });
      maintenance = await createPolicy(t, admin, product.id, {
        code: 'maintenance',
        name: 'Maintenance',
        durationSeconds: 30 * day,
        expirationStrategy: 'maintenance',
      });
      perpetual = await createPolicy(t, admin, product.id, { code: 'perpetual', name: 'Perpetual' });
      customer = (await call('POST', '/v1/customers', { email: 'buyer@example.com' })).json() as {
        id: string;
      };
      otherCustomer = (await call('POST', '/v1/customers', { email: 'heir@example.com' })).json() as {
        id: string;
      };
    });
    after(() => t.close());

    it('issuing answers 201 with a generated key, the policy term, and stores only a hash and a sealed copy', async () => {
      const res = await call('POST', '/v1/licenses', { policyId: yearly.id, customerId: customer.id });
      assert.equal(res.statusCode, 201, res.body);
      const license = res.json() as License;
      assert.match(license.key ?? '', /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
      assert.equal(license.keyPrefix, license.key?.slice(0, 5));
      assert.equal(res.headers.location, `/v1/licenses/${license.id}`);
      assert.deepEqual(
        [license.status, license.productId, license.maxMachines, license.machinesCount, license.expiresAt],
        ['active', product.id, 3, 0, new Date(t.clock.nowMs() + 365 * day * 1000).toISOString()],
      );
      const row = await t.db.kysely
        .selectFrom('licenses')
        .selectAll()
        .where('id', '=', license.id)
        .executeTakeFirstOrThrow();
      assert.equal(
        row.key_hash,
        createHash('sha256')
          .update(license.key ?? '')
          .digest('hex'),
      );
      assert.ok(!JSON.stringify(row).includes(license.key ?? 'none'), 'no plain key in the row');
    });

    it('a supplied key is kept (normalized); a Charter-shaped key with a bad checksum or a taken key is refused', async () => {
      const supplied = await issue({ policyId: perpetual.id, key: ' legacy-0001-abc ' });
      assert.equal(supplied.key, 'LEGACY-0001-ABC');
      expectError(
        await call('POST', '/v1/licenses', { policyId: perpetual.id, key: 'LEGACY-0001-abc' }),
        409,
        'ALREADY_EXISTS',
      );
      expectError(
        await call('POST', '/v1/licenses', { policyId: perpetual.id, key: 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE' }),
        400,
        'VALIDATION_ERROR',
      );
      const found = (
        await call('GET', `/v1/licenses?key=${encodeURIComponent('legacy-0001-abc')}`)
      ).json() as { data: License[] };
      assert.deepEqual(
        found.data.map((license) => license.id),
        [supplied.id],
      );
    });

    it('unknown references answer 422; an archived product refuses new licenses', async () => {
      expectError(await call('POST', '/v1/licenses', { policyId: 'pol_nope' }), 422, 'UNKNOWN_POLICY');
      expectError(
        await call('POST', '/v1/licenses', { policyId: yearly.id, customerId: 'cus_nope' }),
        422,
        'UNKNOWN_CUSTOMER',
      );
      const other = await createProduct(t, admin, { code: 'other', name: 'Other' });
      expectError(
        await call('POST', '/v1/licenses', { policyId: yearly.id, productId: other.id }),
        422,
        'UNKNOWN_POLICY',
      );
      const archived = await createProduct(t, admin, { code: 'old', name: 'Old', status: 'archived' });
      const oldPolicy = await createPolicy(t, admin, archived.id);
      expectError(await call('POST', '/v1/licenses', { policyId: oldPolicy.id }), 422, 'PRODUCT_ARCHIVED');
    });

    it('only callers with licenses:read see the full key', async () => {
      const writer = (await createKey(t, ['licenses:write'])).secret;
      const res = await call('POST', '/v1/licenses', { policyId: perpetual.id }, writer);
      assert.equal(res.statusCode, 201, res.body);
      const license = res.json() as License;
      assert.equal(license.key, undefined);
      assert.match(license.keyPrefix, /^[0-9A-Z]{5}$/);
    });

    it('suspend, reinstate and revoke follow the state machine; forbidden moves answer 409 with currentStatus', async () => {
      const license = await issue({ policyId: yearly.id });
      const path = `/v1/licenses/${license.id}`;
      assert.equal(((await call('POST', `${path}/suspend`)).json() as License).status, 'suspended');
      const again = expectError(await call('POST', `${path}/suspend`), 409, 'INVALID_TRANSITION');
      assert.deepEqual(again.details, { currentStatus: 'suspended', attempted: 'suspend' });
      expectError(await call('POST', `${path}/renew`), 409, 'INVALID_TRANSITION');
      assert.equal(((await call('POST', `${path}/reinstate`)).json() as License).status, 'active');
      assert.equal(((await call('POST', `${path}/revoke`)).json() as License).status, 'revoked');
      for (const action of ['suspend', 'reinstate', 'renew', 'revoke']) {
        const body = expectError(await call('POST', `${path}/${action}`), 409, 'INVALID_TRANSITION');
        assert.equal(body.details?.currentStatus, 'revoked');
      }
      const actions = await t.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', license.id)
        .execute();
      assert.deepEqual(actions.map((entry) => entry.action).sort(), [
        'license.create',
        'license.reinstate',
        'license.revoke',
        'license.suspend',
      ]);
    });

    it('past expiresAt a license shows expired (restrict) or stays active with maintenanceExpired; renew revives it', async () => {
      const restricted = await issue({
        policyId: yearly.id,
        expiresAt: new Date(t.clock.nowMs() + 1000).toISOString(),
      });
      const kept = await issue({
        policyId: maintenance.id,
        expiresAt: new Date(t.clock.nowMs() + 1000).toISOString(),
      });
      t.clock.advance(2000);
      const expired = (await call('GET', `/v1/licenses/${restricted.id}`)).json() as License;
      assert.equal(expired.status, 'expired');
      const maintained = (await call('GET', `/v1/licenses/${kept.id}`)).json() as License;
      assert.deepEqual([maintained.status, maintained.maintenanceExpired], ['active', true]);
      const listed = (await call('GET', '/v1/licenses?status=expired&limit=200')).json() as {
        data: License[];
      };
      assert.ok(listed.data.some((license) => license.id === restricted.id));
      assert.ok(!listed.data.some((license) => license.id === kept.id));
      expectError(await call('POST', `/v1/licenses/${restricted.id}/suspend`), 409, 'INVALID_TRANSITION');
      const renewed = (await call('POST', `/v1/licenses/${restricted.id}/renew`)).json() as License;
      assert.equal(renewed.status, 'active');
      assert.equal(renewed.expiresAt, new Date(t.clock.nowMs() + 365 * day * 1000).toISOString());
      const perpetualLicense = await issue({ policyId: perpetual.id });
      expectError(await call('POST', `/v1/licenses/${perpetualLicense.id}/renew`), 409, 'INVALID_TRANSITION');
    });

    it('GET /v1/licenses/counts counts by effective status in one answer; a restricted key counts its products only', async () => {
      const counted = await createProduct(t, admin, { code: 'counted', name: 'Counted' });
      const term = await createPolicy(t, admin, counted.id, {
        code: 'term',
        name: 'Term',
        durationSeconds: 30 * day,
      });
      const kept = await createPolicy(t, admin, counted.id, {
        code: 'kept',
        name: 'Kept',
        durationSeconds: 30 * day,
        expirationStrategy: 'maintenance',
      });
      const soon = new Date(t.clock.nowMs() + 1000).toISOString();
      await issue({ policyId: term.id });
      await issue({ policyId: kept.id, expiresAt: soon });
      await issue({ policyId: term.id, expiresAt: soon });
      const suspended = await issue({ policyId: term.id });
      const revoked = await issue({ policyId: term.id });
      assert.equal((await call('POST', `/v1/licenses/${suspended.id}/suspend`)).statusCode, 200);
      assert.equal((await call('POST', `/v1/licenses/${revoked.id}/revoke`)).statusCode, 200);
      t.clock.advance(2000);
      const counts = await call('GET', '/v1/licenses/counts?productId=counted');
      assert.equal(counts.statusCode, 200, counts.body);
      assert.deepEqual(counts.json(), { active: 2, suspended: 1, revoked: 1, expired: 1, total: 5 });
      for (const status of ['active', 'suspended', 'revoked', 'expired'] as const) {
        const listed = (
          await call('GET', `/v1/licenses?productId=counted&status=${status}&limit=100`)
        ).json() as {
          data: License[];
        };
        assert.equal(listed.data.length, (counts.json() as Record<string, number>)[status], status);
      }
      const elsewhere = (await createKey(t, ['licenses:read'], { productIds: [product.id] })).secret;
      const theirs = (await call('GET', '/v1/licenses/counts', undefined, elsewhere)).json() as {
        total: number;
      };
      const all = (await call('GET', '/v1/licenses/counts')).json() as { total: number };
      assert.equal(all.total - theirs.total, 5, 'the counted product is outside the restricted key');
      expectError(
        await call('GET', '/v1/licenses/counts?productId=counted', undefined, elsewhere),
        404,
        'NOT_FOUND',
      );
      expectError(await call('GET', '/v1/licenses/counts?status=active'), 400, 'INVALID_QUERY');
    });

    it('keyPrefix finds the licenses whose key starts with that group, in any case and Crockford spelling', async () => {
      const license = await issue({ policyId: perpetual.id });
      const group = license.keyPrefix;
      for (const typed of [group, group.toLowerCase(), ` ${group.replace(/0/g, 'O').replace(/1/g, 'I')} `]) {
        const found = (await call('GET', `/v1/licenses?keyPrefix=${encodeURIComponent(typed)}`)).json() as {
          data: License[];
        };
        assert.ok(
          found.data.some((item) => item.id === license.id),
          `${typed} finds ${group}`,
        );
        assert.ok(found.data.every((item) => item.keyPrefix === group));
      }
      const none = (await call('GET', '/v1/licenses?keyPrefix=ZZZZZZZZ')).json() as { data: License[] };
      assert.deepEqual(none.data, []);
    });

    it('transfer moves the license to another customer and counts against maxTransfers', async () => {
      const license = await issue({ policyId: yearly.id, customerId: customer.id });
      const moved = (
        await call('POST', `/v1/licenses/${license.id}/transfer`, { customerId: otherCustomer.id })
      ).json() as License;
      assert.deepEqual([moved.customerId, moved.transfersCount], [otherCustomer.id, 1]);
      const body = expectError(
        await call('POST', `/v1/licenses/${license.id}/transfer`, { customerId: customer.id }),
        422,
        'TRANSFER_LIMIT_EXCEEDED',
      );
      assert.deepEqual(body.details, { limit: 1, used: 1 });
      expectError(
        await call('POST', `/v1/licenses/${license.id}/transfer`, { customerId: 'cus_nope' }),
        422,
        'UNKNOWN_CUSTOMER',
      );
      expectError(await call('POST', `/v1/licenses/${license.id}/transfer`, {}), 400, 'VALIDATION_ERROR');
    });

    it('PATCH overrides maxMachines and expiresAt; DELETE answers 204 then 410', async () => {
      const license = await issue({ policyId: yearly.id });
      const patched = (
        await call('PATCH', `/v1/licenses/${license.id}`, { maxMachines: 7, expiresAt: null })
      ).json() as License;
      assert.deepEqual([patched.maxMachines, patched.expiresAt], [7, null]);
      assert.equal((await call('DELETE', `/v1/licenses/${license.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/licenses/${license.id}`), 410, 'GONE');
      expectError(await call('POST', `/v1/licenses/${license.id}/suspend`), 410, 'GONE');
      expectError(await call('GET', '/v1/licenses/lic_nope'), 404, 'NOT_FOUND');
    });
  });
}
