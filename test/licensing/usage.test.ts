// Usage analytics through HTTP, on both engines: hot-path counts aggregated in memory, written by flushes and on
// graceful shutdown, summed by hour or day; peaks of seats in use; bad queries and visibility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type Bucket = {
  start: string;
  end: string;
  validations: number;
  activations: number;
  deactivations: number;
  checkouts: number;
  denials: number;
  peakSeats: number;
};

for (const dialect of dialects()) {
  describe(`usage analytics (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string };

    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const usage = async (query: string) => {
      const res = await call('GET', `/v1/usage?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as {
        productId: string | null;
        bucket: string;
        from: string;
        to: string;
        data: Bucket[];
        seatsInUse: number;
      };
    };

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'usage-prod', name: 'U' });
    });
    after(() => t.close());

    it('counts validations, activations, deactivations, checkouts, denials and peak seats by hour and by day', async () => {
      const locked = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 2 } });
      const floating = await createLicense(t, admin, {
        product: product.id,
        policy: { floating: true, maxMachines: 2 },
      });
      for (let i = 0; i < 3; i++) await client('validate', { licenseKey: locked.key });
      await client('activate', { licenseKey: locked.key, fingerprint: 'u-1' });
      await client('deactivate', { licenseKey: locked.key, fingerprint: 'u-1' });
      t.clock.advance(3600_000);
      await client('checkout', { licenseKey: floating.key, fingerprint: 'u-a' });
      await client('checkout', { licenseKey: floating.key, fingerprint: 'u-b' });
      await client('checkout', { licenseKey: floating.key, fingerprint: 'u-c' });
      await client('validate', { licenseKey: floating.key });
      // An unknown key counts for no product.
      await client('validate', { licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' });

      const hourly = await usage(
        `productId=${product.id}&bucket=hour&from=2026-11-22T10:00:00.000Z&to=2026-11-22T12:00:00.000Z`,
      );
      assert.equal(hourly.productId, product.id);
      assert.deepEqual(hourly.data, [
        {
          start: '2026-11-22T10:00:00.000Z',
          end: '2026-11-22T11:00:00.000Z',
          validations: 3,
          activations: 1,
          deactivations: 1,
          checkouts: 0,
          denials: 0,
          peakSeats: 0,
        },
        {
          start: '2026-11-22T11:00:00.000Z',
          end: '2026-11-22T12:00:00.000Z',
          validations: 1,
          activations: 0,
          deactivations: 0,
          checkouts: 2,
          denials: 1,
          peakSeats: 2,
        },
      ]);
      const daily = await usage(
        `productId=${product.id}&from=2026-11-21T00:00:00.000Z&to=2026-11-23T00:00:00.000Z`,
      );
      assert.equal(daily.bucket, 'day');
      assert.deepEqual(
        daily.data.map((bucket) => [bucket.start, bucket.validations, bucket.checkouts, bucket.peakSeats]),
        [
          ['2026-11-21T00:00:00.000Z', 0, 0, 0],
          ['2026-11-22T00:00:00.000Z', 4, 2, 2],
        ],
      );
      // The seats held now, whatever the range: the product's two, another product's none, one after a release.
      assert.equal(hourly.seatsInUse, 2);
      const idle = await createProduct(t, admin, { code: 'usage-idle', name: 'I' });
      assert.equal((await usage(`productId=${idle.id}`)).seatsInUse, 0);
      await client('release', { licenseKey: floating.key, fingerprint: 'u-a' });
      assert.equal((await usage(`productId=${product.id}`)).seatsInUse, 1);
      t.clock.set('2026-11-22T10:30:45.123Z');
    });

    it("a graceful shutdown writes the counts still in memory (another instance's included)", async () => {
      const license = await createLicense(t, admin, { product: product.id });
      const other = await t.sibling();
      for (let i = 0; i < 5; i++) await client('validate', { licenseKey: license.key }, other);
      // The sibling's counts are only in its memory until it closes.
      const before = await usage(
        `productId=${product.id}&bucket=hour&from=2026-11-22T10:00:00.000Z&to=2026-11-22T11:00:00.000Z`,
      );
      await other.close();
      const afterClose = await usage(
        `productId=${product.id}&bucket=hour&from=2026-11-22T10:00:00.000Z&to=2026-11-22T11:00:00.000Z`,
      );
      assert.equal((afterClose.data[0]?.validations ?? 0) - (before.data[0]?.validations ?? 0), 5);
    });

    it('without a range the report covers the last 7 days by day, every bucket present', async () => {
      const report = await usage(`productId=${product.id}`);
      assert.equal(report.data.length, 8, 'seven days back from now, with the partial current day');
      assert.equal(report.to, '2026-11-23T00:00:00.000Z');
      const hours = await usage('bucket=hour');
      assert.equal(hours.productId, null);
      assert.equal(hours.data.length, 25);
    });

    it('a bad range answers 400; a product the caller may not see answers 404', async () => {
      expectError(
        await call('GET', '/v1/usage?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z'),
        400,
        'VALIDATION_ERROR',
      );
      expectError(await call('GET', '/v1/usage?bucket=week'), 400, 'VALIDATION_ERROR');
      expectError(
        await call('GET', '/v1/usage?from=2025-01-01T00:00:00Z&to=2026-11-21T00:00:00Z&bucket=hour'),
        400,
        'VALIDATION_ERROR',
      );
      expectError(await call('GET', '/v1/usage?nope=1'), 400, 'INVALID_QUERY');
      expectError(await call('GET', '/v1/usage?productId=prod_missing'), 404, 'NOT_FOUND');
      const other = await createProduct(t, admin, { code: 'usage-other', name: 'O' });
      const restricted = (await createKey(t, ['licenses:read'], { productIds: [other.id] })).secret;
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/usage?productId=${product.id}`,
        headers: bearer(restricted),
      });
      expectError(res, 404, 'NOT_FOUND');
      // Nor does it count that product's seats among those held now.
      const own = await t.app.inject({ method: 'GET', url: '/v1/usage', headers: bearer(restricted) });
      assert.equal(own.statusCode, 200, own.body);
      assert.equal((own.json() as { seatsInUse: number }).seatsInUse, 0);
      assert.ok((await usage('')).seatsInUse > 0, 'an unrestricted caller sees the seats held');
    });
  });
}
