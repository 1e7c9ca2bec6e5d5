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

  it('GET /openapi.json is OpenAPI 3.1 with an ErrorEnvelope component matching the envelope and the catalog', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const document = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: { ErrorEnvelope: Record<string, unknown> } };
    };
    assert.equal(document.openapi, '3.1.0');
    const error = document.components.schemas.ErrorEnvelope as {
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

  it('every operation in /openapi.json references ErrorEnvelope for its documented error statuses and its default', async () => {
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
      const component = path === '/v1/oauth/token' ? 'OAuthError' : 'ErrorEnvelope';
      for (const status of errorStatuses) {
        assert.deepEqual(
          (operation.responses[status]?.content?.['application/json'] as { schema?: unknown } | undefined)
            ?.schema,
          { $ref: `#/components/schemas/${component}` },
        );
      }
    }
    assert.ok(document.paths['/readyz']?.get?.responses['503'], '/readyz documents its 503');
  });

  it('every operation has a unique operationId, and its security follows its auth rule', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { operationId: string; security: Record<string, string[]>[] }>>;
      components: { securitySchemes: Record<string, { type: string; flows?: unknown; name?: string }> };
    };
    const routes = (
      await t.app.inject({
        method: 'GET',
        url: '/docs/routes',
        headers: bearer((await createKey(t, ['admin'])).secret),
      })
    ).json() as { data: { method: string; url: string; auth: { kind: string; scope?: string } }[] };
    const ids = new Set<string>();
    let checked = 0;
    for (const route of routes.data) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      if (!operation) continue;
      checked += 1;
      assert.match(operation.operationId, /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/, `${route.method} ${path}`);
      assert.ok(!ids.has(operation.operationId), `operationId ${operation.operationId} used twice`);
      ids.add(operation.operationId);
      const schemes = operation.security.map((requirement) => Object.keys(requirement)[0]);
      if (route.auth.kind === 'scope') {
        assert.deepEqual(schemes, ['bearer', 'apiKeyHeader', 'oauth2', 'session'], `${route.method} ${path}`);
        for (const requirement of operation.security) {
          assert.deepEqual(Object.values(requirement)[0], [route.auth.scope], `${route.method} ${path}`);
        }
      } else if (route.auth.kind === 'credential') {
        assert.deepEqual(schemes, ['bearer', 'apiKeyHeader', 'oauth2', 'session']);
      } else if (route.auth.kind === 'session') {
        assert.deepEqual(schemes, ['session']);
      } else if (route.auth.kind === 'portal-session') {
        assert.deepEqual(schemes, ['portalSession'], `${route.method} ${path}`);
      } else {
        assert.deepEqual(operation.security, [], `${route.method} ${path} takes no Management credential`);
      }
    }
    assert.ok(checked >= 130, `only ${checked} operations checked`);
    assert.equal(document.paths['/v1/licenses/{id}/suspend']?.post?.operationId, 'licenses.suspend');
    assert.equal(document.paths['/v1/licenses']?.get?.operationId, 'licenses.list');
    assert.equal(document.paths['/v1/client/validate']?.post?.operationId, 'client.validate');
    const { securitySchemes } = document.components;
    assert.equal(securitySchemes.bearer?.type, 'http');
    assert.equal(securitySchemes.apiKeyHeader?.name, 'X-API-Key');
    const flows = securitySchemes.oauth2?.flows as { clientCredentials: { tokenUrl: string } } | undefined;
    assert.equal(flows?.clientCredentials.tokenUrl, '/v1/oauth/token');
    assert.equal(securitySchemes.session?.name, 'charter_session');
  });

  it('every error example carries its own code and the status it is filed under, from the catalog', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
      components: { examples: Record<string, { value: { code: string; status: number; docs: string } }> };
    };
    let examples = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (status === 'default' || Number(status) < 400) continue;
          const content = response.content?.['application/json'] as {
            examples?: Record<string, { $ref?: string; value?: { code: string; status: number } }>;
          };
          assert.ok(content.examples, `${method} ${path} ${status} has no examples`);
          for (const [code, example] of Object.entries(content.examples)) {
            const value = example.$ref
              ? document.components.examples[example.$ref.split('/').at(-1) ?? '']?.value
              : example.value;
            assert.equal(value?.code, code);
            assert.equal(value?.status, Number(status), `${method} ${path}: ${code} under ${status}`);
            assert.equal(catalog[code as keyof typeof catalog].status, Number(status));
            examples += 1;
          }
        }
      }
    }
    assert.ok(examples > 500, `${examples} examples`);
    // The statuses of a Management route include its credential refusals.
    const suspend = document.paths['/v1/licenses/{id}/suspend']?.post;
    assert.ok(suspend?.responses['401'] && suspend.responses['403'] && suspend.responses['404']);
  });

  it('resources and request bodies are named components: License, Machine, Policy, Lease, ValidationResult…', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, Operation & { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    for (const name of [
      'License',
      'Machine',
      'Policy',
      'Product',
      'Customer',
      'Lease',
      'ValidationResult',
      'Activation',
      'Order',
      'Release',
      'WebhookEndpoint',
      'Incident',
      'Action',
      'MonitoredServer',
      'ApiKey',
      'Operator',
      'ErrorEnvelope',
      'LicensesCreateRequest',
    ]) {
      assert.ok(document.components.schemas[name], `no component ${name}`);
    }
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const content of Object.values(operation.requestBody?.content ?? {})) {
          assert.match(
            JSON.stringify(content.schema),
            /^\{"\$ref":"#\/components\/schemas\/\w+"\}$/,
            `${method} ${path}`,
          );
        }
      }
    }
    const page = document.paths['/v1/licenses']?.get?.responses['200']?.content?.['application/json']
      ?.schema as { properties: { data: unknown; nextCursor: unknown } } | undefined;
    assert.deepEqual(page?.properties.data, {
      type: 'array',
      items: { $ref: '#/components/schemas/License' },
    });
    assert.ok(page?.properties.nextCursor);
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

  it('no operation names a parameter twice (header names compared without case), and POST /v1/orders requires its Idempotency-Key', async () => {
    type Parameter = { in: string; name: string; required?: boolean };
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
    };
    const twice: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const seen = new Set<string>();
        for (const parameter of operation.parameters ?? []) {
          const key = `${parameter.in}:${parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name}`;
          if (seen.has(key)) twice.push(`${method.toUpperCase()} ${path} ${key}`);
          seen.add(key);
        }
      }
    }
    assert.deepEqual(twice, []);
    const orderKey = document.paths['/v1/orders']?.post?.parameters?.filter(
      (parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key',
    );
    assert.deepEqual(
      orderKey?.map((parameter) => [parameter.name, parameter.required]),
      [['Idempotency-Key', true]],
    );
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
    assert.ok(
      (spec.json() as { components: { schemas: Record<string, unknown> } }).components.schemas.ErrorEnvelope,
    );
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
