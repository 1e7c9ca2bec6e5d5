// Customer accounts through HTTP on both engines: license users signing in to the Client API by email and
// password, the licenses they hold, their own password, invitations, and a customer's users and managers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const password = 'seat-holder password 1';

for (const dialect of dialects()) {
  describe(`customer accounts (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const from = (route: string, payload: Record<string, unknown>, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: `/v1/client/${route}`, payload, remoteAddress });

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    /** A user-based product, a license of it with `maxUsers` seats, and a user holding one, with a password. */
    const seatHolder = async (email: string, policy: Record<string, unknown> = {}) => {
      const product = await createProduct(t, admin, { name: 'Team app', licenseModel: 'user' });
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { name: 'Team', maxMachines: 5, maxUsers: 3, ...policy },
      });
      const created = await call('POST', '/v1/users', { email, password });
      assert.equal(created.statusCode, 201, created.body);
      const user = created.json() as { id: string; passwordSet: boolean; status: string };
      assert.equal(user.passwordSet, true);
      assert.equal(user.status, 'active');
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: user.id })).statusCode,
        201,
      );
      return { product, license, user };
    };

    it('a license user activates, validates and heartbeats by email and password, as with the key', async () => {
      const { product, license, user } = await seatHolder('ann@example.com');
      const activated = await client('activate', {
        email: 'Ann@Example.com',
        password,
        productCode: product.code,
        fingerprint: 'ann-laptop',
      });
      assert.equal(activated.statusCode, 201, activated.body);
      const body = activated.json() as { machine: { userId: string }; license: { id: string; key?: string } };
      assert.equal(body.machine.userId, user.id);
      assert.equal(body.license.id, license.id);
      assert.equal(body.license.key, undefined, 'signing in never reveals the key');

      const validated = await client('validate', {
        email: 'ann@example.com',
        password,
        productCode: product.code,
        fingerprint: 'ann-laptop',
      });
      assert.equal(validated.statusCode, 200, validated.body);
      const result = validated.json() as { valid: boolean; code: string; license: { id: string } };
      assert.deepEqual([result.valid, result.code, result.license.id], [true, 'VALID', license.id]);
      const byKey = (
        await client('validate', { licenseKey: license.key, fingerprint: 'ann-laptop' })
      ).json() as {
        code: string;
      };
      assert.equal(byKey.code, 'VALID', 'the same machine validates by key');

      const beat = await client('heartbeat', {
        email: 'ann@example.com',
        password,
        fingerprint: 'ann-laptop',
      });
      assert.equal(beat.statusCode, 200, beat.body);
    });

    it('a wrong password answers 401 INVALID_CREDENTIALS and a disabled user 403 ACCOUNT_DISABLED', async () => {
      const { product, user } = await seatHolder('bob@example.com');
      const attempt = { email: 'bob@example.com', productCode: product.code, fingerprint: 'bob-pc' };
      expectError(
        await client('validate', { ...attempt, password: 'not the password' }),
        401,
        'INVALID_CREDENTIALS',
      );
      expectError(
        await client('validate', { ...attempt, email: 'nobody@example.com', password }),
        401,
        'INVALID_CREDENTIALS',
      );
      assert.equal((await call('PATCH', `/v1/users/${user.id}`, { status: 'disabled' })).statusCode, 200);
      expectError(await client('validate', { ...attempt, password }), 403, 'ACCOUNT_DISABLED');
      const audit = (await call('GET', '/v1/audit-log?action=user.login_failed')).json() as {
        data: { target: { id: string } }[];
      };
      assert.ok(
        audit.data.some((entry) => entry.target.id === 'bob@example.com'),
        'failures are audited',
      );
    });

    it('five failed sign-ins of one email from one address lock that pair with 429 RATE_LIMIT_EXCEEDED', async () => {
      const { product } = await seatHolder('cy@example.com');
      const attempt = { email: 'cy@example.com', productCode: product.code, password: 'wrong password!' };
      for (let i = 0; i < 5; i++)
        expectError(await from('user-licenses', attempt, '10.9.0.1'), 401, 'INVALID_CREDENTIALS');
      const locked = expectError(
        await from('user-licenses', { ...attempt, password }, '10.9.0.1'),
        429,
        'RATE_LIMIT_EXCEEDED',
      );
      assert.equal((locked.details as { scope: string }).scope, 'login');
      const elsewhere = await from('user-licenses', { ...attempt, password }, '10.9.0.2');
      assert.equal(elsewhere.statusCode, 200, 'another address is not locked out');
    });

    it('signing in by password on a key-based product answers 422 INVALID_PRODUCT_AUTH_METHOD', async () => {
      await seatHolder('dee@example.com');
      const keyProduct = await createProduct(t, admin, { name: 'Keyed app' });
      const refused = expectError(
        await client('validate', { email: 'dee@example.com', password, productCode: keyProduct.code }),
        422,
        'INVALID_PRODUCT_AUTH_METHOD',
      );
      assert.match(refused.message, /licensed by key/);
      expectError(
        await client('user-licenses', { email: 'dee@example.com', password, productCode: keyProduct.code }),
        422,
        'INVALID_PRODUCT_AUTH_METHOD',
      );
    });

    it('user-licenses lists the licenses a user holds, and a product they hold none of answers USER_NOT_ASSIGNED_TO_PRODUCT', async () => {
      const { product, license } = await seatHolder('eve@example.com');
      const listed = await client('user-licenses', { email: 'eve@example.com', password });
      assert.equal(listed.statusCode, 200, listed.body);
      const data = (
        listed.json() as { data: { productCode: string; license: { id: string; key?: string } }[] }
      ).data;
      assert.deepEqual(
        data.map((entry) => [entry.productCode, entry.license.id, entry.license.key]),
        [[product.code, license.id, undefined]],
      );
      const other = await createProduct(t, admin, { name: 'Other team app', licenseModel: 'user' });
      const refused = expectError(
        await client('user-licenses', { email: 'eve@example.com', password, productCode: other.code }),
        422,
        'USER_NOT_ASSIGNED_TO_PRODUCT',
      );
      assert.deepEqual(refused.details, { productCode: other.code });
      expectError(
        await client('activate', {
          email: 'eve@example.com',
          password,
          productCode: other.code,
          fingerprint: 'x',
        }),
        422,
        'USER_NOT_ASSIGNED_TO_PRODUCT',
      );
    });

    it('a user changes their own password: the old one stops working; a policy may forbid it with 403 CHANGE_PASSWORD_NOT_ALLOWED', async () => {
      await seatHolder('fay@example.com');
      const changed = await client('change-password', {
        email: 'fay@example.com',
        password,
        newPassword: 'a brand new password',
      });
      assert.equal(changed.statusCode, 204, changed.body);
      expectError(
        await client('user-licenses', { email: 'fay@example.com', password }),
        401,
        'INVALID_CREDENTIALS',
      );
      assert.equal(
        (await client('user-licenses', { email: 'fay@example.com', password: 'a brand new password' }))
          .statusCode,
        200,
      );

      await seatHolder('gus@example.com', { allowPasswordChange: false });
      const refused = expectError(
        await client('change-password', {
          email: 'gus@example.com',
          password,
          newPassword: 'another password!',
        }),
        403,
        'CHANGE_PASSWORD_NOT_ALLOWED',
      );
      assert.match(refused.message, /does not let its users change their password/);
      assert.equal(
        (await client('user-licenses', { email: 'gus@example.com', password })).statusCode,
        200,
        'the password is unchanged',
      );
    });

    it("a user holding a bundle's license signs in for each member product", async () => {
      const members = [
        await createProduct(t, admin, { name: 'Writer' }),
        await createProduct(t, admin, { name: 'Sheets' }),
      ];
      const bundle = await createProduct(t, admin, {
        name: 'Office suite',
        kind: 'bundle',
        licenseModel: 'user',
      });
      const set = await call('PUT', `/v1/products/${bundle.id}/members`, {
        productIds: members.map((member) => member.id),
      });
      assert.equal(set.statusCode, 200, set.body);
      const license = await createLicense(t, admin, {
        product: bundle.id,
        policy: { name: 'Suite', maxUsers: 2 },
      });
      const user = (await call('POST', '/v1/users', { email: 'suite@example.com', password })).json() as {
        id: string;
      };
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: user.id })).statusCode,
        201,
      );
      for (const member of members) {
        const res = await client('activate', {
          email: 'suite@example.com',
          password,
          productCode: member.code,
          fingerprint: 'suite-pc',
        });
        assert.ok([200, 201].includes(res.statusCode), res.body);
        assert.equal((res.json() as { license: { id: string } }).license.id, license.id);
      }
    });

    it("a customer's license users are its members, managers and seat holders; an unknown customer answers 422 UNKNOWN_CUSTOMER", async () => {
      const customer = (
        await call('POST', '/v1/customers', { email: 'it@acme.example', name: 'Acme' })
      ).json() as {
        id: string;
      };
      const product = await createProduct(t, admin, { name: 'Acme seats', licenseModel: 'user' });
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { name: 'Acme team', maxUsers: 3 },
        license: { customerId: customer.id },
      });
      const user = async (email: string) =>
        (await call('POST', '/v1/users', { email })).json() as { id: string };
      const holder = await user('holder@acme.example');
      const member = await user('member@acme.example');
      const stranger = await user('stranger@else.example');
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: holder.id })).statusCode,
        201,
      );
      assert.equal(
        (await call('POST', `/v1/customers/${customer.id}/users`, { userId: member.id })).statusCode,
        201,
      );
      assert.equal(
        (await call('POST', `/v1/customers/${customer.id}/users`, { userId: member.id })).statusCode,
        200,
      );

      const notOurs = expectError(
        await call('POST', `/v1/customers/${customer.id}/managers`, { userId: stranger.id }),
        422,
        'MANAGER_NOT_ELIGIBLE',
      );
      assert.match(notOurs.message, /not a user of customer/);
      const made = await call('POST', `/v1/customers/${customer.id}/managers`, { userId: member.id });
      assert.equal(made.statusCode, 201, made.body);
      assert.equal((made.json() as { role: string }).role, 'manager');

      const listed = (await call('GET', `/v1/customers/${customer.id}/license-users`)).json() as {
        data: { email: string; role: string }[];
      };
      assert.deepEqual(listed.data.map((entry) => [entry.email, entry.role]).sort(), [
        ['holder@acme.example', 'member'],
        ['member@acme.example', 'manager'],
      ]);

      assert.equal((await call('PATCH', `/v1/users/${holder.id}`, { status: 'disabled' })).statusCode, 200);
      const disabled = expectError(
        await call('POST', `/v1/customers/${customer.id}/managers`, { userId: holder.id }),
        422,
        'MANAGER_NOT_ELIGIBLE',
      );
      assert.match(disabled.message, /disabled/);

      expectError(await call('GET', '/v1/customers/cus_missing/license-users'), 422, 'UNKNOWN_CUSTOMER');
      expectError(
        await call('POST', '/v1/customers/cus_missing/managers', { userId: member.id }),
        422,
        'UNKNOWN_CUSTOMER',
      );
      assert.equal(
        (await call('DELETE', `/v1/customers/${customer.id}/managers/${member.id}`)).statusCode,
        204,
      );
      expectError(
        await call('DELETE', `/v1/customers/${customer.id}/managers/${member.id}`),
        404,
        'NOT_FOUND',
      );

      // A credential restricted to another product reaches neither the customer nor its users.
      const elsewhere = await createProduct(t, admin, { name: 'Elsewhere' });
      const restricted = (await createKey(t, ['customers:read'], { productIds: [elsewhere.id] })).secret;
      const hidden = await t.app.inject({
        method: 'GET',
        url: `/v1/customers/${customer.id}/license-users`,
        headers: bearer(restricted),
      });
      expectError(hidden, 422, 'UNKNOWN_CUSTOMER');
    });

    it('an invitation sets the password once: the link works one time, before it expires', async () => {
      const { user } = await seatHolder('hal@example.com');
      const fresh = (await call('POST', '/v1/users', { email: 'ivy@example.com' })).json() as {
        id: string;
        passwordSet: boolean;
      };
      assert.equal(fresh.passwordSet, false);
      const invited = await call('POST', `/v1/users/${fresh.id}/invitations`, {});
      assert.equal(invited.statusCode, 201, invited.body);
      const invitation = invited.json() as { token: string; url: string; expiresAt: string };
      assert.ok(invitation.url.endsWith(invitation.token) && invitation.url.startsWith('/portal/'));
      const accept = (token: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/portal/invitations/accept',
          payload: { token, password: 'my very own password' },
        });
      assert.equal((await accept(invitation.token)).statusCode, 204);
      expectError(await accept(invitation.token), 401, 'AUTH_INVALID');
      const after = (await call('GET', `/v1/users/${fresh.id}`)).json() as { passwordSet: boolean };
      assert.equal(after.passwordSet, true);

      const late = (
        await call('POST', `/v1/users/${user.id}/invitations`, { expiresInSeconds: 300 })
      ).json() as {
        token: string;
      };
      t.clock.advance(301_000);
      expectError(await accept(late.token), 401, 'AUTH_INVALID');
    });
  });
}
