// Walks every registered route: without a credential → 401 (but for api.md's unauthenticated list), with a
// credential lacking the scope → 403, and a viewer session cannot write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Scope } from '../../src/access/scopes.js';
import type { AuthRule } from '../../src/http/route-rules.js';
import { bearer, createKey, operatorSession, type SignedIn } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

interface RouteRow {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  auth: AuthRule;
}

/** api.md "Unauthenticated routes". */
const mayBePublic = (route: RouteRow) =>
  [
    'GET /healthz',
    'GET /readyz',
    'GET /openapi.json',
    'GET /v1/errors',
    'GET /v1/public-keys',
    'POST /v1/auth/login',
    'POST /v1/oauth/token',
  ].includes(`${route.method} ${route.url}`) ||
  (route.method === 'GET' && (route.url === '/docs' || route.url.startsWith('/docs/'))) ||
  (route.method === 'POST' && /^\/v1\/integrations\/[^/]+\/webhook$/.test(route.url)) ||
  route.url.startsWith('/v1/client/');

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x').replace('*', 'x');
const unsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

describe('route declarations', () => {
  it('an app with a route that declares no auth rule refuses to start', async () => {
    await assert.rejects(
      withApp({
        dialect: 'sqlite',
        extend: async (app) => {
          app.get('/test/undeclared', async () => ({ ok: true }));
        },
      }),
      /declares no auth rule/,
    );
  });
});

for (const dialect of dialects()) {
  describe(`every route's auth rule (${dialect})`, () => {
    let t: TestApp;
    let routes: RouteRow[];
    let viewer: SignedIn;
    const keysByScope = new Map<string, string>();
    const keyLacking = async (scope: Scope) => {
      const other: Scope = scope === 'monitor:read' ? 'releases:read' : 'monitor:read';
      let secret = keysByScope.get(other);
      if (!secret) {
        secret = (await createKey(t, [other])).secret;
        keysByScope.set(other, secret);
      }
      return secret;
    };

    before(async () => {
      t = await withApp({ dialect });
      const res = await t.app.inject({ method: 'GET', url: '/docs/routes' });
      routes = (res.json() as { data: RouteRow[] }).data;
      viewer = await operatorSession(t, 'viewer');
    });
    after(() => t.close());

    it('lists every route, each with a rule, and public ones only from api.md', () => {
      assert.ok(routes.length > 15);
      for (const route of routes) {
        assert.ok(route.auth?.kind, `${route.method} ${route.url} has no rule`);
        if (route.auth.kind === 'public')
          assert.ok(mayBePublic(route), `${route.method} ${route.url} must not be public`);
      }
    });

    it('without a credential, every non-public route answers 401 AUTH_MISSING', async () => {
      for (const route of routes.filter((row) => row.auth.kind === 'scope' || row.auth.kind === 'session')) {
        const res = await t.app.inject({ method: route.method, url: concrete(route.url) });
        expectError(res, 401, 'AUTH_MISSING');
      }
    });

    it('with a key lacking the scope, every scoped route answers 403 AUTH_INSUFFICIENT naming it', async () => {
      for (const route of routes) {
        if (route.auth.kind !== 'scope') continue;
        const secret = await keyLacking(route.auth.scope);
        const res = await t.app.inject({
          method: route.method,
          url: concrete(route.url),
          headers: bearer(secret),
        });
        const body = expectError(res, 403, 'AUTH_INSUFFICIENT');
        assert.deepEqual(body.details, { required: route.auth.scope }, `${route.method} ${route.url}`);
      }
    });

    it('a viewer session cannot write anywhere, nor read keys or operators', async () => {
      for (const route of routes) {
        if (route.auth.kind !== 'scope') continue;
        const scope = route.auth.scope;
        if (!unsafe(route.method) && !scope.startsWith('keys:') && !scope.startsWith('operators:')) continue;
        const res = await t.app.inject({
          method: route.method,
          url: concrete(route.url),
          headers: viewer.headers(),
        });
        expectError(res, 403, 'AUTH_INSUFFICIENT');
      }
    });

    it('a viewer session reads what viewers may read', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/audit-log',
        headers: viewer.headers({ csrf: false }),
      });
      assert.equal(res.statusCode, 200);
    });
  });
}
