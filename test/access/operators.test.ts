// Operators through HTTP: creation, uniqueness, updates, the last-owner rule, bootstrap; and the audit log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemAuditContext } from '../../src/access/audit/service.js';
import { bootstrapOwner } from '../../src/access/operators/service.js';
import { bearer, createKey, signIn, testPassword } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`operators and audit log (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: bearer(admin),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    it('bootstrap creates the first owner once, and that owner can sign in', async () => {
      const deps = { db: t.db, clock: t.clock };
      assert.equal(
        await bootstrapOwner(deps, systemAuditContext('bootstrap'), {
          email: 'First@Example.com',
          password: testPassword,
        }),
        true,
      );
      assert.equal(
        await bootstrapOwner(deps, systemAuditContext('bootstrap'), {
          email: 'second@example.com',
          password: testPassword,
        }),
        false,
      );
      const session = await signIn(t, 'first@example.com');
      const me = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() });
      assert.equal((me.json() as { operator: { role: string } }).operator.role, 'owner');
    });

    it('creating an operator answers 201 without any password field, and a taken email 409 ALREADY_EXISTS', async () => {
      const res = await call('POST', '/v1/operators', {
        email: 'Dana@Example.com',
        name: 'Dana',
        password: testPassword,
        role: 'operator',
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as Record<string, unknown>;
      assert.equal(body.email, 'dana@example.com');
      assert.ok(!res.body.includes(testPassword) && !('password' in body) && !('passwordHash' in body));
      const row = await t.db.kysely
        .selectFrom('operators')
        .select('password_hash')
        .where('email', '=', 'dana@example.com')
        .executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$/);
      const again = expectError(
        await call('POST', '/v1/operators', {
          email: 'dana@example.com',
          password: testPassword,
          role: 'viewer',
        }),
        409,
        'ALREADY_EXISTS',
      );
      assert.deepEqual(again.details, { field: 'email' });
    });

    it('a short password, an unknown role or a bad email answer 400 VALIDATION_ERROR', async () => {
      for (const payload of [
        { email: 'x@example.com', password: 'short', role: 'viewer' },
        { email: 'x@example.com', password: testPassword, role: 'superuser' },
        { email: 'not-an-email', password: testPassword, role: 'viewer' },
      ]) {
        expectError(await call('POST', '/v1/operators', payload), 400, 'VALIDATION_ERROR');
      }
    });

    it('the last active owner can be neither demoted nor disabled', async () => {
      const fresh = await withApp({ dialect });
      try {
        const key = (await createKey(fresh, ['admin'])).secret;
        const created = await fresh.app.inject({
          method: 'POST',
          url: '/v1/operators',
          headers: bearer(key),
          payload: { email: 'only@example.com', password: testPassword, role: 'owner' },
        });
        const id = (created.json() as { id: string }).id;
        for (const payload of [{ role: 'admin' }, { disabled: true }]) {
          const res = await fresh.app.inject({
            method: 'PATCH',
            url: `/v1/operators/${id}`,
            headers: bearer(key),
            payload,
          });
          expectError(res, 403, 'FORBIDDEN');
        }
      } finally {
        await fresh.close();
      }
    });

    it('updates are audited with before and after, and a password change records no password', async () => {
      const created = await call('POST', '/v1/operators', {
        email: 'eve@example.com',
        password: testPassword,
        role: 'viewer',
      });
      const id = (created.json() as { id: string }).id;
      const res = await call('PATCH', `/v1/operators/${id}`, {
        role: 'operator',
        password: 'another long password',
      });
      assert.equal(res.statusCode, 200);
      assert.equal((res.json() as { role: string }).role, 'operator');
      const log = await call('GET', `/v1/audit-log?targetId=${id}&action=operator.update`);
      const entries = (
        log.json() as { data: { changes: Record<string, unknown>; actor: { type: string } }[] }
      ).data;
      assert.equal(entries.length, 1);
      assert.deepEqual(entries[0]?.changes.role, ['viewer', 'operator']);
      assert.equal(entries[0]?.actor.type, 'api_key');
      assert.ok(!log.body.includes('another long password'));
    });

    it('GET /v1/audit-log filters by action, actor and time, and pages newest first', async () => {
      const key = await createKey(t, ['keys:write', 'keys:read', 'audit:read']);
      for (let i = 0; i < 3; i++) {
        t.clock.advance(1000);
        await t.app.inject({
          method: 'POST',
          url: '/v1/api-keys',
          headers: bearer(key.secret),
          payload: { name: `k${i}`, scopes: ['keys:read'] },
        });
      }
      const first = await t.app.inject({
        method: 'GET',
        url: `/v1/audit-log?actorId=${key.id}&limit=2`,
        headers: bearer(key.secret),
      });
      const page1 = first.json() as { data: { at: string; action: string }[]; nextCursor: string | null };
      assert.equal(page1.data.length, 2);
      assert.ok(page1.data[0] && page1.data[1] && page1.data[0].at > page1.data[1].at, 'newest first');
      assert.ok(page1.nextCursor);
      const second = await t.app.inject({
        method: 'GET',
        url: `/v1/audit-log?actorId=${key.id}&limit=2&cursor=${page1.nextCursor}`,
        headers: bearer(key.secret),
      });
      const page2 = second.json() as { data: unknown[]; nextCursor: string | null };
      assert.equal(page2.data.length, 1);
      assert.equal(page2.nextCursor, null);
      const to = new Date(t.clock.nowMs() - 500).toISOString();
      const windowed = await t.app.inject({
        method: 'GET',
        url: `/v1/audit-log?actorId=${key.id}&to=${to}`,
        headers: bearer(key.secret),
      });
      assert.equal((windowed.json() as { data: unknown[] }).data.length, 2);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/audit-log?user=x', headers: bearer(key.secret) }),
        400,
        'INVALID_QUERY',
      );
    });

    it('no route changes or deletes audit entries', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        expectError(
          await t.app.inject({ method, url: '/v1/audit-log', headers: bearer(admin) }),
          405,
          'METHOD_NOT_ALLOWED',
        );
      }
    });
  });
}
