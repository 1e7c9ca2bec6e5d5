// Operator sessions through HTTP: login, cookie, CSRF, lifetimes, throttling, disabling, logout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

    it('five failures for one email lock it for 15 minutes with 429 and Retry-After, even for the right password', async () => {
      const operator = await addOperator(t, 'viewer');
      for (let i = 0; i < 5; i++)
        expectError(await login(operator.email, `wrong ${i}`), 401, 'INVALID_CREDENTIALS');
      const locked = await login(operator.email, testPassword);
      const body = expectError(locked, 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(locked.headers['retry-after'], String(15 * 60));
      assert.equal(body.details?.scope, 'login');
      t.clock.advance(15 * 60_000);
      assert.equal((await login(operator.email, testPassword)).statusCode, 200);
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
