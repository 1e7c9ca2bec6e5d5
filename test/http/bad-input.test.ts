// Every malformed request of errors.md "Request" gets its code, and hostile bodies never cost the process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readPage } from '../../src/db/pagination.js';
import { listQuerySchema } from '../../src/http/pagination.js';
import { publicRoute } from '../../src/http/route-rules.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

const orderShape = z.object({
  externalId: z.string().min(1),
  items: z.array(z.object({ productCode: z.string(), quantity: z.number().int().min(1) })).min(1),
});

/** A probe route with body, query and path schemas, standing in for the domain routes of later issues. */
const probeRoutes = async (app: FastifyInstance) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post(
    '/test/orders/:shopId',
    {
      config: { auth: publicRoute },
      schema: {
        params: z.object({ shopId: z.string().regex(/^shop_[a-z0-9]+$/) }),
        querystring: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
        body: orderShape,
      },
    },
    async (request) => ({ received: request.body.items.length }),
  );
  routes.post(
    '/test/keyed',
    {
      config: { auth: publicRoute },
      schema: { headers: z.object({ 'idempotency-key': z.string().min(1).max(255) }) },
    },
    async () => ({ ok: true }),
  );
  const items = Array.from({ length: 5 }, (_, index) => ({
    id: `item_${index}`,
    status: index % 2 ? 'odd' : 'even',
  }));
  routes.get(
    '/test/items',
    {
      config: { auth: publicRoute },
      schema: { querystring: listQuerySchema({ status: z.enum(['odd', 'even']).optional() }) },
    },
    async (request) => {
      const { status } = request.query;
      return readPage(
        request.query,
        async (window) =>
          items
            .filter(
              (item) => (!status || item.status === status) && (!window.after || item.id > window.after),
            )
            .slice(0, window.limit),
        (rows) => rows,
      );
    },
  );
};

const json = { 'content-type': 'application/json' };

for (const dialect of dialects()) {
  describe(`bad input (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await withApp({ dialect, extend: probeRoutes, config: { CHARTER_BODY_LIMIT: 65536 } });
    });
    after(() => t.close());

    const post = (
      payload: string | Buffer,
      headers: Record<string, string> = json,
      url = '/test/orders/shop_1',
    ) => t.app.inject({ method: 'POST', url, headers, payload });

    it('a well-formed order passes the probe route', async () => {
      const res = await post(
        JSON.stringify({ externalId: 'o-1', items: [{ productCode: 'a', quantity: 2 }] }),
      );
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { received: 1 });
    });

    it('unparseable JSON answers 400 INVALID_JSON', async () => {
      expectError(await post('{"externalId": '), 400, 'INVALID_JSON');
    });

    it('an empty body declared as JSON counts as no body: 400 VALIDATION_ERROR where a body is required', async () => {
      const body = expectError(await post(''), 400, 'VALIDATION_ERROR');
      assert.equal(body.details?.location, 'body');
    });

    it('invalid UTF-8 answers 400 INVALID_JSON', async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"externalId":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]);
      const body = expectError(await post(bytes), 400, 'INVALID_JSON');
      assert.match(body.message, /UTF-8/);
    });

    it('JSON nested 10,000 levels deep answers 400 INVALID_JSON and the app keeps serving', async () => {
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      expectError(await post(deep), 400, 'INVALID_JSON');
      const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      expectError(await post(deepObject), 400, 'INVALID_JSON');
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    });

    it('brackets inside strings do not count as nesting', async () => {
      const res = await post(
        JSON.stringify({ externalId: `${'['.repeat(100)}\\"{`, items: [{ productCode: 'x', quantity: 1 }] }),
      );
      assert.equal(res.statusCode, 200, res.body);
    });

    it('a __proto__ key answers 400 INVALID_JSON', async () => {
      expectError(await post('{"externalId":"x","__proto__":{"polluted":true}}'), 400, 'INVALID_JSON');
    });

    it('a JSON null body answers 400 VALIDATION_ERROR', async () => {
      const body = expectError(await post('null'), 400, 'VALIDATION_ERROR');
      assert.deepEqual(body.details?.location, 'body');
    });

    it('an array where an object is expected answers 400 VALIDATION_ERROR', async () => {
      const body = expectError(await post('[{"externalId":"x"}]'), 400, 'VALIDATION_ERROR');
      assert.ok(Array.isArray(body.details?.issues));
    });

    it('VALIDATION_ERROR lists every failing field with its path as an array', async () => {
      const res = await post(
        JSON.stringify({
          externalId: '',
          items: [
            { productCode: 'a', quantity: 0 },
            { productCode: 7, quantity: 1 },
          ],
        }),
      );
      const body = expectError(res, 400, 'VALIDATION_ERROR');
      const issues = body.details?.issues as { path: (string | number)[]; message: string; code: string }[];
      assert.deepEqual(
        issues.map((issue) => issue.path),
        [['externalId'], ['items', 0, 'quantity'], ['items', 1, 'productCode']],
      );
      assert.deepEqual(
        issues.map((issue) => issue.code),
        ['too_small', 'too_small', 'invalid_type'],
      );
      for (const issue of issues) assert.ok(issue.message.length > 0);
    });

    it('a bad path parameter or query parameter answers 400 VALIDATION_ERROR naming where', async () => {
      const good = JSON.stringify({ externalId: 'o', items: [{ productCode: 'a', quantity: 1 }] });
      const path = expectError(await post(good, json, '/test/orders/SHOP!'), 400, 'VALIDATION_ERROR');
      assert.equal(path.details?.location, 'path');
      const query = expectError(
        await post(good, json, '/test/orders/shop_1?dryRun=maybe'),
        400,
        'VALIDATION_ERROR',
      );
      assert.equal(query.details?.location, 'query');
      const [firstIssue] = (query.details?.issues ?? []) as { path: string[] }[];
      assert.deepEqual(firstIssue?.path, ['dryRun']);
    });

    it('a non-JSON content type answers 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
      ]) {
        expectError(await post('externalId=x', { 'content-type': type }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it('a +json media type and a charset parameter are accepted as JSON', async () => {
      const good = JSON.stringify({ externalId: 'o', items: [{ productCode: 'a', quantity: 1 }] });
      assert.equal((await post(good, { 'content-type': 'application/merge-patch+json' })).statusCode, 200);
      assert.equal((await post(good, { 'content-type': 'application/json; charset=utf-8' })).statusCode, 200);
    });

    it('a body over CHARTER_BODY_LIMIT answers 413 BODY_TOO_LARGE with the limit', async () => {
      const big = JSON.stringify({ externalId: 'x'.repeat(70_000), items: [] });
      const body = expectError(await post(big), 413, 'BODY_TOO_LARGE');
      assert.deepEqual(body.details, { limit: 65536 });
    });

    it('a 10 MB body answers 413 BODY_TOO_LARGE and the app keeps serving', async () => {
      const huge = Buffer.alloc(10 * 1024 * 1024, 0x20);
      expectError(await post(huge), 413, 'BODY_TOO_LARGE');
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    });

    it('a missing required header answers 400 MISSING_HEADER naming it', async () => {
      const body = expectError(await post('{}', json, '/test/keyed'), 400, 'MISSING_HEADER');
      assert.deepEqual(body.details, { headers: ['idempotency-key'] });
      assert.match(body.message, /idempotency-key/);
      const ok = await post('{}', { ...json, 'idempotency-key': 'k-1' }, '/test/keyed');
      assert.equal(ok.statusCode, 200);
    });

    it('a present but malformed header answers 400 VALIDATION_ERROR', async () => {
      const res = await post('{}', { ...json, 'idempotency-key': 'k'.repeat(256) }, '/test/keyed');
      assert.equal(expectError(res, 400, 'VALIDATION_ERROR').details?.location, 'headers');
    });

    it('pages follow nextCursor until null', async () => {
      const first = await t.app.inject({ method: 'GET', url: '/test/items?limit=2' });
      const page1 = first.json() as { data: { id: string }[]; nextCursor: string | null };
      assert.deepEqual(
        page1.data.map((item) => item.id),
        ['item_0', 'item_1'],
      );
      const seen = [...page1.data];
      let cursor = page1.nextCursor;
      while (cursor) {
        const next = await t.app.inject({ method: 'GET', url: `/test/items?limit=2&cursor=${cursor}` });
        const page = next.json() as { data: { id: string }[]; nextCursor: string | null };
        seen.push(...page.data);
        cursor = page.nextCursor;
      }
      assert.deepEqual(
        seen.map((item) => item.id),
        ['item_0', 'item_1', 'item_2', 'item_3', 'item_4'],
      );
    });

    it('an unknown filter or a forged cursor answers 400 INVALID_QUERY', async () => {
      const unknown = expectError(
        await t.app.inject({ method: 'GET', url: '/test/items?colour=red' }),
        400,
        'INVALID_QUERY',
      );
      assert.match(unknown.message, /colour/);
      for (const cursor of ['not-a-cursor', Buffer.from('{"v":2,"after":"x"}').toString('base64url')]) {
        const body = expectError(
          await t.app.inject({ method: 'GET', url: `/test/items?cursor=${cursor}` }),
          400,
          'INVALID_QUERY',
        );
        assert.deepEqual(
          ((body.details?.issues ?? []) as { path: string[] }[]).map((issue) => issue.path),
          [['cursor']],
        );
      }
    });

    it('a limit outside 1–200 answers 400 VALIDATION_ERROR', async () => {
      for (const limit of ['0', '201', 'ten']) {
        expectError(
          await t.app.inject({ method: 'GET', url: `/test/items?limit=${limit}` }),
          400,
          'VALIDATION_ERROR',
        );
      }
    });

    it('a malformed percent-encoding in the path answers 400 VALIDATION_ERROR', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/%E0%A4%A' });
      expectError(res, 400, 'VALIDATION_ERROR');
    });
  });
}
