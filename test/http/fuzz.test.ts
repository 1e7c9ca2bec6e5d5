// Property-based hostile input on every route of /openapi.json, on both engines: fast-check makes path ids,
// queries, bodies and headers from each route's schemas and mutations of them (test/support/fuzz.ts), sent with
// an admin key, no credential, a restricted key or garbage. Whatever comes in, the answer is never a 5xx, an
// error is always the envelope with `status` equal to the HTTP status and `requestId` equal to X-Request-ID,
// and the server is healthy afterwards.
//
// A fixed seed and a bounded count run in `npm test`; `npm run fuzz` runs more (CHARTER_FUZZ_RUNS per route,
// CHARTER_FUZZ_SEED to replay a reported failure).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { activateMachine, createLicense, createProduct } from '../support/factories.js';
import { anyJson, hostileFor, hostileString, type JsonSchema } from '../support/fuzz.js';
import { dialects } from '../support/services.js';

const runsPerRoute = Number(process.env.CHARTER_FUZZ_RUNS ?? 10);
const seed = Number(process.env.CHARTER_FUZZ_SEED ?? 20261203);

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Generated {
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) as the bytes of its UTF-8 replacement. */
const encodePathSegment = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  }
};

/** `arbitrary` one time in (1 + none/some), else undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, some: number, none: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: some, arbitrary }, { weight: none, arbitrary: fc.constant(undefined) });

/** Header values a client can put on the wire (printable ASCII): inject refuses others before the server. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 300,
});

for (const dialect of dialects()) {
  describe(`hostile input on every route (${dialect})`, () => {
    let t: TestApp;
    let document: Document;
    let admin: string;
    let restricted: string;
    let licenseKey: string;
    const ids: string[] = [];
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      t = await withApp({
        dialect,
        config: {
          CHARTER_RATE_LIMIT_CLIENT_KEY: 0,
          CHARTER_RATE_LIMIT_CLIENT_IP: 0,
          CHARTER_RATE_LIMIT_MANAGEMENT: 0,
          CHARTER_RATE_LIMIT_TRIAL_IP: 0,
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
      document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
      // Real ids for the generated paths to hit now and then, so handlers run past their lookups.
      const product = await createProduct(t, admin, {
        code: 'fuzzed',
        name: 'Fuzzed',
        trial: { enabled: true, days: 7, requireEmail: false },
      });
      const customer = (await call('POST', '/v1/customers', { email: 'fuzz@example.com' })).json() as {
        id: string;
      };
      const license = await createLicense(t, admin, {
        product: product.id,
        license: { customerId: customer.id },
      });
      licenseKey = license.key;
      const { machine } = await activateMachine(t, licenseKey, 'fuzz-fp');
      ids.push(product.id, license.policyId, customer.id, license.id, machine.id, 'fuzzed');
      restricted = (await createKey(t, ['admin'], { productIds: [product.id] })).secret;
    });
    after(() => t.close());

    const requestFor = (path: string, operation: Operation, method: Method): fc.Arbitrary<Generated> => {
      const parameters = operation.parameters ?? [];
      const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
      const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
      const pathValue = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ids) },
        { weight: 2, arbitrary: hostileString.filter((text) => text.length > 0 && text.length < 2000) },
      );
      const pathArb = fc
        .tuple(...pathParameters.map(() => pathValue))
        .map((values) =>
          pathParameters.reduce(
            (url, parameter, index) =>
              url.replace(`{${parameter.name}}`, encodePathSegment(String(values[index]))),
            path,
          ),
        );
      const queryArb = fc
        .tuple(
          ...queryParameters.map((parameter) => sometimes(hostileFor(parameter.schema, document), 1, 1)),
          sometimes(fc.tuple(hostileString, hostileString), 1, 6),
        )
        .map((values) => {
          const query = new URLSearchParams();
          queryParameters.forEach((parameter, index) => {
            const value = values[index];
            if (value !== undefined)
              query.append(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
          });
          const unknown = values[queryParameters.length] as [string, string] | undefined;
          if (unknown) query.append(unknown[0], unknown[1]);
          const text = query.toString();
          return text ? `?${text}` : '';
        });
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      const bodyArb: fc.Arbitrary<unknown> = bodySchema
        ? fc.tuple(hostileFor(bodySchema, document), fc.boolean()).map(([body, withKey]) =>
            // Client API calls carry the real license key half the time, so they get past its lookup.
            withKey &&
            path.startsWith('/v1/client/') &&
            body &&
            typeof body === 'object' &&
            !Array.isArray(body)
              ? { ...body, licenseKey }
              : body,
          )
        : sometimes(anyJson, 1, 3);
      const credential = fc.oneof(
        { weight: 14, arbitrary: fc.constant(bearer(admin)) },
        { weight: 1, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.constant(bearer(restricted)) },
        { weight: 1, arbitrary: headerText.map((text) => ({ authorization: text })) },
        { weight: 1, arbitrary: headerText.map((text) => ({ 'x-api-key': text })) },
      );
      const extraHeaders = fc
        .tuple(
          sometimes(headerText, 1, 6),
          sometimes(headerText, 1, 6),
          sometimes(
            fc.constantFrom(
              'application/json; charset=utf-8',
              'application/vnd.api+json',
              'text/plain',
              'application/x-www-form-urlencoded',
              'application/json; charset=utf-16',
            ),
            1,
            6,
          ),
        )
        .map(([idempotencyKey, requestId, contentType]) => ({
          ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
          ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        }));
      return fc
        .tuple(pathArb, queryArb, bodyArb, credential, extraHeaders, fc.boolean())
        .map(([url, query, body, auth, extra, raw]) => {
          const hasBody = body !== undefined && method !== 'GET';
          const payload = hasBody
            ? raw && typeof body === 'string'
              ? body
              : JSON.stringify(body)
            : undefined;
          return {
            url: `${url}${query}`,
            headers: {
              ...auth,
              ...extra,
              ...(hasBody && !extra['content-type'] ? { 'content-type': 'application/json' } : {}),
            },
            payload,
          };
        });
    };

    it(`${runsPerRoute} hostile requests per route answer no 5xx and always the envelope (seed ${seed})`, async (context) => {
      let sent = 0;
      let routes = 0;
      const statuses = new Map<number, number>();
      for (const [path, operations] of Object.entries(document.paths)) {
        if (path.startsWith('/docs')) continue;
        for (const [lower, operation] of Object.entries(operations)) {
          const method = lower.toUpperCase() as Method;
          if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
          routes += 1;
          await fc.assert(
            fc.asyncProperty(requestFor(path, operation, method), async (request) => {
              const res = await t.app.inject({
                method,
                url: request.url,
                headers: request.headers,
                ...(request.payload === undefined ? {} : { payload: request.payload }),
              });
              sent += 1;
              statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
              const where = `${method} ${request.url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
              assert.ok(res.statusCode < 500, where);
              const requestId = res.headers['x-request-id'];
              assert.ok(typeof requestId === 'string' && requestId.length > 0, where);
              if (res.statusCode >= 400) {
                const envelope = res.json() as {
                  code?: unknown;
                  status?: unknown;
                  requestId?: unknown;
                  message?: unknown;
                };
                assert.equal(typeof envelope.code, 'string', where);
                assert.equal(typeof envelope.message, 'string', where);
                assert.equal(envelope.status, res.statusCode, where);
                assert.equal(envelope.requestId, requestId, where);
              }
            }),
            { seed, numRuns: runsPerRoute, endOnFailure: true },
          );
        }
      }
      const fivexx = [...statuses]
        .filter(([status]) => status >= 500)
        .reduce((sum, [, count]) => sum + count, 0);
      context.diagnostic(
        `fuzz ${dialect}: ${sent} requests over ${routes} routes, 5xx: ${fivexx}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
      );
      assert.ok(routes > 100, `${routes} routes`);

      // Healthy afterwards: probes answer, and a client call still works end to end.
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      const listed = await t.app.inject({
        method: 'GET',
        url: '/v1/products?limit=1',
        headers: bearer(admin),
      });
      assert.equal(listed.statusCode, 200);
    });
  });
}
