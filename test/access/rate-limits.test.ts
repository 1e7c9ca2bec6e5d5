// Rate limits and quotas: per credential on Management routes, per IP and per license key on the Client API,
// in memory (SQLite), shared through PostgreSQL, and shared through Redis across two app instances.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testServices } from '../../src/config.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const clientProbe = async (app: FastifyInstance) => {
  app.post('/test/client', { config: { auth: { kind: 'license-key' } } }, async () => ({ ok: true }));
};

const listKeys = (app: FastifyInstance, secret: string) =>
  app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(secret) });

for (const dialect of dialects()) {
  describe(`rate limits and quotas (${dialect}, ${dialect === 'sqlite' ? 'memory' : 'postgres'} counters)`, () => {
    let t: TestApp;
    before(async () => {
      t = await withApp({
        dialect,
        extend: clientProbe,
        config: {
          CHARTER_RATE_LIMIT_MANAGEMENT: 3,
          CHARTER_RATE_LIMIT_CLIENT_KEY: 2,
          CHARTER_RATE_LIMIT_CLIENT_IP: 5,
        },
      });
    });
    after(() => t.close());

    it('a credential over its per-minute limit answers 429 RATE_LIMIT_EXCEEDED with Retry-After and RateLimit-*', async () => {
      const key = await createKey(t, ['keys:read']);
      for (const remaining of [2, 1, 0]) {
        const res = await listKeys(t.app, key.secret);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['ratelimit-limit'], '3');
        assert.equal(res.headers['ratelimit-remaining'], String(remaining));
        assert.ok(Number(res.headers['ratelimit-reset']) > 0);
      }
      const refused = await listKeys(t.app, key.secret);
      const body = expectError(refused, 429, 'RATE_LIMIT_EXCEEDED');
      const retryAfter = Number(refused.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 60);
      assert.deepEqual(Object.keys(body.details ?? {}).sort(), [
        'limit',
        'remaining',
        'resetAt',
        'retryAfter',
        'scope',
      ]);
      assert.equal(body.details?.scope, 'api_key');
      assert.equal(body.details?.remaining, 0);
      const other = await createKey(t, ['keys:read']);
      assert.equal((await listKeys(t.app, other.secret)).statusCode, 200, 'another key has its own count');
    });

    it("a key's own rateLimit overrides the default", async () => {
      const key = await createKey(t, ['keys:read'], { rateLimit: 1 });
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      expectError(await listKeys(t.app, key.secret), 429, 'RATE_LIMIT_EXCEEDED');
    });

    it('a key past its daily quota answers 429 QUOTA_EXCEEDED with Retry-After to UTC midnight', async () => {
      const key = await createKey(t, ['keys:read'], { quota: { daily: 2 }, rateLimit: 100 });
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      const refused = await listKeys(t.app, key.secret);
      const body = expectError(refused, 429, 'QUOTA_EXCEEDED');
      const toMidnight = Math.ceil((Date.UTC(2026, 10, 23) - t.clock.nowMs()) / 1000);
      assert.equal(refused.headers['retry-after'], String(toMidnight));
      assert.equal(body.details?.scope, 'quota_daily');
      assert.equal(body.details?.resetAt, '2026-11-23T00:00:00.000Z');
      t.clock.advance(toMidnight * 1000);
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200, 'a new day has a new quota');
    });

    it('the Client API is limited per license key and per IP', async () => {
      const send = (licenseKey: string, ip = '10.1.2.3') =>
        t.app.inject({ method: 'POST', url: '/test/client', payload: { licenseKey }, remoteAddress: ip });
      assert.equal((await send('AAAAA-1')).statusCode, 200);
      assert.equal(
        (await send('aaaaa-1')).statusCode,
        200,
        'the same key in another case counts as the same key',
      );
      const perKey = expectError(await send('AAAAA-1'), 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(perKey.details?.scope, 'license_key');
      assert.equal((await send('BBBBB-2')).statusCode, 200);
      assert.equal((await send('CCCCC-3')).statusCode, 200);
      const perIp = expectError(await send('DDDDD-4'), 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(perIp.details?.scope, 'ip');
      assert.equal((await send('DDDDD-4', '10.9.9.9')).statusCode, 200, 'another address has its own count');
    });

    it('a license key typed with O for 0 and I for 1 counts against the same per-key limit: past it, 429', async () => {
      const admin = await createKey(t, ['admin'], { rateLimit: 1000 });
      const call = (url: string, payload: unknown) =>
        t.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(admin.secret) });
      const product = await createProduct(t, admin.secret, { code: 'lookalike', name: 'Look-alike' });
      const policy = await createPolicy(t, admin.secret, product.id, {
        code: 'lookalike',
        name: 'Look-alike',
      });
      // A key with a 0 or a 1 in it (most keys have one; a handful of tries finds one surely enough).
      let key = '';
      for (let tries = 0; tries < 50 && !/[01]/.test(key); tries++)
        key = ((await call('/v1/licenses', { policyId: policy.id })).json() as { key: string }).key;
      assert.match(key, /[01]/);
      const lookalike = key.replace(/0/g, 'O').replace(/1/g, 'I');
      const validate = (licenseKey: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/client/validate',
          payload: { licenseKey },
          remoteAddress: '10.4.4.4',
        });
      const first = await validate(key);
      assert.equal(first.statusCode, 200, first.body);
      const second = await validate(lookalike);
      assert.equal(second.statusCode, 200, second.body);
      assert.equal(
        (second.json() as { valid: boolean }).valid,
        true,
        'the look-alike key is the same license',
      );
      const refused = await validate(lookalike.toLowerCase());
      const body = expectError(refused, 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(body.details?.scope, 'license_key');
      assert.ok(Number(refused.headers['retry-after']) > 0);
    });

    it(`two app instances on the same storage share one count (${dialect === 'sqlite' ? 'per process on SQLite' : 'through PostgreSQL'})`, async () => {
      const second = await t.sibling();
      const key = await createKey(t, ['keys:read']);
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      assert.equal((await listKeys(second, key.secret)).statusCode, 200);
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      const fourth = await listKeys(second, key.secret);
      assert.equal(fourth.statusCode, dialect === 'sqlite' ? 200 : 429);
    });
  });
}

describe('rate limits off', () => {
  it('a limit of 0 turns it off: no RateLimit headers, no 429', async () => {
    const t = await withApp({ dialect: 'sqlite', config: { CHARTER_RATE_LIMIT_MANAGEMENT: 0 } });
    try {
      const key = await createKey(t, ['keys:read']);
      for (let i = 0; i < 20; i++) {
        const res = await listKeys(t.app, key.secret);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['ratelimit-limit'], undefined);
      }
    } finally {
      await t.close();
    }
  });
});

const { redisUrl } = testServices();
if (!redisUrl) process.stdout.write('# TEST_REDIS_URL is unset: Redis rate-limit suite skipped\n');

describe('rate limits shared through Redis', { skip: redisUrl ? false : 'TEST_REDIS_URL is unset' }, () => {
  it('two app instances sharing one Redis count together', async () => {
    const t = await withApp({
      dialect: 'sqlite',
      config: { REDIS_URL: redisUrl, CHARTER_RATE_LIMIT_MANAGEMENT: 4 },
    });
    try {
      const second = await t.sibling();
      const key = await createKey(t, ['keys:read']);
      for (const app of [t.app, second, t.app, second])
        assert.equal((await listKeys(app, key.secret)).statusCode, 200);
      expectError(await listKeys(t.app, key.secret), 429, 'RATE_LIMIT_EXCEEDED');
      expectError(await listKeys(second, key.secret), 429, 'RATE_LIMIT_EXCEEDED');
    } finally {
      await t.close();
    }
  });

  it('when Redis does not answer, each process limits in memory instead of failing requests', async () => {
    const t = await withApp({
      dialect: 'sqlite',
      config: { REDIS_URL: 'redis://127.0.0.1:1', CHARTER_RATE_LIMIT_MANAGEMENT: 2 },
    });
    try {
      const key = await createKey(t, ['keys:read']);
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      assert.equal((await listKeys(t.app, key.secret)).statusCode, 200);
      expectError(await listKeys(t.app, key.secret), 429, 'RATE_LIMIT_EXCEEDED');
    } finally {
      await t.close();
    }
  });
});
