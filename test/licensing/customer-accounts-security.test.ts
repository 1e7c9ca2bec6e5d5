// What a restricted credential, a license user and a manager may not do with customer accounts, through HTTP on both
// engines: no password, invitation, manager or membership from a product-restricted credential; no reach into a
// manager or a seat holder of other products; a signed-in user acts on their own devices only; sign-ins are limited
// per address; a new invitation or password ends the older links; the portal's offline upload keeps device keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const password = 'a seat holder password';

for (const dialect of dialects()) {
  describe(`customer accounts: refusals (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let restricted: string;
    let mine: { id: string; code: string };
    let theirs: { id: string; code: string };
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const asRestricted = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: bearer(restricted), ...(payload ? { payload } : {}) });
    const client = clientCalls(() => t);

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      mine = await createProduct(t, admin, { name: 'Mine', licenseModel: 'user' });
      theirs = await createProduct(t, admin, { name: 'Theirs', licenseModel: 'user' });
      restricted = (
        await createKey(t, ['customers:read', 'customers:write', 'orders:write'], { productIds: [mine.id] })
      ).secret;
    });
    after(() => t.close());

    it('a product-restricted credential may set no password, send no invitation and make no manager or member (403 PRODUCT_NOT_ALLOWED)', async () => {
      const customer = (await call('POST', '/v1/customers', { email: 'it@a.example' })).json() as {
        id: string;
      };
      expectError(
        await asRestricted('POST', '/v1/users', { email: 'x@a.example', password }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      const user = (await asRestricted('POST', '/v1/users', { email: 'y@a.example' })).json() as {
        id: string;
      };
      expectError(
        await asRestricted('PATCH', `/v1/users/${user.id}`, { password }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      expectError(
        await asRestricted('POST', `/v1/users/${user.id}/invitations`, {}),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      expectError(
        await asRestricted('POST', `/v1/customers/${customer.id}/users`, { userId: user.id }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      expectError(
        await asRestricted('POST', `/v1/customers/${customer.id}/managers`, { userId: user.id }),
        403,
        'PRODUCT_NOT_ALLOWED',
      );
      const after = (await call('GET', `/v1/users/${user.id}`)).json() as { passwordSet: boolean };
      assert.equal(after.passwordSet, false);
      assert.equal(
        ((await call('GET', `/v1/customers/${customer.id}/license-users`)).json() as { data: [] }).data
          .length,
        0,
      );
    });

    it("a manager or seat holder of other products is out of a restricted credential's reach, in lists and in orders", async () => {
      const customer = (await call('POST', '/v1/customers', { email: 'it@b.example' })).json() as {
        id: string;
      };
      const manager = (await call('POST', '/v1/users', { email: 'boss@b.example', password })).json() as {
        id: string;
      };
      assert.equal(
        (await call('POST', `/v1/customers/${customer.id}/users`, { userId: manager.id })).statusCode,
        201,
      );
      assert.equal(
        (await call('POST', `/v1/customers/${customer.id}/managers`, { userId: manager.id })).statusCode,
        201,
      );
      expectError(await asRestricted('GET', `/v1/users/${manager.id}`), 404, 'NOT_FOUND');
      expectError(
        await asRestricted('PATCH', `/v1/users/${manager.id}`, { name: 'Mallory' }),
        404,
        'NOT_FOUND',
      );

      const license = await createLicense(t, admin, { product: theirs.id, policy: { maxUsers: 3 } });
      const holder = (await call('POST', '/v1/users', { email: 'holder@b.example' })).json() as {
        id: string;
      };
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: holder.id })).statusCode,
        201,
      );
      const listed = (await asRestricted('GET', `/v1/customers/${customer.id}/license-users`)).json() as {
        data: { id: string }[];
      };
      assert.deepEqual(listed.data, [], 'neither the manager nor a seat holder of other products is listed');

      await createPolicy(t, admin, mine.id, { code: 'team', name: 'Team', maxUsers: 3 });
      const ordered = await t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...bearer(restricted), 'idempotency-key': 'reach-order-1' },
        payload: {
          externalId: 'reach-1',
          customer: { email: 'buyer@b.example' },
          items: [{ productCode: mine.code, policyCode: 'team', quantity: 1, users: ['holder@b.example'] }],
        },
      });
      const refused = expectError(ordered, 403, 'PRODUCT_NOT_ALLOWED');
      assert.match(refused.message, /holder@b\.example is a license user this credential may not assign/);
      const held = (await call('GET', `/v1/licenses/${license.id}/users`)).json() as {
        data: { id: string }[];
      };
      assert.deepEqual(
        held.data.map((user) => user.id),
        [holder.id],
      );
    });

    it("a user signed in by password may not validate, heartbeat or deactivate another user's device", async () => {
      const license = await createLicense(t, admin, {
        product: mine.id,
        policy: { maxUsers: 2, maxMachines: 4 },
      });
      const ids: string[] = [];
      for (const email of ['u1@c.example', 'u2@c.example']) {
        const user = (await call('POST', '/v1/users', { email, password })).json() as { id: string };
        assert.equal(
          (await call('POST', `/v1/licenses/${license.id}/users`, { userId: user.id })).statusCode,
          201,
        );
        ids.push(user.id);
      }
      const as = (email: string) => ({ email, password, productCode: mine.code });
      assert.equal(
        (await client('activate', { ...as('u2@c.example'), fingerprint: 'u2-pc' })).statusCode,
        201,
      );
      for (const route of ['heartbeat', 'deactivate', 'license-file', 'activate'])
        expectError(
          await client(route, { ...as('u1@c.example'), fingerprint: 'u2-pc' }),
          422,
          'MACHINE_NOT_ACTIVATED',
        );
      const machines = (await call('GET', `/v1/machines?licenseId=${license.id}`)).json() as {
        data: { fingerprint: string; status: string; userId: string }[];
      };
      assert.deepEqual(
        machines.data.map((machine) => [machine.fingerprint, machine.status, machine.userId]),
        [['u2-pc', 'active', ids[1]]],
      );
    });

    it('a license file issued to a user signed in by password holds no license key; one issued by key does', async () => {
      const license = await createLicense(t, admin, {
        product: mine.id,
        policy: { maxUsers: 2, maxMachines: 4 },
      });
      const user = (await call('POST', '/v1/users', { email: 'filer@e.example', password })).json() as {
        id: string;
      };
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: user.id })).statusCode,
        201,
      );
      const payloadOf = (file: string) => {
        const envelope = JSON.parse(
          Buffer.from(file.split('\n').slice(1, -1).join(''), 'base64').toString(),
        ) as {
          payload: string;
        };
        return JSON.parse(Buffer.from(envelope.payload, 'base64url').toString()) as {
          license: { id: string; key?: string };
        };
      };
      const signedIn = {
        email: 'filer@e.example',
        password,
        productCode: mine.code,
        fingerprint: 'filer-pc',
      };
      const activated = await client('activate', signedIn);
      assert.equal(activated.statusCode, 201, activated.body);
      const fromActivation = payloadOf((activated.json() as { licenseFile: string }).licenseFile);
      assert.deepEqual(fromActivation.license.id, license.id);
      assert.equal(fromActivation.license.key, undefined);
      const again = await client('license-file', signedIn);
      assert.equal(payloadOf((again.json() as { licenseFile: string }).licenseFile).license.key, undefined);
      const byKey = await client('license-file', {
        licenseKey: license.key,
        fingerprint: 'filer-pc',
      });
      assert.equal(payloadOf((byKey.json() as { licenseFile: string }).licenseFile).license.key, license.key);
    });

    it('a new invitation ends the older link, and portal sign-ins are limited per address (429 RATE_LIMIT_EXCEEDED)', async () => {
      const user = (await call('POST', '/v1/users', { email: 'inv@d.example' })).json() as { id: string };
      const first = (await call('POST', `/v1/users/${user.id}/invitations`, {})).json() as { token: string };
      const second = (await call('POST', `/v1/users/${user.id}/invitations`, {})).json() as { token: string };
      const accept = (token: string, remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/portal/invitations/accept',
          payload: { token, password: 'accepted password!' },
          remoteAddress,
        });
      expectError(await accept(first.token, '10.7.0.1'), 401, 'AUTH_INVALID');
      assert.equal((await accept(second.token, '10.7.0.1')).statusCode, 204);

      const login = () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/portal/login',
          payload: { email: `spray-${Math.random()}@d.example`, password: 'guess' },
          remoteAddress: '10.7.0.2',
        });
      for (let i = 0; i < 30; i++) expectError(await login(), 401, 'INVALID_CREDENTIALS');
      const limited = expectError(await login(), 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal((limited.details as { scope: string }).scope, 'ip');
    });
  });
}
