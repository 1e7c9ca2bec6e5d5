// The route × credential matrix: every route of the registry, called by every kind of credential, answers what
// the contract table below says (README "Security model"). The table is written from api.md's route rules, not
// read from the routes' own declarations: a route that has no entry here, or whose declared rule differs from its
// entry, fails the test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasScope, type Role, roleScopes, type Scope } from '../../src/access/scopes.js';
import type { AuthRule } from '../../src/http/route-rules.js';
import { bearer, createKey, operatorSession, type SignedIn } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { dialects } from '../support/services.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface RouteRow {
  method: Method;
  url: string;
  auth: AuthRule;
}

type ResourceOf<S> = S extends `${infer R}:${string}` ? R : never;
type Resource = ResourceOf<Scope>;
type Entry =
  | {
      kind:
        | 'public'
        | 'license-key'
        | 'license-user'
        | 'portal-session'
        | 'webhook-signature'
        | 'session'
        | 'credential';
    }
  | { kind: 'scope'; resource: Resource; reach: 'product' | 'server'; scope?: Scope };

/** The contract: path (a prefix covering what is below it) → who may call it. First match wins. */
const table: [string, Entry][] = [
  // api.md "Unauthenticated routes"
  ['GET /healthz', { kind: 'public' }],
  ['GET /readyz', { kind: 'public' }],
  ['GET /openapi.json', { kind: 'public' }],
  ['GET /docs/routes', { kind: 'credential' }],
  ['GET /docs', { kind: 'public' }],
  ['GET /', { kind: 'public' }],
  ['GET /assets/*', { kind: 'public' }],
  ['GET /portal', { kind: 'public' }],
  ['GET /v1/errors', { kind: 'public' }],
  ['GET /v1/public-keys', { kind: 'public' }],
  ['POST /v1/auth/login', { kind: 'public' }],
  ['POST /v1/oauth/token', { kind: 'public' }],
  ['POST /v1/integrations', { kind: 'webhook-signature' }],
  ['POST /v1/client/user-licenses', { kind: 'license-user' }],
  ['POST /v1/client/change-password', { kind: 'license-user' }],
  ['* /v1/client', { kind: 'license-key' }],
  // The customer portal: its own session cookie; no Management credential reaches it
  ['POST /v1/portal/login', { kind: 'public' }],
  ['POST /v1/portal/invitations/accept', { kind: 'public' }],
  ['* /v1/portal', { kind: 'portal-session' }],
  ['* /v1/auth/session', { kind: 'session' }],
  ['* /v1/auth/logout', { kind: 'session' }],
  // api.md "Route rules": resources of one product
  ['* /v1/products', { kind: 'scope', resource: 'products', reach: 'product' }],
  ['* /v1/policies', { kind: 'scope', resource: 'policies', reach: 'product' }],
  // Membership, managers and invitations empower license users beyond one product: unrestricted credentials only
  ['POST /v1/customers/:id/users', { kind: 'scope', resource: 'customers', reach: 'server' }],
  ['DELETE /v1/customers/:id/users/:userId', { kind: 'scope', resource: 'customers', reach: 'server' }],
  ['POST /v1/customers/:id/managers', { kind: 'scope', resource: 'customers', reach: 'server' }],
  ['DELETE /v1/customers/:id/managers/:userId', { kind: 'scope', resource: 'customers', reach: 'server' }],
  ['POST /v1/users/:id/invitations', { kind: 'scope', resource: 'customers', reach: 'server' }],
  ['* /v1/customers', { kind: 'scope', resource: 'customers', reach: 'product' }],
  ['* /v1/users', { kind: 'scope', resource: 'customers', reach: 'product' }],
  ['* /v1/licenses', { kind: 'scope', resource: 'licenses', reach: 'product' }],
  ['* /v1/leases', { kind: 'scope', resource: 'licenses', reach: 'product' }],
  ['* /v1/blocklist', { kind: 'scope', resource: 'licenses', reach: 'product' }],
  ['GET /v1/usage', { kind: 'scope', resource: 'licenses', reach: 'product', scope: 'licenses:read' }],
  ['* /v1/machines', { kind: 'scope', resource: 'machines', reach: 'product' }],
  ['* /v1/offline', { kind: 'scope', resource: 'machines', reach: 'product' }],
  ['* /v1/orders', { kind: 'scope', resource: 'orders', reach: 'product' }],
  ['* /v1/releases', { kind: 'scope', resource: 'releases', reach: 'product' }],
  // resources of the whole server: unrestricted credentials only
  ['* /v1/webhook-endpoints', { kind: 'scope', resource: 'webhooks', reach: 'server' }],
  ['* /v1/webhook-deliveries', { kind: 'scope', resource: 'webhooks', reach: 'server' }],
  ['GET /v1/audit-log', { kind: 'scope', resource: 'audit', reach: 'server', scope: 'audit:read' }],
  ['* /v1/monitor', { kind: 'scope', resource: 'monitor', reach: 'server' }],
  ['GET /metrics', { kind: 'scope', resource: 'monitor', reach: 'server', scope: 'monitor:read' }],
  ['* /v1/incidents', { kind: 'scope', resource: 'incidents', reach: 'server' }],
  // api.md: approving and rejecting need actions:approve (owner and admin only)
  [
    'POST /v1/actions/:id/approve',
    { kind: 'scope', resource: 'actions', reach: 'server', scope: 'actions:approve' },
  ],
  [
    'POST /v1/actions/:id/reject',
    { kind: 'scope', resource: 'actions', reach: 'server', scope: 'actions:approve' },
  ],
  ['* /v1/actions', { kind: 'scope', resource: 'actions', reach: 'server' }],
  ['* /v1/api-keys', { kind: 'scope', resource: 'keys', reach: 'server' }],
  ['* /v1/oauth-clients', { kind: 'scope', resource: 'keys', reach: 'server' }],
  ['* /v1/signing-keys', { kind: 'scope', resource: 'keys', reach: 'server' }],
  ['* /v1/operators', { kind: 'scope', resource: 'operators', reach: 'server' }],
];

const entryOf = (route: RouteRow): Entry | undefined =>
  table.find(([pattern]) => {
    const [method, base] = pattern.split(' ') as [string, string];
    return (
      (method === '*' || method === route.method) && (route.url === base || route.url.startsWith(`${base}/`))
    );
  })?.[1];

const safe = (method: string) => ['GET', 'HEAD', 'OPTIONS'].includes(method);
const scopeOf = (route: RouteRow, entry: Extract<Entry, { kind: 'scope' }>): Scope =>
  entry.scope ?? (`${entry.resource}:${safe(route.method) ? 'read' : 'write'}` as Scope);
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x').replace('*', 'x');

/** What a call must answer: let through by the auth layer, or refused with this status and code. */
type Outcome = 'pass' | { status: number; code: string };
const authCodes = new Set([
  'AUTH_MISSING',
  'AUTH_INVALID',
  'AUTH_REVOKED',
  'AUTH_EXPIRED',
  'AUTH_INSUFFICIENT',
  'READ_ONLY_KEY',
  'PRODUCT_NOT_ALLOWED',
  'FORBIDDEN',
  'CSRF_VALIDATION_FAILED',
]);

type Credential =
  | { kind: 'none' | 'revoked' | 'expired' | 'read-only' | 'restricted' | 'exact-scope' | 'other-scope' }
  | { kind: 'session'; role: Role };
const credentials: Credential[] = [
  { kind: 'none' },
  { kind: 'revoked' },
  { kind: 'expired' },
  { kind: 'read-only' },
  { kind: 'exact-scope' },
  { kind: 'other-scope' },
  { kind: 'restricted' },
  ...(['viewer', 'operator', 'admin', 'owner'] as const).map((role) => ({ kind: 'session' as const, role })),
];
const nameOf = (credential: Credential) =>
  credential.kind === 'session' ? `${credential.role} session` : credential.kind;

const expected = (route: RouteRow, entry: Entry, credential: Credential): Outcome => {
  if (entry.kind === 'public' || entry.kind === 'license-key' || entry.kind === 'webhook-signature')
    return 'pass';
  // Whatever Management credential a caller holds, the portal asks for its own session.
  if (entry.kind === 'portal-session') return { status: 401, code: 'AUTH_MISSING' };
  switch (credential.kind) {
    case 'none':
      return { status: 401, code: 'AUTH_MISSING' };
    case 'revoked':
      return { status: 401, code: 'AUTH_REVOKED' };
    case 'expired':
      return { status: 401, code: 'AUTH_EXPIRED' };
    case 'session':
      if (entry.kind !== 'scope') return 'pass';
      return hasScope(roleScopes[credential.role], scopeOf(route, entry))
        ? 'pass'
        : { status: 403, code: 'AUTH_INSUFFICIENT' };
    default:
      break;
  }
  // API keys from here on
  if (entry.kind === 'session') return { status: 403, code: 'FORBIDDEN' };
  if (entry.kind !== 'scope') return 'pass';
  switch (credential.kind) {
    case 'read-only':
      return safe(route.method) ? 'pass' : { status: 403, code: 'READ_ONLY_KEY' };
    case 'exact-scope':
      return 'pass';
    case 'other-scope':
      return { status: 403, code: 'AUTH_INSUFFICIENT' };
    case 'restricted':
      return entry.reach === 'server' ? { status: 403, code: 'PRODUCT_NOT_ALLOWED' } : 'pass';
  }
};

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
  describe(`the route × credential matrix (${dialect})`, () => {
    let t: TestApp;
    let routes: RouteRow[];
    const sessions = new Map<Role, SignedIn>();
    const keys = new Map<string, string>();
    let otherProduct: string;

    /** A key for one credential kind and route, made once per distinct grant. */
    const keyFor = async (credential: Credential, scope: Scope | undefined): Promise<string> => {
      const grant =
        credential.kind === 'exact-scope'
          ? (scope ?? 'licenses:read')
          : credential.kind === 'other-scope'
            ? scope === 'releases:read'
              ? 'monitor:read'
              : 'releases:read'
            : 'admin';
      const name = `${credential.kind}:${grant}`;
      const known = keys.get(name);
      if (known) return known;
      const created = await createKey(t, [grant as Scope], {
        ...(credential.kind === 'read-only' ? { readOnly: true } : {}),
        ...(credential.kind === 'restricted' ? { productIds: [otherProduct] } : {}),
      });
      if (credential.kind === 'revoked') {
        await t.db.kysely
          .updateTable('api_keys')
          .set({ revoked_at: t.clock.nowMs() })
          .where('id', '=', created.id)
          .execute();
      }
      if (credential.kind === 'expired') {
        await t.db.kysely
          .updateTable('api_keys')
          .set({ expires_at: t.clock.nowMs() - 1000 })
          .where('id', '=', created.id)
          .execute();
      }
      keys.set(name, created.secret);
      return created.secret;
    };

    const headersFor = async (credential: Credential, route: RouteRow, entry: Entry) => {
      if (credential.kind === 'none') return {};
      if (credential.kind === 'session') {
        // Signing out ends the session: each sign-out gets a session of its own.
        if (route.url === '/v1/auth/logout') return (await operatorSession(t, credential.role)).headers();
        let session = sessions.get(credential.role);
        if (!session) {
          session = await operatorSession(t, credential.role);
          sessions.set(credential.role, session);
        }
        return session.headers();
      }
      return bearer(await keyFor(credential, entry.kind === 'scope' ? scopeOf(route, entry) : undefined));
    };

    before(async () => {
      t = await withApp({ dialect, config: { CHARTER_RATE_LIMIT_MANAGEMENT: 0 } });
      const admin = (await createKey(t, ['admin'])).secret;
      const res = await t.app.inject({ method: 'GET', url: '/docs/routes', headers: bearer(admin) });
      assert.equal(res.statusCode, 200, res.body);
      routes = (res.json() as { data: RouteRow[] }).data.filter(
        (route) => route.method !== ('HEAD' as Method),
      );
      const product = await t.app.inject({
        method: 'POST',
        url: '/v1/products',
        headers: bearer(admin),
        payload: { code: 'elsewhere', name: 'Elsewhere' },
      });
      otherProduct = (product.json() as { id: string }).id;
    });
    after(() => t.close());

    it('every route has an entry in the contract table, and declares the rule of its entry', () => {
      assert.ok(routes.length > 100, `only ${routes.length} routes`);
      const problems: string[] = [];
      for (const route of routes) {
        const entry = entryOf(route);
        const name = `${route.method} ${route.url}`;
        if (!entry) {
          problems.push(`${name}: no entry in the table`);
          continue;
        }
        if (entry.kind !== route.auth.kind) {
          problems.push(`${name}: declares ${route.auth.kind}, the table says ${entry.kind}`);
          continue;
        }
        if (entry.kind === 'scope' && route.auth.kind === 'scope') {
          const scope = scopeOf(route, entry);
          if (route.auth.scope !== scope || route.auth.reach !== entry.reach)
            problems.push(
              `${name}: declares ${route.auth.scope} (${route.auth.reach}), the table says ${scope} (${entry.reach})`,
            );
        }
      }
      assert.deepEqual(problems, []);
    });

    for (const credential of credentials) {
      it(`called with ${nameOf(credential)}, every route answers as the table says`, async () => {
        const wrong: string[] = [];
        let checked = 0;
        for (const route of routes) {
          const entry = entryOf(route);
          if (
            !entry ||
            entry.kind === 'license-key' ||
            entry.kind === 'license-user' ||
            entry.kind === 'webhook-signature'
          )
            continue;
          if (entry.kind === 'public' && credential.kind !== 'none') continue;
          const outcome = expected(route, entry, credential);
          const res = await t.app.inject({
            method: route.method,
            url: concrete(route.url),
            headers: await headersFor(credential, route, entry),
          });
          checked += 1;
          const body = res.headers['content-type']?.toString().includes('json')
            ? (res.json() as { code?: string; status?: number })
            : {};
          const got = `${res.statusCode} ${body.code ?? ''}`.trim();
          if (outcome === 'pass') {
            if (res.statusCode === 401 || (body.code && authCodes.has(body.code)))
              wrong.push(`${route.method} ${route.url}: refused with ${got}, should pass`);
          } else if (res.statusCode !== outcome.status || body.code !== outcome.code) {
            wrong.push(`${route.method} ${route.url}: ${got}, should be ${outcome.status} ${outcome.code}`);
          }
        }
        assert.ok(checked > 0);
        assert.deepEqual(wrong, []);
      });
    }
  });
}
