// Consumption meters through HTTP, on both engines: the license's meter and feature meters, limits, credits,
// overage, period resets by the clock, and exact limits under concurrent consumption.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recentEvents } from '../../src/events/service.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type Meter = {
  feature: string | null;
  used: number;
  max: number | null;
  remaining: number | null;
  periodStartsAt: string;
  resetsAt: string | null;
};

for (const dialect of dialects()) {
  describe(`consumption (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string };

    const call = managementCalls(
      () => t,
      () => admin,
    );
    const consume = (licenseKey: string, amount: number, extra: Record<string, unknown> = {}, app = t.app) =>
      app.inject({ method: 'POST', url: '/v1/client/consume', payload: { licenseKey, amount, ...extra } });
    const consumed = async (licenseKey: string, amount: number, extra: Record<string, unknown> = {}) => {
      const res = await consume(licenseKey, amount, extra);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Meter;
    };
    const rule = (extra: Record<string, unknown> = {}) => ({
      consumption: { max: 10, allowNegative: false, allowOverage: false, resetPeriod: 'never', ...extra },
    });

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'api', name: 'API' });
      for (const feature of [
        { code: 'tokens', name: 'Tokens', kind: 'consumption', maxConsumption: 100 },
        { code: 'sso', name: 'SSO', kind: 'boolean' },
      ]) {
        const res = await call('POST', `/v1/products/${product.id}/features`, feature);
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(() => t.close());

    it('the license meter counts to its max, refuses past it with CONSUMPTION_LIMIT_EXCEEDED, and shows on the license', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: rule() });
      assert.deepEqual(await consumed(license.key, 4), {
        feature: null,
        used: 4,
        max: 10,
        remaining: 6,
        periodStartsAt: '2026-11-22T10:30:45.123Z',
        resetsAt: null,
      });
      assert.equal((await consumed(license.key, 6)).remaining, 0);
      const refused = expectError(await consume(license.key, 1), 422, 'CONSUMPTION_LIMIT_EXCEEDED');
      assert.deepEqual(refused.details, { limit: 10, used: 10, requested: 1 });
      const shown = (await call('GET', `/v1/licenses/${license.id}`)).json() as { consumption: unknown };
      assert.deepEqual(shown.consumption, { used: 10, max: 10, periodStartsAt: '2026-11-22T10:30:45.123Z' });
      const validated = (
        await t.app.inject({
          method: 'POST',
          url: '/v1/client/validate',
          payload: { licenseKey: license.key },
        })
      ).json() as { license: { consumption: unknown } };
      assert.deepEqual(validated.license.consumption, shown.consumption);
      const reached = await recentEvents(t.db.kysely, {
        type: 'consumption.limit_reached',
        licenseId: license.id,
        limit: 10,
      });
      assert.equal(reached.length, 1, 'the limit is reached once');
    });

    it('negative amounts credit the meter only where allowed, and never below zero', async () => {
      const strict = await createLicense(t, admin, { product: product.id, policy: rule() });
      await consumed(strict.key, 3);
      expectError(await consume(strict.key, -1), 422, 'NEGATIVE_CONSUMPTION_NOT_ALLOWED');
      const lenient = await createLicense(t, admin, {
        product: product.id,
        policy: rule({ allowNegative: true }),
      });
      await consumed(lenient.key, 3);
      assert.equal((await consumed(lenient.key, -2)).used, 1);
      assert.equal((await consumed(lenient.key, -5)).used, 0);
    });

    it('with overage allowed the meter passes its max, and remaining stays at zero', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: rule({ allowOverage: true }),
      });
      const meter = await consumed(license.key, 15);
      assert.deepEqual([meter.used, meter.remaining], [15, 0]);
    });

    it('a daily meter starts from zero in the next UTC day, with no job needed', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: rule({ resetPeriod: 'daily' }),
      });
      const meter = await consumed(license.key, 10);
      assert.equal(meter.periodStartsAt, '2026-11-22T00:00:00.000Z');
      assert.equal(meter.resetsAt, '2026-11-23T00:00:00.000Z');
      expectError(await consume(license.key, 1), 422, 'CONSUMPTION_LIMIT_EXCEEDED');
      t.clock.set('2026-11-23T00:00:00.000Z');
      const license2 = (await call('GET', `/v1/licenses/${license.id}`)).json() as {
        consumption: { used: number };
      };
      assert.equal(license2.consumption.used, 0, 'the license shows the new period before any consumption');
      const next = await consumed(license.key, 2);
      assert.deepEqual([next.used, next.periodStartsAt], [2, '2026-11-23T00:00:00.000Z']);
      t.clock.set('2026-11-22T10:30:45.123Z');
    });

    it('monthly and weekly periods follow the UTC calendar', async () => {
      const monthly = await createLicense(t, admin, {
        product: product.id,
        policy: rule({ resetPeriod: 'monthly' }),
      });
      const meter = await consumed(monthly.key, 1);
      assert.deepEqual(
        [meter.periodStartsAt, meter.resetsAt],
        ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
      );
      const weekly = await createLicense(t, admin, {
        product: product.id,
        policy: rule({ resetPeriod: 'weekly' }),
      });
      const week = await consumed(weekly.key, 1);
      // 2026-11-22 is a Sunday: its week began on Monday the 16th.
      assert.deepEqual(
        [week.periodStartsAt, week.resetsAt],
        ['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
      );
    });

    it('feature meters: entitled consumption features count against their own max', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { features: [{ code: 'tokens', maxConsumption: 5 }, { code: 'sso' }] },
      });
      const meter = await consumed(license.key, 5, { feature: 'tokens' });
      assert.deepEqual([meter.feature, meter.used, meter.max, meter.remaining], ['tokens', 5, 5, 0]);
      const refused = expectError(
        await consume(license.key, 1, { feature: 'tokens' }),
        422,
        'CONSUMPTION_LIMIT_EXCEEDED',
      );
      assert.deepEqual(refused.details, { limit: 5, used: 5, requested: 1, feature: 'tokens' });
      expectError(await consume(license.key, 1, { feature: 'sso' }), 422, 'NOT_CONSUMPTION');
      expectError(await consume(license.key, 1, { feature: 'missing' }), 422, 'FEATURE_NOT_ENTITLED');
      // The license itself is not metered.
      expectError(await consume(license.key, 1), 422, 'NOT_CONSUMPTION');
      // Without a maximum on the entitlement, the product feature's applies.
      const defaults = await createLicense(t, admin, {
        product: product.id,
        policy: { features: [{ code: 'tokens' }] },
      });
      assert.equal((await consumed(defaults.key, 1, { feature: 'tokens' })).max, 100);
    });

    it('consumption refuses a license that may not run, an unknown key, a machine not activated and bad amounts', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: rule() });
      await call('POST', `/v1/licenses/${license.id}/suspend`);
      expectError(await consume(license.key, 1), 422, 'LICENSE_SUSPENDED');
      await call('POST', `/v1/licenses/${license.id}/reinstate`);
      expectError(await consume(license.key, 1, { fingerprint: 'nowhere' }), 422, 'MACHINE_NOT_ACTIVATED');
      expectError(await consume('AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', 1), 404, 'LICENSE_NOT_FOUND');
      expectError(await consume(license.key, 0), 400, 'VALIDATION_ERROR');
      expectError(await consume(license.key, 1.5), 400, 'VALIDATION_ERROR');
      const expired = await createLicense(t, admin, {
        product: product.id,
        policy: rule(),
        license: { expiresAt: '2026-11-01T00:00:00.000Z' },
      });
      expectError(await consume(expired.key, 1), 422, 'LICENSE_EXPIRED');
    });

    it(`10 parallel consumptions of 1 with 3 remaining: exactly 3 succeed${dialect === 'postgres' ? ', across two app instances' : ''}`, async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: rule() });
      await consumed(license.key, 7);
      const apps = dialect === 'postgres' ? [t.app, await t.sibling()] : [t.app];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, index) => consume(license.key, 1, {}, apps[index % apps.length])),
      );
      const codes = results.map((res) => res.statusCode);
      assert.equal(codes.filter((code) => code === 200).length, 3, codes.join(','));
      for (const res of results.filter((r) => r.statusCode !== 200))
        expectError(res, 422, 'CONSUMPTION_LIMIT_EXCEEDED');
      const shown = (await call('GET', `/v1/licenses/${license.id}`)).json() as {
        consumption: { used: number };
      };
      assert.equal(shown.consumption.used, 10);
    });
  });
}
