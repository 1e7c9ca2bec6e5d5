// Idempotency-Key on Management mutations through HTTP, on both engines: replays, reuse with another body, per
// credential, concurrent requests doing the work once, kept 4xx answers, the 24 h lifetime and bad keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`Idempotency-Key (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const send = (
      method: 'POST' | 'DELETE' | 'GET',
      url: string,
      key: string | undefined,
      payload?: object,
      options: { secret?: string; app?: FastifyInstance | undefined } = {},
    ) =>
      (options.app ?? t.app).inject({
        method,
        url,
        headers: {
          ...bearer(options.secret ?? admin),
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        ...(payload === undefined ? {} : { payload }),
      });
    const productCodes = async () =>
      (
        (await send('GET', '/v1/products?limit=200', undefined)).json() as { data: { code: string }[] }
      ).data.map((product) => product.code);

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    it('the same key and body replay the first answer (status, body, Location) without doing the work again', async () => {
      const first = await send('POST', '/v1/products', 'create-a', { code: 'idem-a', name: 'A' });
      assert.equal(first.statusCode, 201, first.body);
      const again = await send('POST', '/v1/products', 'create-a', { name: 'A', code: 'idem-a' });
      assert.equal(again.statusCode, 201);
      assert.equal(again.body, first.body);
      assert.equal(again.headers.location, first.headers.location);
      // The replayed body names the first request: so does the header.
      assert.equal(again.headers['x-request-id'], first.headers['x-request-id']);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(first.headers['idempotent-replayed'], undefined);
      assert.equal((await productCodes()).filter((code) => code === 'idem-a').length, 1);
    });

    it('the same key with another body answers 409 IDEMPOTENCY_KEY_REUSED', async () => {
      assert.equal(
        (await send('POST', '/v1/products', 'create-b', { code: 'idem-b', name: 'B' })).statusCode,
        201,
      );
      const reused = await send('POST', '/v1/products', 'create-b', { code: 'idem-b2', name: 'B' });
      expectError(reused, 409, 'IDEMPOTENCY_KEY_REUSED');
      assert.ok(!(await productCodes()).includes('idem-b2'));
    });

    it('keys belong to a credential: another key with the same Idempotency-Key does its own work', async () => {
      const other = (await createKey(t, ['products:write', 'products:read'])).secret;
      assert.equal(
        (await send('POST', '/v1/products', 'shared', { code: 'idem-c', name: 'C' })).statusCode,
        201,
      );
      const theirs = await send(
        'POST',
        '/v1/products',
        'shared',
        { code: 'idem-d', name: 'D' },
        { secret: other },
      );
      assert.equal(theirs.statusCode, 201, theirs.body);
    });

    it(`concurrent requests with one key do the work once and all get its answer${dialect === 'postgres' ? ', across two app instances' : ''}`, async () => {
      const apps = dialect === 'postgres' ? [t.app, await t.sibling()] : [t.app];
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          send(
            'POST',
            '/v1/products',
            'together',
            { code: 'idem-e', name: 'E' },
            { app: apps[index % apps.length] },
          ),
        ),
      );
      assert.deepEqual(
        answers.map((res) => res.statusCode),
        Array(6).fill(201),
        answers.map((res) => res.body).join('\n'),
      );
      assert.equal(new Set(answers.map((res) => res.body)).size, 1);
      assert.equal(answers.filter((res) => res.headers['idempotent-replayed'] === 'true').length, 5);
      assert.equal((await productCodes()).filter((code) => code === 'idem-e').length, 1);
    });

    it('a refused request is replayed as refused, even when it would now succeed', async () => {
      const existing = (
        await send('POST', '/v1/products', undefined, { code: 'idem-f', name: 'F' })
      ).json() as {
        id: string;
      };
      const taken = await send('POST', '/v1/products', 'create-f', { code: 'idem-f', name: 'F again' });
      expectError(taken, 409, 'ALREADY_EXISTS');
      assert.equal((await send('DELETE', `/v1/products/${existing.id}`, undefined)).statusCode, 204);
      const replayed = await send('POST', '/v1/products', 'create-f', { code: 'idem-f', name: 'F again' });
      expectError(replayed, 409, 'ALREADY_EXISTS');
      assert.equal(replayed.headers['idempotent-replayed'], 'true');
      assert.equal(
        (await send('POST', '/v1/products', 'create-f2', { code: 'idem-f', name: 'F again' })).statusCode,
        201,
      );
    });

    it('a delete replays its 204; after 24 hours a key does the work again', async () => {
      const product = (
        await send('POST', '/v1/products', undefined, { code: 'idem-g', name: 'G' })
      ).json() as {
        id: string;
      };
      assert.equal((await send('DELETE', `/v1/products/${product.id}`, 'delete-g')).statusCode, 204);
      const replay = await send('DELETE', `/v1/products/${product.id}`, 'delete-g');
      assert.deepEqual([replay.statusCode, replay.headers['idempotent-replayed']], [204, 'true']);
      assert.equal(
        (await send('POST', '/v1/products', 'day-old', { code: 'idem-h', name: 'H' })).statusCode,
        201,
      );
      t.clock.advance(24 * 3600_000);
      const later = await send('POST', '/v1/products', 'day-old', { code: 'idem-h', name: 'H' });
      expectError(later, 409, 'ALREADY_EXISTS');
      assert.equal(later.headers['idempotent-replayed'], undefined);
    });

    it('/openapi.json documents the header and IDEMPOTENCY_KEY_REUSED on mutating Management routes only', async () => {
      type Op = {
        parameters?: { in: string; name: string }[];
        responses: Record<string, { description: string }>;
      };
      const paths = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<
        string,
        Record<string, Op>
      >;
      const takesKey = (op: Op | undefined) =>
        (op?.parameters ?? []).some(
          (parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key',
        );
      assert.ok(takesKey(paths['/v1/products']?.post));
      assert.match(
        paths['/v1/products']?.post?.responses['409']?.description ?? '',
        /IDEMPOTENCY_KEY_REUSED/,
      );
      assert.ok(takesKey(paths['/v1/products/{id}']?.delete));
      assert.ok(!takesKey(paths['/v1/products']?.get));
      assert.ok(!takesKey(paths['/v1/client/activate']?.post));
    });

    it('a kept answer is sealed at rest: a license key in it is not readable from the database', async () => {
      const product = (
        await send('POST', '/v1/products', undefined, { code: 'idem-seal', name: 'S' })
      ).json() as {
        id: string;
      };
      const policy = (
        await send('POST', '/v1/policies', undefined, { productId: product.id, code: 'idem-seal', name: 'S' })
      ).json() as { id: string };
      const issued = await send('POST', '/v1/licenses', 'issue-sealed', { policyId: policy.id });
      const key = (issued.json() as { key: string }).key;
      const stored = await t.db.kysely
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('key', '=', 'issue-sealed')
        .execute();
      assert.equal(stored.length, 1);
      assert.ok(!JSON.stringify(stored).includes(key));
      const replay = await send('POST', '/v1/licenses', 'issue-sealed', { policyId: policy.id });
      assert.equal((replay.json() as { key: string }).key, key);
    });

    it('a key outside 1–255 characters answers 400 VALIDATION_ERROR; reads ignore the header', async () => {
      expectError(
        await send('POST', '/v1/products', 'k'.repeat(256), { code: 'idem-i', name: 'I' }),
        400,
        'VALIDATION_ERROR',
      );
      assert.ok(!(await productCodes()).includes('idem-i'));
      const read = await send('GET', '/v1/products', 'k'.repeat(256));
      assert.equal(read.statusCode, 200);
    });
  });
}
