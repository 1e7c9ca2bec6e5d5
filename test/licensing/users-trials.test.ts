// License users (per-user products) and trials, through HTTP on both engines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`license users and trials (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: bearer(admin),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const client = (route: string, payload: Record<string, unknown>, remoteAddress = '127.0.0.1') =>
      t.app.inject({ method: 'POST', url: `/v1/client/${route}`, payload, remoteAddress });

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    it('a per-user license takes up to maxUsers users, each activating up to maxActivationsPerUser machines', async () => {
      const product = await createProduct(t, admin, { code: 'seats', name: 'Seats', licenseModel: 'user' });
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { code: 'team', name: 'Team', maxMachines: 10, maxUsers: 2, maxActivationsPerUser: 1 },
      });
      const users = [];
      for (const email of ['ann@example.com', 'bob@example.com', 'cy@example.com']) {
        const res = await call('POST', '/v1/users', { email });
        assert.equal(res.statusCode, 201, res.body);
        users.push(res.json() as { id: string; email: string });
      }
      const [ann, bob, cy] = users;
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: ann?.id })).statusCode,
        201,
      );
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: ann?.id })).statusCode,
        200,
        'assigning again is idempotent',
      );
      assert.equal(
        (await call('POST', `/v1/licenses/${license.id}/users`, { userId: bob?.id })).statusCode,
        201,
      );
      const full = expectError(
        await call('POST', `/v1/licenses/${license.id}/users`, { userId: cy?.id }),
        422,
        'LICENSE_USERS_LIMIT_EXCEEDED',
      );
      assert.deepEqual(full.details, { limit: 2, used: 2 });
      const listed = (await call('GET', `/v1/licenses/${license.id}/users`)).json() as {
        data: { email: string }[];
      };
      assert.deepEqual(listed.data.map((user) => user.email).sort(), ['ann@example.com', 'bob@example.com']);

      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'pc-1' }),
        422,
        'LICENSE_USER_NOT_FOUND',
      );
      expectError(
        await client('activate', {
          licenseKey: license.key,
          fingerprint: 'pc-1',
          userEmail: 'cy@example.com',
        }),
        422,
        'LICENSE_USER_NOT_FOUND',
      );
      const activated = await client('activate', {
        licenseKey: license.key,
        fingerprint: 'pc-1',
        userEmail: 'Ann@example.com',
      });
      assert.equal(activated.statusCode, 201, activated.body);
      assert.equal((activated.json() as { machine: { userId: string } }).machine.userId, ann?.id);
      const second = expectError(
        await client('activate', {
          licenseKey: license.key,
          fingerprint: 'pc-2',
          userEmail: 'ann@example.com',
        }),
        422,
        'USER_MACHINE_LIMIT_EXCEEDED',
      );
      assert.deepEqual(second.details, { limit: 1, used: 1 });
      assert.equal(
        (
          await client('activate', {
            licenseKey: license.key,
            fingerprint: 'pc-2',
            userEmail: 'bob@example.com',
          })
        ).statusCode,
        201,
      );

      assert.equal((await call('DELETE', `/v1/licenses/${license.id}/users/${bob?.id}`)).statusCode, 204);
      expectError(await call('DELETE', `/v1/licenses/${license.id}/users/${bob?.id}`), 404, 'NOT_FOUND');
      expectError(await call('POST', '/v1/users', { email: 'ann@example.com' }), 409, 'ALREADY_EXISTS');
    });

    it('a trial licenses and activates this device once; a second trial for it or its email is refused', async () => {
      const product = await createProduct(t, admin, {
        code: 'editor',
        name: 'Editor',
        trial: { enabled: true, days: 14, requireEmail: true },
      });
      expectError(
        await client('trial', { productCode: 'editor', fingerprint: 'dev-1' }),
        400,
        'VALIDATION_ERROR',
      );
      const res = await client('trial', {
        productCode: 'editor',
        fingerprint: 'dev-1',
        email: 'try@example.com',
      });
      assert.equal(res.statusCode, 201, res.body);
      const started = res.json() as {
        licenseKey: string;
        license: { trial: boolean; expiresAt: string; productId: string; maxMachines: number };
        machine: { fingerprint: string };
        licenseFile: string;
      };
      assert.deepEqual(
        [
          started.license.trial,
          started.license.productId,
          started.license.maxMachines,
          started.machine.fingerprint,
        ],
        [true, product.id, 1, 'dev-1'],
      );
      assert.equal(started.license.expiresAt, new Date(t.clock.nowMs() + 14 * 86_400_000).toISOString());
      const validation = (
        await client('validate', { licenseKey: started.licenseKey, fingerprint: 'dev-1' })
      ).json() as { code: string };
      assert.equal(validation.code, 'VALID');
      expectError(
        await client('trial', { productCode: 'editor', fingerprint: 'dev-1', email: 'other@example.com' }),
        422,
        'TRIAL_NOT_ALLOWED',
      );
      expectError(
        await client('trial', { productCode: 'editor', fingerprint: 'dev-2', email: 'try@example.com' }),
        422,
        'TRIAL_NOT_ALLOWED',
      );
      t.clock.advance(15 * 86_400_000);
      const ended = (await client('validate', { licenseKey: started.licenseKey })).json() as { code: string };
      assert.equal(ended.code, 'TRIAL_EXPIRED');
    });

    it('a product without trials, or an unknown product, refuses', async () => {
      await createProduct(t, admin, { code: 'no-trial', name: 'No trial' });
      expectError(
        await client('trial', { productCode: 'no-trial', fingerprint: 'x' }),
        422,
        'TRIAL_NOT_ALLOWED',
      );
      expectError(await client('trial', { productCode: 'ghost', fingerprint: 'x' }), 422, 'UNKNOWN_PRODUCT');
    });

    it('one address gets CHARTER_RATE_LIMIT_TRIAL_IP trials an hour, however many fingerprints it makes up', async () => {
      await createProduct(t, admin, {
        code: 'farmed',
        name: 'Farmed',
        trial: { enabled: true, days: 7, requireEmail: false },
      });
      const farm = '192.0.2.77';
      const random = () => `fp-${Math.random().toString(36).slice(2)}`;
      for (let i = 0; i < 10; i++)
        assert.equal(
          (await client('trial', { productCode: 'farmed', fingerprint: random() }, farm)).statusCode,
          201,
        );
      const refused = await client('trial', { productCode: 'farmed', fingerprint: random() }, farm);
      const body = expectError(refused, 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(body.details?.scope, 'ip');
      assert.ok(Number(refused.headers['retry-after']) > 60 * 59);
      const trials = await t.db.kysely
        .selectFrom('trials')
        .innerJoin('products', 'products.id', 'trials.product_id')
        .select('trials.id')
        .where('products.code', '=', 'farmed')
        .execute();
      assert.equal(trials.length, 10);
      // Another address is not held back (the window itself is real time: rate-limiter-flexible's).
      assert.equal(
        (await client('trial', { productCode: 'farmed', fingerprint: random() }, '192.0.2.78')).statusCode,
        201,
      );
    });
  });
}
