// Product bundles (licensing.md "Bundles") through HTTP, on both engines: a product of kind `bundle` lists member
// products; one license of a bundle's policy validates and activates with the productCode of the bundle or of any
// member (any other answers PRODUCT_MISMATCH), its license file lists what it covers, a change of membership is
// seen by the next validation (the validation cache forgets), the members routes answer 422 PRODUCT_NOT_BUNDLE on
// a standard product, and a product-restricted credential reaches neither a bundle nor members outside its
// products.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PublicKeyEntry, verifyLicenseFile } from '../../packages/sdk/src/index.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError, issuesOf } from '../support/expect-error.js';
import {
  activateMachine,
  type CreatedLicense,
  type CreatedProduct,
  createLicense,
  createProduct,
} from '../support/factories.js';
import { dialects } from '../support/services.js';

type Result = { valid: boolean; code: string; message: string; license: { id: string } | null };
type ProductBody = { id: string; code: string; kind: string; status: string };
type Members = { data: ProductBody[] };

const payloadOf = (file: string) => {
  const body = file.split('\n').slice(1, -1).join('');
  const envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as { payload: string };
  return JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as {
    license: { productCode: string; products?: string[] };
  };
};

const codesOf = (members: Members) => members.data.map((product) => product.code);

for (const dialect of dialects()) {
  describe(`product bundles (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let memberA: CreatedProduct;
    let memberB: CreatedProduct;
    let unrelated: CreatedProduct;
    let bundle: CreatedProduct;
    let license: CreatedLicense;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const validate = async (payload: Record<string, unknown>, app = t.app) => {
      const res = await client('validate', payload, app);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Result;
    };
    const setMembers = async (productIds: string[], secret = admin) => {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/v1/products/${bundle.id}/members`,
        headers: bearer(secret),
        payload: { productIds },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Members;
    };

    before(async () => {
      t = await withApp({
        dialect,
        config: {
          CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
          CHARTER_RATE_LIMIT_CLIENT_IP: 0,
          CHARTER_VALIDATION_CACHE_TTL_SECONDS: 86_400,
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
      memberA = await createProduct(t, admin, { code: 'studio', name: 'Studio' });
      memberB = await createProduct(t, admin, { code: 'render', name: 'Render' });
      unrelated = await createProduct(t, admin, { code: 'other', name: 'Other' });
      bundle = await createProduct(t, admin, { code: 'suite', name: 'Suite', kind: 'bundle' });
      license = await createLicense(t, admin, { product: bundle.id, policy: { maxMachines: 5 } });
    });
    after(() => t.close());

    it('a product is standard unless created as a bundle; kind never changes; ?kind= lists bundles', async () => {
      const read = async (id: string) => (await call('GET', `/v1/products/${id}`)).json() as ProductBody;
      assert.equal((await read(memberA.id)).kind, 'standard');
      assert.equal((await read(bundle.id)).kind, 'bundle');
      const body = expectError(
        await call('PATCH', `/v1/products/${bundle.id}`, { kind: 'standard' }),
        400,
        'VALIDATION_ERROR',
      );
      assert.ok(issuesOf(body).length > 0);
      expectError(
        await call('POST', '/v1/products', { code: 'odd', name: 'Odd', kind: 'set' }),
        400,
        'VALIDATION_ERROR',
      );
      const bundles = (await call('GET', '/v1/products?kind=bundle')).json() as { data: ProductBody[] };
      assert.deepEqual(
        bundles.data.map((product) => product.code),
        ['suite'],
      );
    });

    it('PUT …/members sets the list by id or code and GET lists it by id; audited as product.members', async () => {
      const empty = (await call('GET', `/v1/products/${bundle.id}/members`)).json() as Members;
      assert.deepEqual(empty, { data: [] });
      const set = await setMembers([memberA.id, memberB.code, memberA.code]);
      const byId = [memberA, memberB].sort((a, b) => (a.id < b.id ? -1 : 1)).map((product) => product.code);
      assert.deepEqual(codesOf(set), byId);
      const listed = await call('GET', `/v1/products/${bundle.id}/members`);
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(listed.json(), set);
      assert.ok(set.data.every((product) => product.kind === 'standard'));
      const log = await call('GET', `/v1/audit-log?targetId=${bundle.id}&action=product.members`);
      const [entry] = (log.json() as { data: { changes: Record<string, unknown> }[] }).data;
      assert.deepEqual(entry?.changes.members, [[], ['render', 'studio']]);
    });

    it('a bundle license validates for two member products', async () => {
      await setMembers([memberA.id, memberB.id]);
      for (const productCode of ['studio', 'render', 'suite', undefined]) {
        const result = await validate({ licenseKey: license.key, ...(productCode ? { productCode } : {}) });
        assert.deepEqual([result.valid, result.code], [true, 'VALID'], `${productCode}: ${result.message}`);
        assert.equal(result.license?.id, license.id);
      }
      const mismatch = await validate({ licenseKey: license.key, productCode: 'other' });
      assert.deepEqual([mismatch.valid, mismatch.code], [false, 'PRODUCT_MISMATCH']);
      assert.match(mismatch.message, /bundle suite and its members, not other/);
      // A member's own license covers the member alone: membership goes from the bundle down, never up.
      const own = await createLicense(t, admin, { product: memberA.id });
      assert.equal((await validate({ licenseKey: own.key, productCode: 'studio' })).code, 'VALID');
      assert.equal((await validate({ licenseKey: own.key, productCode: 'render' })).code, 'PRODUCT_MISMATCH');
      assert.equal((await validate({ licenseKey: own.key, productCode: 'suite' })).code, 'PRODUCT_MISMATCH');
    });

    it("activates with a member's productCode; the file lists the codes it covers and verifies with the SDK", async () => {
      await setMembers([memberA.id, memberB.id]);
      const activation = await activateMachine(t, license.key, 'bundle-laptop', { productCode: 'render' });
      assert.equal(activation.license.id, license.id);
      const payload = payloadOf(activation.licenseFile);
      assert.equal(payload.license.productCode, 'suite');
      assert.deepEqual(payload.license.products, ['suite', 'render', 'studio']);
      const keys = (await t.app.inject({ method: 'GET', url: '/v1/public-keys' })).json() as {
        data: PublicKeyEntry[];
      };
      const verified = await verifyLicenseFile(activation.licenseFile, keys, {
        fingerprint: 'bundle-laptop',
        now: t.clock.now(),
      });
      assert.ok(verified.valid, JSON.stringify(verified));
      assert.deepEqual(verified.payload.license.products, ['suite', 'render', 'studio']);

      const machine = { licenseKey: license.key, fingerprint: 'bundle-laptop' };
      assert.equal(
        (await validate({ ...machine, productCode: 'studio' })).code,
        'VALID',
        'the machine validates for the other member too',
      );
      const refreshed = await client('license-file', { ...machine, productCode: 'studio' });
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      assert.equal((await client('heartbeat', { ...machine, productCode: 'suite' })).statusCode, 200);
      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'elsewhere', productCode: 'other' }),
        422,
        'PRODUCT_MISMATCH',
      );
      expectError(await client('heartbeat', { ...machine, productCode: 'other' }), 422, 'PRODUCT_MISMATCH');
      expectError(await client('deactivate', { ...machine, productCode: 'other' }), 422, 'PRODUCT_MISMATCH');
      assert.equal((await client('deactivate', { ...machine, productCode: 'studio' })).statusCode, 204);

      // A standard product's file says nothing of bundles: no `products`.
      const plain = await createLicense(t, admin, { product: unrelated.id });
      const plainFile = payloadOf((await activateMachine(t, plain.key, 'plain-1')).licenseFile);
      assert.equal(plainFile.license.productCode, 'other');
      assert.equal('products' in plainFile.license, false);
      expectError(
        await client('activate', { licenseKey: plain.key, fingerprint: 'plain-2', productCode: 'studio' }),
        422,
        'PRODUCT_MISMATCH',
      );
    });

    it('the members routes on a standard product answer 422 PRODUCT_NOT_BUNDLE', async () => {
      const read = expectError(
        await call('GET', `/v1/products/${memberA.id}/members`),
        422,
        'PRODUCT_NOT_BUNDLE',
      );
      assert.deepEqual(read.details, { productId: memberA.id });
      assert.match(read.message, /studio is a standard product, not a bundle/);
      const write = expectError(
        await call('PUT', `/v1/products/${memberA.id}/members`, { productIds: [memberB.id] }),
        422,
        'PRODUCT_NOT_BUNDLE',
      );
      assert.deepEqual(write.details, { productId: memberA.id });
      expectError(await call('GET', '/v1/products/prod_missing/members'), 404, 'NOT_FOUND');
    });

    it('members are live standard products: a bundle, the bundle itself or an unknown product is refused, nothing changes', async () => {
      await setMembers([memberA.id, memberB.id]);
      const other = await createProduct(t, admin, {
        code: 'other-suite',
        name: 'Other suite',
        kind: 'bundle',
      });
      const nested = expectError(
        await call('PUT', `/v1/products/${bundle.id}/members`, { productIds: [memberA.id, other.code] }),
        400,
        'VALIDATION_ERROR',
      );
      assert.deepEqual(
        issuesOf(nested).map((issue) => issue.path),
        [['productIds', 1]],
      );
      expectError(
        await call('PUT', `/v1/products/${bundle.id}/members`, { productIds: [bundle.id] }),
        400,
        'VALIDATION_ERROR',
      );
      const unknown = expectError(
        await call('PUT', `/v1/products/${bundle.id}/members`, { productIds: ['no-such-product'] }),
        422,
        'UNKNOWN_PRODUCT',
      );
      assert.deepEqual(unknown.details, { productId: 'no-such-product' });
      expectError(
        await call('PUT', `/v1/products/${bundle.id}/members`, { productIds: [memberA.id], extra: true }),
        400,
        'VALIDATION_ERROR',
      );
      const members = (await call('GET', `/v1/products/${bundle.id}/members`)).json() as Members;
      assert.deepEqual(codesOf(members).sort(), ['render', 'studio']);
    });

    it('a change of membership is seen by the next validation, in this process and another', async () => {
      await setMembers([memberA.id, memberB.id]);
      const sibling = await t.sibling();
      const key = { licenseKey: license.key, productCode: 'render' };
      // Twice each: the second answer comes from the validation cache.
      for (const app of [t.app, sibling, t.app, sibling])
        assert.equal((await validate(key, app)).code, 'VALID');

      await setMembers([memberA.id]);
      assert.equal((await validate(key)).code, 'PRODUCT_MISMATCH');
      assert.equal((await validate({ ...key, productCode: 'studio' })).code, 'VALID');
      const seenBySibling = async (code: string) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          if ((await validate(key, sibling)).code === code) return true;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return false;
      };
      assert.ok(await seenBySibling('PRODUCT_MISMATCH'), 'the other process saw the member leave');

      await setMembers([memberA.id, memberB.id]);
      assert.equal((await validate(key)).code, 'VALID');
      assert.ok(await seenBySibling('VALID'), 'the other process saw the member come back');

      // Deleting a member product removes it from the bundle.
      const extra = await createProduct(t, admin, { code: 'extra', name: 'Extra' });
      await setMembers([memberA.id, memberB.id, extra.id]);
      const extraKey = { licenseKey: license.key, productCode: 'extra' };
      assert.equal((await validate(extraKey)).code, 'VALID');
      assert.equal((await call('DELETE', `/v1/products/${extra.id}`)).statusCode, 204);
      assert.equal((await validate(extraKey)).code, 'PRODUCT_MISMATCH');
      const members = (await call('GET', `/v1/products/${bundle.id}/members`)).json() as Members;
      assert.deepEqual(codesOf(members).sort(), ['render', 'studio']);
      const rows = await t.db.kysely
        .selectFrom('product_members')
        .select('member_id')
        .where('member_id', '=', extra.id)
        .execute();
      assert.deepEqual(rows, []);
    });

    it('a member named by productCode brings its own status: disabled refuses, archived refuses new machines', async () => {
      await setMembers([memberA.id, memberB.id]);
      const key = { licenseKey: license.key };
      assert.equal(
        (await call('PATCH', `/v1/products/${memberB.id}`, { status: 'disabled' })).statusCode,
        200,
      );
      assert.equal((await validate({ ...key, productCode: 'render' })).code, 'PRODUCT_DISABLED');
      assert.equal((await validate({ ...key, productCode: 'studio' })).code, 'VALID');
      assert.equal((await validate(key)).code, 'VALID');
      assert.equal(
        (await call('PATCH', `/v1/products/${memberB.id}`, { status: 'archived' })).statusCode,
        200,
      );
      assert.equal((await validate({ ...key, productCode: 'render' })).code, 'VALID');
      expectError(
        await client('activate', { ...key, fingerprint: 'archived-1', productCode: 'render' }),
        422,
        'PRODUCT_ARCHIVED',
      );
      assert.equal((await call('PATCH', `/v1/products/${memberB.id}`, { status: 'active' })).statusCode, 200);
      assert.equal(
        (await client('activate', { ...key, fingerprint: 'archived-1', productCode: 'render' })).statusCode,
        201,
      );
    });

    it("the Client API's releases follow productCode to a member's releases", async () => {
      await setMembers([memberA.id, memberB.id]);
      const created = await call('POST', '/v1/releases', {
        productId: memberB.id,
        version: '3.1.0',
        publishedAt: '2026-01-01T00:00:00.000Z',
        files: [
          {
            platform: 'linux-x64',
            url: 'https://downloads.example.com/render.zip',
            sha256: 'a'.repeat(64),
            size: 1,
          },
        ],
      });
      assert.equal(created.statusCode, 201, created.body);
      const versions = async (productCode?: string) => {
        const res = await client('versions', {
          licenseKey: license.key,
          ...(productCode ? { productCode } : {}),
        });
        assert.equal(res.statusCode, 200, res.body);
        return (res.json() as { data: { version: string }[] }).data.map((release) => release.version);
      };
      assert.deepEqual(await versions('render'), ['3.1.0']);
      assert.deepEqual(await versions(), []);
      const file = await client('installation-file', {
        licenseKey: license.key,
        platform: 'linux-x64',
        productCode: 'render',
      });
      assert.equal(file.statusCode, 200, file.body);
      assert.equal((file.json() as { version: string }).version, '3.1.0');
      expectError(
        await client('versions', { licenseKey: license.key, productCode: 'other' }),
        422,
        'PRODUCT_MISMATCH',
      );
    });

    it("licenses are listed under their own product: ?productId= of a member leaves out the bundle's", async () => {
      const list = async (productId: string) =>
        (
          (await call('GET', `/v1/licenses?productId=${productId}`)).json() as { data: { id: string }[] }
        ).data.map((row) => row.id);
      assert.ok((await list(bundle.id)).includes(license.id));
      assert.ok(!(await list(memberA.id)).includes(license.id));
    });

    it('a product-restricted credential reaches neither a bundle nor members outside its products', async () => {
      await setMembers([memberA.id, memberB.id]);
      const outside = (await createKey(t, ['admin'], { productIds: [memberA.id] })).secret;
      const asOutside = managementCalls(
        () => t,
        () => outside,
      );
      // The bundle is not among its products: missing, as any other product.
      const missing = expectError(
        await asOutside('GET', `/v1/products/${bundle.id}/members`),
        404,
        'NOT_FOUND',
      );
      const absent = expectError(
        await asOutside('GET', '/v1/products/prod_absent/members'),
        404,
        'NOT_FOUND',
      );
      assert.equal(missing.message.replace(bundle.id, 'X'), absent.message.replace('prod_absent', 'X'));
      expectError(
        await asOutside('PUT', `/v1/products/${bundle.id}/members`, { productIds: [memberA.id] }),
        404,
        'NOT_FOUND',
      );

      // The bundle and one member: the other member is hidden, and naming it answers as naming nothing.
      const inside = (await createKey(t, ['admin'], { productIds: [bundle.id, memberA.id] })).secret;
      const asInside = managementCalls(
        () => t,
        () => inside,
      );
      const seen = (await asInside('GET', `/v1/products/${bundle.id}/members`)).json() as Members;
      assert.deepEqual(codesOf(seen), ['studio']);
      const hidden = expectError(
        await asInside('PUT', `/v1/products/${bundle.id}/members`, { productIds: [memberB.id] }),
        422,
        'UNKNOWN_PRODUCT',
      );
      const unknown = expectError(
        await asInside('PUT', `/v1/products/${bundle.id}/members`, { productIds: ['prod_nothing'] }),
        422,
        'UNKNOWN_PRODUCT',
      );
      assert.equal(hidden.message.replace(memberB.id, 'X'), unknown.message.replace('prod_nothing', 'X'));
      // Its PUT replaces what it sees and keeps the member it cannot see.
      assert.deepEqual(codesOf(await setMembers([], inside)), []);
      const all = (await call('GET', `/v1/products/${bundle.id}/members`)).json() as Members;
      assert.deepEqual(codesOf(all), ['render']);
      assert.deepEqual(codesOf(await setMembers([memberA.code], inside)), ['studio']);
      const both = (await call('GET', `/v1/products/${bundle.id}/members`)).json() as Members;
      assert.deepEqual(codesOf(both).sort(), ['render', 'studio']);
    });
  });
}
