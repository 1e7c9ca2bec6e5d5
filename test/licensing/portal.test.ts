// The customer portal's API through HTTP on both engines: a license manager assigns seats within maxUsers, takes
// them back and deactivates machines of the customer they manage; another customer's data answers exactly as
// missing (CUSTOMER_NOT_FOUND); a user sees and deactivates their own devices; the session and CSRF rules hold.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const password = 'portal user password';
const cookieName = 'charter_portal_session';

interface Portal {
  csrf: string;
  call: (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    options?: { csrf?: boolean },
  ) => Promise<Awaited<ReturnType<TestApp['app']['inject']>>>;
}

for (const dialect of dialects()) {
  describe(`customer portal (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    const signIn = async (email: string): Promise<Portal> => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/portal/login',
        payload: { email, password },
      });
      assert.equal(res.statusCode, 200, res.body);
      const cookie = res.cookies.find((candidate) => candidate.name === cookieName);
      assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
      const { csrfToken } = res.json() as { csrfToken: string };
      return {
        csrf: csrfToken,
        call: (method, url, payload, options = {}) =>
          t.app.inject({
            method,
            url,
            cookies: { [cookieName]: cookie.value },
            headers: options.csrf === false ? {} : { 'x-csrf-token': csrfToken },
            ...(payload ? { payload } : {}),
          }),
      };
    };

    /** A customer with a user-based license of `maxUsers` seats and a manager (with a password). */
    const account = async (name: string, maxUsers: number) => {
      const customer = (
        await call('POST', '/v1/customers', { email: `admin@${name}.example`, name })
      ).json() as {
        id: string;
      };
      const product = await createProduct(t, admin, { name: `${name} app`, licenseModel: 'user' });
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { name: `${name} team`, maxUsers, maxMachines: 10 },
        license: { customerId: customer.id },
      });
      const manager = (
        await call('POST', '/v1/users', { email: `boss@${name}.example`, password })
      ).json() as { id: string };
      assert.equal(
        (await call('POST', `/v1/customers/${customer.id}/users`, { userId: manager.id })).statusCode,
        201,
      );
      assert.equal(
        (await call('POST', `/v1/customers/${customer.id}/managers`, { userId: manager.id })).statusCode,
        201,
      );
      return { customer, product, license, manager };
    };

    it('a manager assigns two of two seats, the third is refused with LICENSE_USERS_LIMIT_EXCEEDED, and a seat holder signs in and activates', async () => {
      const { customer, product, license } = await account('acme', 2);
      const boss = await signIn('boss@acme.example');
      const session = (await boss.call('GET', '/v1/portal/session')).json() as {
        managedCustomers: { id: string }[];
      };
      assert.deepEqual(
        session.managedCustomers.map((entry) => entry.id),
        [customer.id],
      );
      const seats = `/v1/portal/customers/${customer.id}/licenses/${license.id}/users`;
      const first = await boss.call('POST', seats, { email: 'ann@acme.example', name: 'Ann' });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal((await boss.call('POST', seats, { email: 'ann@acme.example' })).statusCode, 200);
      assert.equal((await boss.call('POST', seats, { email: 'bob@acme.example' })).statusCode, 201);
      const full = expectError(
        await boss.call('POST', seats, { email: 'cy@acme.example' }),
        422,
        'LICENSE_USERS_LIMIT_EXCEEDED',
      );
      assert.deepEqual(full.details, { limit: 2, used: 2 });
      const holders = (await boss.call('GET', seats)).json() as { data: { email: string }[] };
      assert.deepEqual(holders.data.map((user) => user.email).sort(), [
        'ann@acme.example',
        'bob@acme.example',
      ]);
      const members = (await call('GET', `/v1/customers/${customer.id}/license-users`)).json() as {
        data: { email: string; role: string }[];
      };
      assert.ok(
        members.data.some((entry) => entry.email === 'cy@acme.example' && entry.role === 'member'),
        'a refused seat leaves the person a member of the customer',
      );

      // Ann gets a password from the vendor and signs in on the portal and in the Client API.
      const ann = (await call('GET', '/v1/users?email=ann@acme.example')).json() as {
        data: { id: string }[];
      };
      const annId = ann.data[0]?.id;
      assert.equal((await call('PATCH', `/v1/users/${annId}`, { password })).statusCode, 200);
      const activated = await client('activate', {
        email: 'ann@acme.example',
        password,
        productCode: product.code,
        fingerprint: 'ann-laptop',
      });
      assert.equal(activated.statusCode, 201, activated.body);
      const annPortal = await signIn('ann@acme.example');
      const mine = (await annPortal.call('GET', '/v1/portal/licenses')).json() as {
        data: { license: { id: string; key?: string } }[];
      };
      assert.deepEqual(
        mine.data.map((entry) => [entry.license.id, entry.license.key]),
        [[license.id, undefined]],
      );
      const devices = (await annPortal.call('GET', '/v1/portal/machines')).json() as {
        data: { id: string }[];
      };
      assert.equal(devices.data.length, 1);
      const deviceId = devices.data[0]?.id ?? '';
      expectError(
        await annPortal.call('DELETE', `/v1/portal/machines/${deviceId}`, undefined, { csrf: false }),
        403,
        'CSRF_VALIDATION_FAILED',
      );
      assert.equal((await annPortal.call('DELETE', `/v1/portal/machines/${deviceId}`)).statusCode, 204);
      const validated = (
        await client('validate', {
          email: 'ann@acme.example',
          password,
          productCode: product.code,
          fingerprint: 'ann-laptop',
        })
      ).json() as { code: string };
      assert.equal(validated.code, 'MACHINE_NOT_ACTIVATED', 'the device is deactivated');
      expectError(
        await annPortal.call('GET', `/v1/portal/customers/${customer.id}/licenses`),
        404,
        'CUSTOMER_NOT_FOUND',
      );

      // Taking a seat back frees it for the third person.
      const bob = holders.data.find((user) => user.email === 'bob@acme.example') as unknown as { id: string };
      assert.equal((await boss.call('DELETE', `${seats}/${bob.id}`)).statusCode, 204);
      assert.equal((await boss.call('POST', seats, { email: 'cy@acme.example' })).statusCode, 201);
    });

    it("another customer's manager gets 404 CUSTOMER_NOT_FOUND, and a body naming another account 422 CUSTOMER_ACCOUNT_MISMATCH", async () => {
      const acme = await account('initech', 3);
      await account('globex', 3);
      const other = await signIn('boss@globex.example');
      for (const url of [
        `/v1/portal/customers/${acme.customer.id}/licenses`,
        `/v1/portal/customers/${acme.customer.id}/machines`,
        `/v1/portal/customers/${acme.customer.id}/usage`,
        `/v1/portal/customers/${acme.customer.id}/licenses/${acme.license.id}/users`,
        '/v1/portal/customers/cus_missing/licenses',
      ])
        expectError(await other.call('GET', url), 404, 'CUSTOMER_NOT_FOUND');
      expectError(
        await other.call(
          'POST',
          `/v1/portal/customers/${acme.customer.id}/licenses/${acme.license.id}/users`,
          {
            email: 'spy@globex.example',
          },
        ),
        404,
        'CUSTOMER_NOT_FOUND',
      );
      const boss = await signIn('boss@initech.example');
      const mismatch = expectError(
        await boss.call(
          'POST',
          `/v1/portal/customers/${acme.customer.id}/licenses/${acme.license.id}/users`,
          {
            email: 'peter@initech.example',
            customerId: 'cus_someone_else',
          },
        ),
        422,
        'CUSTOMER_ACCOUNT_MISMATCH',
      );
      assert.deepEqual(mismatch.details, { customerId: 'cus_someone_else' });
      const usage = (await boss.call('GET', `/v1/portal/customers/${acme.customer.id}/usage`)).json() as {
        data: { licenseId: string; users: { used: number; max: number } }[];
      };
      assert.deepEqual(usage.data, [
        {
          licenseId: acme.license.id,
          status: 'active',
          expiresAt: null,
          machines: { used: 0, max: 10 },
          users: { used: 0, max: 3 },
          consumption: null,
        },
      ]);
    });

    it('a manager deactivates a machine of the customer, and loses the portal reach when demoted', async () => {
      const { customer, product, license, manager } = await account('hooli', 2);
      const boss = await signIn('boss@hooli.example');
      const seat = `/v1/portal/customers/${customer.id}/licenses/${license.id}/users`;
      assert.equal((await boss.call('POST', seat, { email: 'boss@hooli.example' })).statusCode, 201);
      const activated = await client('activate', {
        email: 'boss@hooli.example',
        password,
        productCode: product.code,
        fingerprint: 'hooli-1',
      });
      assert.equal(activated.statusCode, 201, activated.body);
      const machines = (await boss.call('GET', `/v1/portal/customers/${customer.id}/machines`)).json() as {
        data: { id: string; licenseId: string }[];
      };
      assert.deepEqual(
        machines.data.map((machine) => machine.licenseId),
        [license.id],
      );
      const machineId = machines.data[0]?.id ?? '';
      const stranger = await account('pied-piper', 1);
      const outsider = await signIn(`boss@pied-piper.example`);
      expectError(await outsider.call('DELETE', `/v1/portal/machines/${machineId}`), 404, 'NOT_FOUND');
      expectError(
        await outsider.call('DELETE', `/v1/portal/customers/${stranger.customer.id}/machines/${machineId}`),
        404,
        'CUSTOMER_NOT_FOUND',
      );
      assert.equal(
        (await boss.call('DELETE', `/v1/portal/customers/${customer.id}/machines/${machineId}`)).statusCode,
        204,
      );
      const machine = (await call('GET', `/v1/machines/${machineId}`)).json() as { status: string };
      assert.equal(machine.status, 'deactivated');
      const audit = (await call('GET', '/v1/audit-log?action=machine.deactivate')).json() as {
        data: { actor: { type: string; id: string } }[];
      };
      assert.ok(
        audit.data.some((entry) => entry.actor.type === 'license_user' && entry.actor.id === manager.id),
      );

      assert.equal(
        (await call('DELETE', `/v1/customers/${customer.id}/managers/${manager.id}`)).statusCode,
        204,
      );
      expectError(
        await boss.call('GET', `/v1/portal/customers/${customer.id}/licenses`),
        404,
        'CUSTOMER_NOT_FOUND',
      );
    });

    it('the portal refuses a missing, unknown or expired session, and a disabled user; logout ends the session', async () => {
      const { manager } = await account('umbrella', 1);
      expectError(await t.app.inject({ method: 'GET', url: '/v1/portal/session' }), 401, 'AUTH_MISSING');
      expectError(
        await t.app.inject({
          method: 'GET',
          url: '/v1/portal/session',
          cookies: { [cookieName]: 'A'.repeat(43) },
        }),
        401,
        'AUTH_INVALID',
      );
      const operatorCookie = await t.app.inject({
        method: 'GET',
        url: '/v1/customers',
        cookies: { charter_session: 'A'.repeat(43) },
      });
      assert.equal(operatorCookie.statusCode, 401, 'a portal user has no Management reach');

      const boss = await signIn('boss@umbrella.example');
      assert.equal((await boss.call('GET', '/v1/portal/session')).statusCode, 200);
      assert.equal((await call('PATCH', `/v1/users/${manager.id}`, { status: 'disabled' })).statusCode, 200);
      expectError(await boss.call('GET', '/v1/portal/session'), 401, 'AUTH_INVALID');
      assert.equal((await call('PATCH', `/v1/users/${manager.id}`, { status: 'active' })).statusCode, 200);

      const again = await signIn('boss@umbrella.example');
      t.clock.advance(60 * 60 * 24 * 1000 * 30);
      expectError(await again.call('GET', '/v1/portal/session'), 401, 'SESSION_EXPIRED');
      const last = await signIn('boss@umbrella.example');
      assert.equal((await last.call('POST', '/v1/portal/logout')).statusCode, 204);
      expectError(await last.call('GET', '/v1/portal/session'), 401, 'AUTH_INVALID');
    });

    it("a manager activates an air-gapped machine of the customer's license from its request file; another customer's or an unknown key answers CUSTOMER_NOT_FOUND", async () => {
      const { customer, manager } = await account('stark', 1);
      const lab = await createLicense(t, admin, {
        policy: { allowOffline: true, maxMachines: 1 },
        license: { customerId: customer.id },
      });
      const rival = await account('wayne', 1);
      const rivalLicense = await createLicense(t, admin, {
        policy: { allowOffline: true, maxMachines: 1 },
        license: { customerId: rival.customer.id },
      });
      let nonce = 0;
      const requestFile = (licenseKey: string, fingerprint: string) =>
        Buffer.from(
          JSON.stringify({
            v: 1,
            licenseKey,
            fingerprint,
            hostname: 'lab.local',
            nonce: `portal-nonce-${++nonce}`,
            createdAt: '2026-11-22T10:00:00.000Z',
          }),
        ).toString('base64');
      const boss = await signIn('boss@stark.example');
      const url = `/v1/portal/customers/${customer.id}/offline-activations`;

      for (const key of [rivalLicense.key, 'AAAAA-BBBBB-CCCCC-DDDDD']) {
        const refused = expectError(
          await boss.call('POST', url, { request: requestFile(key, 'lab-1') }),
          404,
          'CUSTOMER_NOT_FOUND',
        );
        assert.deepEqual(refused.details, { customerId: customer.id });
      }
      expectError(
        await boss.call('POST', `/v1/portal/customers/${rival.customer.id}/offline-activations`, {
          request: requestFile(rivalLicense.key, 'lab-1'),
        }),
        404,
        'CUSTOMER_NOT_FOUND',
      );
      expectError(
        await boss.call('POST', url, { request: 'not a request file' }),
        400,
        'OFFLINE_REQUEST_INVALID',
      );
      expectError(
        await boss.call('POST', url, { request: requestFile(lab.key, 'lab-1') }, { csrf: false }),
        403,
        'CSRF_VALIDATION_FAILED',
      );
      const rivalMachines = await t.db.kysely
        .selectFrom('machines')
        .select('id')
        .where('license_id', 'in', [rivalLicense.id, lab.id])
        .execute();
      assert.deepEqual(rivalMachines, [], 'no refused request activated anything');

      const res = await boss.call('POST', url, { request: requestFile(lab.key, 'lab-1') });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as {
        machine: { id: string; licenseId: string; fingerprint: string; offline: boolean };
        response: string;
      };
      assert.deepEqual(
        [body.machine.licenseId, body.machine.fingerprint, body.machine.offline],
        [lab.id, 'lab-1', true],
      );
      assert.match(body.response, /^-----BEGIN CHARTER LICENSE FILE-----/);
      const machines = (await boss.call('GET', `/v1/portal/customers/${customer.id}/machines`)).json() as {
        data: { id: string }[];
      };
      assert.deepEqual(
        machines.data.map((machine) => machine.id),
        [body.machine.id],
      );
      const audit = (await call('GET', '/v1/audit-log?action=machine.activate')).json() as {
        data: { actor: { type: string; id: string }; target: { id: string } }[];
      };
      assert.ok(
        audit.data.some(
          (entry) =>
            entry.target.id === body.machine.id &&
            entry.actor.type === 'license_user' &&
            entry.actor.id === manager.id,
        ),
        'the activation is audited as the manager',
      );
      expectError(
        await boss.call('POST', url, { request: requestFile(lab.key, 'lab-2') }),
        422,
        'MACHINE_LIMIT_EXCEEDED',
      );
    });
  });
}
