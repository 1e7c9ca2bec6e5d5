// The envelope on every error path: unknown routes, wrong methods, request ids, unexpected and storage failures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { publicRoute } from '../../src/http/route-rules.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { dialects } from '../support/services.js';

const probeRoutes = (t: { db?: TestApp['db'] }) => async (app: FastifyInstance) => {
  app.get('/test/boom', { config: { auth: publicRoute } }, async () => {
    throw new Error('secret detail: password=hunter2 at /src/x.ts');
  });
  app.get('/test/storage', { config: { auth: publicRoute } }, async () => {
    await sql`select * from no_such_table`.execute(t.db?.kysely as never);
    return { ok: true };
  });
};

for (const dialect of dialects()) {
  describe(`error envelope (${dialect})`, () => {
    let t: TestApp;
    const holder: { db?: TestApp['db'] } = {};
    before(async () => {
      t = await withApp({ dialect, extend: probeRoutes(holder) });
      holder.db = t.db;
    });
    after(() => t.close());

    it('an unknown API path answers 404 NOT_FOUND with the envelope and a generated req_ id', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/nope' });
      const body = expectError(res, 404, 'NOT_FOUND');
      assert.match(body.requestId, /^req_[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.equal(body.timestamp, '2026-11-22T10:30:45.123Z');
      assert.match(body.message, /\/nope/);
    });

    it('a known path with a wrong method answers 405 METHOD_NOT_ALLOWED with Allow', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: '/healthz' });
      const body = expectError(res, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(res.headers.allow, 'GET, HEAD');
      assert.deepEqual(body.details, { allowed: ['GET', 'HEAD'] });
    });

    it('a wrong method is answered 405 before a broken body is parsed', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/errors',
        headers: { 'content-type': 'application/json' },
        payload: '{broken',
      });
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
    });

    it('keeps an acceptable inbound X-Request-ID and echoes it on success and error', async () => {
      const ok = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'abc.DEF_1:2-3' },
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.headers['x-request-id'], 'abc.DEF_1:2-3');
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/missing',
        headers: { 'x-request-id': 'trace-42' },
      });
      assert.equal(expectError(res, 404, 'NOT_FOUND').requestId, 'trace-42');
    });

    it('replaces an inbound X-Request-ID with forbidden characters or over 128 characters', async () => {
      for (const inbound of ['has space', 'x'.repeat(129), 'semi;colon']) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/healthz',
          headers: { 'x-request-id': inbound },
        });
        assert.match(String(res.headers['x-request-id']), /^req_/);
      }
    });

    it('writes one log line per request with requestId, route, status and latency', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'log-line-1' },
      });
      assert.equal(res.statusCode, 200);
      const lines = t.logs.filter((line) => line.requestId === 'log-line-1');
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.route, '/healthz');
      assert.equal(lines[0]?.status, 200);
      assert.equal(typeof lines[0]?.latencyMs, 'number');
    });

    it('an unexpected exception answers INTERNAL_ERROR without its message and logs the stack', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/test/boom',
        headers: { 'x-request-id': 'boom-1' },
      });
      const body = expectError(res, 500, 'INTERNAL_ERROR');
      assert.doesNotMatch(res.body, /hunter2|secret detail|x\.ts/);
      assert.equal(body.details, undefined);
      const logged = t.logs.find((line) => line.requestId === 'boom-1' && line.level === 50);
      const err = logged?.err as { stack?: string } | undefined;
      assert.match(String(err?.stack), /secret detail/);
    });

    it('a storage failure answers DATABASE_ERROR, retryable, without SQL in the body', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/test/storage' });
      const body = expectError(res, 500, 'DATABASE_ERROR');
      assert.equal(body.retryable, true);
      assert.doesNotMatch(res.body, /no_such_table/);
    });
  });
}
