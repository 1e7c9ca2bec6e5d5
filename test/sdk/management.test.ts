// The SDK's Management client against a listening server: typed calls (types generated from /openapi.json, kept
// current by a test) issue and read licenses, refusals throw CharterError with the catalog code, retryable
// answers are retried after Retry-After with the same Idempotency-Key, so a retried write is done once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CharterError } from '../../packages/sdk/src/index.js';
import { createManagementClient, type Schemas } from '../../packages/sdk/src/management.js';
import { currentDocument, generatedTypesFile, generateTypes } from '../../scripts/generate-sdk-types.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { dialects } from '../support/services.js';

describe('SDK Management API types', () => {
  it('are generated from the current /openapi.json (npm run generate:sdk when this fails)', async () => {
    const fresh = await generateTypes(await currentDocument());
    assert.ok(
      readFileSync(generatedTypesFile, 'utf8') === fresh,
      'packages/sdk/src/management-api.ts is stale',
    );
  });
});

for (const dialect of dialects()) {
  describe(`SDK Management client against the server (${dialect})`, () => {
    let t: TestApp;
    let apiKey: string;
    let baseUrl: string;
    before(async () => {
      t = await withApp({ dialect });
      apiKey = (await createKey(t, ['admin'])).secret;
      baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => t.close());

    it('creates a product, a policy and a license, then reads and suspends it, all typed', async () => {
      const charter = createManagementClient({ baseUrl, apiKey });
      const { data: product } = await charter.POST('/v1/products', {
        body: { code: 'atlas', name: 'Atlas' },
      });
      assert.equal(product?.code, 'atlas');
      const { data: policy } = await charter.POST('/v1/policies', {
        body: { productId: 'atlas', code: 'pro', name: 'Pro', maxMachines: 3 },
      });
      const { data: license, response } = await charter.POST('/v1/licenses', {
        body: { policyId: policy?.id ?? '' },
      });
      assert.equal(response.status, 201);
      const issued: Schemas['License'] | undefined = license;
      assert.match(issued?.key ?? '', /^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
      const { data: read } = await charter.GET('/v1/licenses/{id}', {
        params: { path: { id: license?.id ?? '' } },
      });
      assert.equal(read?.policyId, policy?.id);
      const { data: suspended } = await charter.POST('/v1/licenses/{id}/suspend', {
        params: { path: { id: license?.id ?? '' } },
      });
      assert.equal(suspended?.status, 'suspended');
      const { data: page } = await charter.GET('/v1/licenses', {
        params: { query: { status: 'suspended', limit: 10 } },
      });
      assert.deepEqual(
        page?.data.map((item) => item.id),
        [license?.id],
      );
    });

    it('a refusal throws CharterError with the code, status, request id and retryability of the envelope', async () => {
      const charter = createManagementClient({ baseUrl, apiKey });
      const refusal = await charter
        .GET('/v1/licenses/{id}', { params: { path: { id: 'lic_missing' } } })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      assert.ok(refusal instanceof CharterError);
      assert.deepEqual([refusal.code, refusal.status, refusal.retryable], ['NOT_FOUND', 404, false]);
      assert.match(refusal.requestId ?? '', /^req_/);
      const bad = createManagementClient({ baseUrl, apiKey: 'ck_not-a-key' });
      await assert.rejects(bad.GET('/v1/products'), (error: CharterError) => error.code === 'AUTH_INVALID');
    });

    it('a retryable answer is retried after Retry-After with the same Idempotency-Key: the write is done once', async () => {
      const waits: number[] = [];
      const keys: string[] = [];
      let refusals = 1;
      // The first attempt reaches the server, which issues the license; its answer is replaced by a 503 (a
      // proxy timing out), so the client tries again: the server replays the first answer.
      const flaky: typeof fetch = async (input, init) => {
        const request = new Request(input, init);
        keys.push(request.headers.get('idempotency-key') ?? '');
        const answer = await fetch(request);
        if (refusals-- > 0) {
          return new Response(
            JSON.stringify({ code: 'SERVICE_UNAVAILABLE', message: 'busy', status: 503, retryable: true }),
            { status: 503, headers: { 'retry-after': '2', 'content-type': 'application/json' } },
          );
        }
        return answer;
      };
      const charter = createManagementClient({
        baseUrl,
        apiKey,
        fetch: flaky,
        sleep: async (ms) => {
          waits.push(ms);
        },
        random: () => 0,
      });
      const before = (
        await t.app.inject({
          method: 'GET',
          url: '/v1/products',
          headers: { authorization: `Bearer ${apiKey}` },
        })
      ).json() as { data: unknown[] };
      const { data: product, response } = await charter.POST('/v1/products', {
        body: { code: 'beacon', name: 'Beacon' },
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('idempotent-replayed'), 'true');
      assert.equal(product?.code, 'beacon');
      assert.deepEqual(waits, [2000]);
      assert.equal(keys.length, 2);
      assert.ok(keys[0] && keys[0] === keys[1], 'both attempts carry one Idempotency-Key');
      const afterwards = (
        await t.app.inject({
          method: 'GET',
          url: '/v1/products',
          headers: { authorization: `Bearer ${apiKey}` },
        })
      ).json() as { data: unknown[] };
      assert.equal(afterwards.data.length, before.data.length + 1, 'one product made');
    });

    it('gives up after maxAttempts and throws the last refusal', async () => {
      let attempts = 0;
      const busy: typeof fetch = async () => {
        attempts++;
        return new Response(
          JSON.stringify({ code: 'RATE_LIMIT_EXCEEDED', message: 'slow down', status: 429, retryable: true }),
          { status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' } },
        );
      };
      const charter = createManagementClient({
        baseUrl,
        apiKey,
        fetch: busy,
        retry: { maxAttempts: 3 },
        sleep: async () => {},
      });
      await assert.rejects(
        charter.GET('/v1/products'),
        (error: CharterError) => error.code === 'RATE_LIMIT_EXCEEDED',
      );
      assert.equal(attempts, 3);
    });
  });
}
