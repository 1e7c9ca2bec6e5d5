// The served references never drift from the catalog: /v1/errors, /docs/errors, /openapi.json, /docs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { catalog, errorCodes } from '../../src/errors/catalog.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

describe('reference documents', () => {
  let t: TestApp;
  before(async () => {
    t = await withApp({ dialect: 'sqlite' });
  });
  after(() => t.close());

  it('GET /v1/errors lists every catalog code with status, title, description, resolution and retryable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/errors' });
    assert.equal(res.statusCode, 200);
    const { data } = res.json() as { data: Record<string, unknown>[] };
    assert.deepEqual(
      data.map((entry) => entry.code),
      errorCodes,
    );
    for (const entry of data) {
      const expected = catalog[entry.code as keyof typeof catalog];
      assert.equal(entry.status, expected.status);
      assert.equal(entry.retryable, expected.retryable);
      assert.equal(entry.title, expected.title);
      assert.equal(entry.description, expected.description);
      assert.equal(entry.resolution, expected.resolution);
    }
  });

  it('GET /docs/errors is an HTML page with an anchor, status and retryability for every code', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/errors' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const rows = [
      ...res.body.matchAll(/<tr id="([A-Z_]+)">\s*<td>.*?<\/td>\s*<td>(\d{3})<\/td>\s*<td>(yes|no)<\/td>/g),
    ];
    assert.deepEqual(
      rows.map(([, code, status, retryable]) => [code, Number(status), retryable === 'yes']),
      errorCodes.map((code) => [code, catalog[code].status, catalog[code].retryable]),
    );
  });

  it('GET /openapi.json is OpenAPI 3.1 with an Error component matching the envelope and the catalog', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const document = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: { Error: Record<string, unknown> } };
    };
    assert.equal(document.openapi, '3.1.0');
    const error = document.components.schemas.Error as {
      additionalProperties: boolean;
      required: string[];
      properties: { code: { enum: string[] } };
    };
    assert.equal(error.additionalProperties, false);
    assert.deepEqual(error.properties.code.enum, errorCodes);
    assert.deepEqual([...error.required].sort(), [
      'code',
      'docs',
      'message',
      'requestId',
      'retryable',
      'status',
      'timestamp',
    ]);
  });

  it('every operation in /openapi.json references Error for its documented error statuses and its default', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    assert.ok(operations.length >= 4);
    for (const { path, method, operation } of operations) {
      const errorStatuses = Object.keys(operation.responses).filter(
        (status) => status === 'default' || Number(status) >= 400,
      );
      assert.ok(errorStatuses.includes('default'), `${method} ${path} has no default error response`);
      const component = path === '/v1/oauth/token' ? 'OAuthError' : 'Error';
      for (const status of errorStatuses) {
        assert.deepEqual(operation.responses[status]?.content?.['application/json']?.schema, {
          $ref: `#/components/schemas/${component}`,
        });
      }
    }
    assert.ok(document.paths['/readyz']?.get?.responses['503'], '/readyz documents its 503');
  });

  it('every success response in /openapi.json has a body schema, except a 204 which has no content', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const undescribed: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!status.startsWith('2')) continue;
          // JSON, or the one media type a route declares (GET /metrics: Prometheus text).
          const [schema] = Object.values(response.content ?? {}).map((content) => content.schema);
          if (status === '204' ? response.content !== undefined : schema === undefined)
            undescribed.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    // Routes that answer no body (deletes, revocations, logout, deactivate) declare 204, not a default 200.
    assert.deepEqual(undescribed, []);
    assert.ok(document.paths['/v1/licenses/{id}']?.delete?.responses['204']);
    assert.ok(document.paths['/v1/client/deactivate']?.post?.responses['204']);
  });

  it('every documented route of /docs/routes is in /openapi.json', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const path of ['/healthz', '/readyz', '/v1/errors', '/docs/routes']) {
      assert.ok(document.paths[path]?.get, `${path} is missing from /openapi.json`);
    }
  });

  it('GET /docs serves the interactive reference from local files, with no CDN', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger-ui/i);
    assert.doesNotMatch(res.body, /<script[^>]+src="https?:/);
    const initializer = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(initializer.statusCode, 200);
    const spec = await t.app.inject({ method: 'GET', url: '/docs/json' });
    assert.ok((spec.json() as { components: { schemas: Record<string, unknown> } }).components.schemas.Error);
  });

  it('GET /docs/routes needs a credential (401 without), then lists every route with an explicit auth rule', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/docs/routes' }), 401, 'AUTH_MISSING');
    // Any credential may read it, whatever its scopes.
    const reader = (await createKey(t, ['releases:read'], { readOnly: true })).secret;
    const res = await t.app.inject({ method: 'GET', url: '/docs/routes', headers: bearer(reader) });
    const { data } = z
      .object({
        data: z.array(
          z.object({ method: z.string(), url: z.string(), auth: z.object({ kind: z.string() }) }),
        ),
      })
      .parse(res.json());
    const keys = data.map((route) => `${route.method} ${route.url}`);
    for (const key of [
      'GET /healthz',
      'GET /readyz',
      'GET /v1/errors',
      'GET /openapi.json',
      'GET /docs/errors',
      'GET /docs',
    ]) {
      assert.ok(keys.includes(key), `${key} missing`);
    }
  });
});
