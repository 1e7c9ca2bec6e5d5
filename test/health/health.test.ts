// Liveness and readiness on both engines: /healthz while the process runs, /readyz only when storage answers and
// every migration is applied (503 SERVICE_UNAVAILABLE with Retry-After otherwise).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../../src/db/migrations/index.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

const allMigrations = Object.keys(migrations);

for (const dialect of dialects()) {
  describe(`health (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await withApp({ dialect });
    });
    after(() => t.close());

    it('GET /readyz answers 200 when storage answers and migrations are current', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok', storage: dialect });
    });

    it('GET /healthz answers 200 { status: ok }', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.deepEqual([res.statusCode, res.json()], [200, { status: 'ok' }]);
    });
  });

  describe(`readiness without storage (${dialect})`, () => {
    it('GET /readyz answers 503 SERVICE_UNAVAILABLE with Retry-After once storage is gone', async () => {
      const t = await withApp({ dialect });
      try {
        await t.db.close();
        const res = await t.app.inject({ method: 'GET', url: '/readyz' });
        const body = expectError(res, 503, 'SERVICE_UNAVAILABLE');
        assert.ok(Number(res.headers['retry-after']) > 0);
        assert.equal(body.retryable, true);
        assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      } finally {
        await t.close();
      }
    });

    it('GET /readyz answers 503 naming the pending migrations', async () => {
      const t = await withApp({ dialect });
      try {
        await t.db.kysely
          .withSchema(t.db.schema ?? 'main')
          .deleteFrom('kysely_migration' as never)
          .execute();
        const body = expectError(
          await t.app.inject({ method: 'GET', url: '/readyz' }),
          503,
          'SERVICE_UNAVAILABLE',
        );
        assert.deepEqual(body.details, { pending: allMigrations });
      } finally {
        await t.close();
      }
    });
  });
}
