// Releases through HTTP, on both engines: Management CRUD, what a license may install (channels, scheduling,
// semver order, maintenance expiry), installation files, and refusals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const sha = (char: string) => char.repeat(64);
const file = (platform: string, version: string) => ({
  platform,
  url: `https://downloads.example.com/studio-${version}-${platform}.zip`,
  sha256: sha('a'),
  size: 1024,
});

for (const dialect of dialects()) {
  describe(`releases (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    let product: { id: string };
    const versions = async (licenseKey: string, channel?: string) => {
      const res = await client('versions', { licenseKey, ...(channel ? { channel } : {}) });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { data: { version: string }[] }).data.map((release) => release.version);
    };

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'studio', name: 'Studio' });
      const now = Date.parse('2026-11-22T10:30:45.123Z');
      for (const [version, channel, publishedAt] of [
        ['1.9.0', 'stable', now - 90 * 86_400_000],
        ['1.10.0', 'stable', now - 30 * 86_400_000],
        ['2.0.0-beta.1', 'beta', now - 86_400_000],
        ['2.0.0', 'stable', now + 7 * 86_400_000],
      ] as const) {
        const res = await call('POST', '/v1/releases', {
          productId: 'studio',
          version,
          channel,
          publishedAt: new Date(publishedAt).toISOString(),
          files:
            version === '1.9.0'
              ? [file('linux-x64', version)]
              : [file('linux-x64', version), file('windows-x64', version)],
        });
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(() => t.close());

    it('releases are created, listed, changed and withdrawn; a version appears once per product', async () => {
      const created = await call('POST', '/v1/releases', {
        productId: product.id,
        version: '0.9.0',
        files: [file('linux-x64', '0.9.0')],
      });
      assert.equal(created.statusCode, 201, created.body);
      const release = created.json() as { id: string; channel: string; productId: string };
      assert.equal(created.headers.location, `/v1/releases/${release.id}`);
      assert.deepEqual([release.channel, release.productId], ['stable', product.id]);
      expectError(
        await call('POST', '/v1/releases', { productId: product.id, version: '0.9.0' }),
        409,
        'ALREADY_EXISTS',
      );
      expectError(
        await call('POST', '/v1/releases', { productId: product.id, version: 'v1' }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await call('POST', '/v1/releases', { productId: 'nope', version: '1.0.0' }),
        422,
        'UNKNOWN_PRODUCT',
      );
      const changed = await call('PATCH', `/v1/releases/${release.id}`, { channel: 'beta' });
      assert.equal((changed.json() as { channel: string }).channel, 'beta');
      const betas = (await call('GET', `/v1/releases?productId=${product.id}&channel=beta`)).json() as {
        data: { version: string }[];
      };
      assert.deepEqual(betas.data.map((item) => item.version).sort(), ['0.9.0', '2.0.0-beta.1']);
      assert.equal((await call('DELETE', `/v1/releases/${release.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/releases/${release.id}`), 404, 'NOT_FOUND');
    });

    it('a license may install its product’s published releases, newest first by semver; beta adds beta releases', async () => {
      const license = await createLicense(t, admin, { product: product.id });
      assert.deepEqual(await versions(license.key), ['1.10.0', '1.9.0']);
      assert.deepEqual(await versions(license.key, 'beta'), ['2.0.0-beta.1', '1.10.0', '1.9.0']);
      // 2.0.0 is scheduled a week ahead.
      t.clock.advance(8 * 86_400_000);
      assert.deepEqual(await versions(license.key), ['2.0.0', '1.10.0', '1.9.0']);
      t.clock.set('2026-11-22T10:30:45.123Z');
    });

    it('under maintenance expiry an expired license keeps the releases published before its end; restrict refuses', async () => {
      const end = new Date(Date.parse('2026-11-22T10:30:45.123Z') - 60 * 86_400_000).toISOString();
      const maintenance = await createLicense(t, admin, {
        product: product.id,
        policy: { expirationStrategy: 'maintenance' },
        license: { expiresAt: end },
      });
      assert.deepEqual(await versions(maintenance.key), ['1.9.0']);
      const restricted = await createLicense(t, admin, { product: product.id, license: { expiresAt: end } });
      const refused = expectError(
        await client('versions', { licenseKey: restricted.key }),
        422,
        'ACTIVE_LICENSE_REQUIRED',
      );
      assert.equal(refused.details?.reason, 'LICENSE_EXPIRED');
      const suspended = await createLicense(t, admin, { product: product.id });
      await call('POST', `/v1/licenses/${suspended.id}/suspend`);
      expectError(
        await client('installation-file', { licenseKey: suspended.key, platform: 'linux-x64' }),
        422,
        'ACTIVE_LICENSE_REQUIRED',
      );
      expectError(
        await client('versions', { licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }),
        404,
        'LICENSE_NOT_FOUND',
      );
    });

    it('installation-file answers the newest installable file for a platform, or a given version', async () => {
      const license = await createLicense(t, admin, { product: product.id });
      const latest = await client('installation-file', { licenseKey: license.key, platform: 'windows-x64' });
      assert.equal(latest.statusCode, 200, latest.body);
      assert.deepEqual(latest.json(), {
        version: '1.10.0',
        url: 'https://downloads.example.com/studio-1.10.0-windows-x64.zip',
        sha256: sha('a'),
        size: 1024,
      });
      const pinned = (
        await client('installation-file', {
          licenseKey: license.key,
          platform: 'linux-x64',
          version: '1.9.0',
        })
      ).json() as { version: string };
      assert.equal(pinned.version, '1.9.0');
      expectError(
        await client('installation-file', {
          licenseKey: license.key,
          platform: 'windows-x64',
          version: '1.9.0',
        }),
        404,
        'VERSION_NOT_FOUND',
      );
      expectError(
        await client('installation-file', {
          licenseKey: license.key,
          platform: 'linux-x64',
          version: '2.0.0',
        }),
        404,
        'VERSION_NOT_FOUND',
      );
      expectError(
        await client('installation-file', { licenseKey: license.key, platform: 'amiga' }),
        404,
        'VERSION_NOT_FOUND',
      );
    });

    it('a key restricted to another product cannot publish (403) or read (404) this product’s releases', async () => {
      const other = await createProduct(t, admin, { code: 'other', name: 'Other' });
      const restricted = (await createKey(t, ['releases:read', 'releases:write'], { productIds: [other.id] }))
        .secret;
      const refused = await t.app.inject({
        method: 'POST',
        url: '/v1/releases',
        headers: bearer(restricted),
        payload: { productId: product.id, version: '9.9.9' },
      });
      expectError(refused, 403, 'PRODUCT_NOT_ALLOWED');
      const list = await t.app.inject({ method: 'GET', url: '/v1/releases', headers: bearer(restricted) });
      assert.deepEqual((list.json() as { data: unknown[] }).data, []);
    });
  });
}
