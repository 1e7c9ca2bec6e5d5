// Operator sessions through HTTP: login, cookie, CSRF, lifetimes, throttling, disabling, logout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordAudit, systemAuditContext } from '../../src/access/audit/service.js';
import { addOperator, bearer, createKey, operatorSession, signIn, testPassword } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`operator sessions (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await withApp({ dialect });
    });
    after(() => t.close());

    const login = (email: string, password: string, ip = '127.0.0.1') =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password },
        remoteAddress: ip,
      });

    it('login answers the operator, a CSRF token and the expiry, and sets an HttpOnly SameSite=Lax cookie', async () => {
      const operator = await addOperator(t, 'admin');
      const res = await login(operator.email.toUpperCase(), testPassword);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as {
        operator: { id: string; role: string };
        csrfToken: string;
        expiresAt: string;
      };
      assert.equal(body.operator.id, operator.id);
      assert.equal(body.operator.role, 'admin');
      assert.equal(body.expiresAt, new Date(t.clock.nowMs() + 1800_000).toISOString());
      const cookie = res.cookies.find((item) => item.name === 'charter_session');
      assert.ok(cookie?.httpOnly);
      assert.equal(cookie?.sameSite, 'Lax');
      assert.equal(cookie?.path, '/');
      const stored = await t.db.kysely
        .selectFrom('sessions')
        .selectAll()
        .where('operator_id', '=', operator.id)
        .execute();
      assert.equal(stored.length, 1);
      assert.notEqual(stored[0]?.token_hash, cookie?.value, 'the session token is stored hashed');
    });

    it("login and GET /v1/auth/session answer the scopes of the operator's role, which the dashboard offers", async () => {
      const viewer = await addOperator(t, 'viewer');
      const res = await login(viewer.email, testPassword);
      assert.equal(res.statusCode, 200, res.body);
      const scopes = (res.json() as { scopes: string[] }).scopes;
      assert.ok(scopes.includes('licenses:read'));
      assert.deepEqual(
        scopes.filter((scope) => !scope.endsWith(':read')),
        [],
        'a viewer holds read scopes only',
      );
      const cookie = res.cookies.find((item) => item.name === 'charter_session')?.value ?? '';
      const view = await t.app.inject({
        method: 'GET',
        url: '/v1/auth/session',
        headers: { cookie: `charter_session=${cookie}` },
      });
      assert.deepEqual((view.json() as { scopes: string[] }).scopes, scopes);
      const owner = await login((await addOperator(t, 'owner')).email, testPassword);
      assert.deepEqual((owner.json() as { scopes: string[] }).scopes, ['admin']);
    });

    it('a wrong password and an unknown email answer the same 401 INVALID_CREDENTIALS', async () => {
      const operator = await addOperator(t, 'viewer');
      const wrongPassword = expectError(
        await login(operator.email, 'not the password'),
        401,
        'INVALID_CREDENTIALS',
      );
      const unknownEmail = expectError(
        await login('nobody@example.com', testPassword),
        401,
        'INVALID_CREDENTIALS',
      );
      assert.equal(wrongPassword.message, unknownEmail.message);
      const failures = await t.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'auth.login_failed')
        .execute();
      assert.ok(failures.some((entry) => entry.target_id === operator.email));
      assert.ok(
        !JSON.stringify(failures).includes('not the password'),
        'passwords never reach the audit log',
      );
    });

    it('GET /v1/auth/session answers the session; unsafe cookie requests need the X-CSRF-Token', async () => {
      const session = await operatorSession(t, 'owner');
      const view = await t.app.inject({
        method: 'GET',
        url: '/v1/auth/session',
        headers: session.headers({ csrf: false }),
      });
      assert.equal(view.statusCode, 200);
      assert.equal((view.json() as { csrfToken: string }).csrfToken, session.csrfToken);
      const payload = { name: 'k', scopes: ['licenses:read'] };
      const without = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: session.headers({ csrf: false }),
        payload,
      });
      expectError(without, 403, 'CSRF_VALIDATION_FAILED');
      const other = await operatorSession(t, 'owner');
      const foreign = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { cookie: session.cookie, 'x-csrf-token': other.csrfToken },
        payload,
      });
      expectError(foreign, 403, 'CSRF_VALIDATION_FAILED');
      const ok = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: session.headers(),
        payload,
      });
      assert.equal(ok.statusCode, 201, ok.body);
    });

    it('a forged or garbled session cookie answers 401 AUTH_INVALID', async () => {
      for (const cookie of [
        `charter_session=${'A'.repeat(43)}`,
        'charter_session=%00%27--',
        'charter_session=short',
      ]) {
        expectError(
          await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } }),
          401,
          'AUTH_INVALID',
        );
      }
    });

    it('a session idle past 30 minutes answers 401 SESSION_EXPIRED', async () => {
      const session = await operatorSession(t, 'viewer');
      t.clock.advance(29 * 60_000);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }))
          .statusCode,
        200,
      );
      t.clock.advance(29 * 60_000);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }))
          .statusCode,
        200,
      );
      t.clock.advance(31 * 60_000);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }),
        401,
        'SESSION_EXPIRED',
      );
    });

    it('a session in use past its 12-hour absolute lifetime answers 401 SESSION_EXPIRED', async () => {
      const session = await operatorSession(t, 'viewer');
      for (let elapsed = 0; elapsed < 12 * 60; elapsed += 20) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/v1/auth/session',
          headers: session.headers(),
        });
        assert.equal(res.statusCode, 200, `at ${elapsed} minutes`);
        t.clock.advance(20 * 60_000);
      }
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }),
        401,
        'SESSION_EXPIRED',
      );
    });

    it('brute force: five failures for one email from one address lock that address out of it for 15 minutes, even with the right password', async () => {
      const operator = await addOperator(t, 'viewer');
      const attacker = '203.0.113.10';
      for (let i = 0; i < 5; i++)
        expectError(await login(operator.email, `wrong ${i}`, attacker), 401, 'INVALID_CREDENTIALS');
      const locked = await login(operator.email, testPassword, attacker);
      const body = expectError(locked, 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(locked.headers['retry-after'], String(15 * 60));
      assert.equal(body.details?.scope, 'login');
      // Refused before the password is checked: the locked attempts count no further failures.
      expectError(await login(operator.email, 'wrong again', attacker), 429, 'RATE_LIMIT_EXCEEDED');
      t.clock.advance(15 * 60_000);
      assert.equal((await login(operator.email, testPassword, attacker)).statusCode, 200);
    });

    it('lock-out by others: an attacker failing for every account cannot keep their owners out', async () => {
      const victims = [await addOperator(t, 'owner'), await addOperator(t, 'admin')];
      const attacker = '203.0.113.66';
      // 100 failures from one address: 5 for each victim through HTTP, 90 sprayed over emails that do not exist
      // (written as the failed sign-ins write them, to spare 90 password hashes).
      for (const victim of victims)
        for (let i = 0; i < 5; i++) await login(victim.email, `guess ${i}`, attacker);
      const context = { ...systemAuditContext('test'), ip: attacker };
      for (let i = 0; i < 90; i++)
        await recordAudit(t.db.kysely, t.clock, context, {
          action: 'auth.login_failed',
          target: { type: 'login', id: `nobody-${i}@example.com` },
        });
      for (const victim of victims)
        expectError(await login(victim.email, testPassword, attacker), 429, 'RATE_LIMIT_EXCEEDED');
      // Each victim signs in from their own address with the right password...
      for (const [index, victim] of victims.entries())
        assert.equal((await login(victim.email, testPassword, `198.51.100.${index + 1}`)).statusCode, 200);
      // ...and an operator the attacker never tried signs in even from the attacker's address (a shared NAT).
      const bystander = await addOperator(t, 'viewer');
      assert.equal((await login(bystander.email, testPassword, attacker)).statusCode, 200);
      // Past 100 failures the sprayer is refused for any email it has failed for once, before the check.
      await login(bystander.email, 'one guess', attacker);
      expectError(await login(bystander.email, testPassword, attacker), 429, 'RATE_LIMIT_EXCEEDED');
      t.clock.advance(15 * 60_000);
    });

    it('a disabled operator cannot sign in, and their open sessions answer 403 ACCOUNT_DISABLED', async () => {
      const owner = await createKey(t, ['admin']);
      const operator = await addOperator(t, 'operator');
      const session = await signIn(t, operator.email);
      const disable = await t.app.inject({
        method: 'PATCH',
        url: `/v1/operators/${operator.id}`,
        headers: bearer(owner.secret),
        payload: { disabled: true },
      });
      assert.equal(disable.statusCode, 200, disable.body);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }),
        403,
        'ACCOUNT_DISABLED',
      );
      expectError(await login(operator.email, testPassword), 403, 'ACCOUNT_DISABLED');
      await t.app.inject({
        method: 'PATCH',
        url: `/v1/operators/${operator.id}`,
        headers: bearer(owner.secret),
        payload: { disabled: false },
      });
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }),
        401,
        'SESSION_EXPIRED',
      );
    });

    it('logout answers 204, clears the cookie and ends the session server-side', async () => {
      const session = await operatorSession(t, 'viewer');
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: session.headers() });
      assert.equal(res.statusCode, 204);
      assert.equal(res.cookies.find((item) => item.name === 'charter_session')?.value, '');
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session.headers() }),
        401,
        'AUTH_INVALID',
      );
    });

    it('session routes refuse API keys with 403 FORBIDDEN and no credential with 401 AUTH_MISSING', async () => {
      const key = await createKey(t, ['admin']);
      expectError(
        await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(key.secret) }),
        403,
        'FORBIDDEN',
      );
      expectError(await t.app.inject({ method: 'POST', url: '/v1/auth/logout' }), 401, 'AUTH_MISSING');
    });
  });
}
