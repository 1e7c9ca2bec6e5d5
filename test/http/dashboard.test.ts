// The dashboard's files as the server answers them, from a stand-in build: `/` and any page of the app get
// index.html (no-cache, a strict Content-Security-Policy), hashed assets are immutable for a year, and the API's
// paths keep their own answers (an unknown /v1 path the JSON 404 envelope); without a build `/` says how to make it.
// The storage engine plays no part here, so one engine is enough.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';

const indexHtml =
  '<!doctype html><html><head><script type="module" src="/assets/app-Ab12Cd34.js"></script></head></html>';
const portalHtml =
  '<!doctype html><html><head><script type="module" src="/portal/assets/portal-Ef56Gh78.js"></script></head></html>';

describe('the dashboard at /', () => {
  let t: TestApp;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'charter-dashboard-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), indexHtml);
    writeFileSync(path.join(dir, 'assets', 'app-Ab12Cd34.js'), 'console.log("app")\n');
    writeFileSync(path.join(dir, 'assets', 'app-Ab12Cd34.js.br'), brotliCompressSync('console.log("app")\n'));
    mkdirSync(path.join(dir, 'portal', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'portal', 'index.html'), portalHtml);
    writeFileSync(path.join(dir, 'portal', 'assets', 'portal-Ef56Gh78.js'), 'console.log("portal")\n');
    t = await withApp({ dialect: 'sqlite', config: { CHARTER_DASHBOARD_DIR: dir } });
  });
  after(() => t.close());

  const get = (url: string, method: 'GET' | 'HEAD' = 'GET') => t.app.inject({ method, url });

  it('answers index.html at / and at every page of the app, never cached without asking, under a strict CSP', async () => {
    for (const url of [
      '/',
      '/licenses',
      '/licenses/lic_01KAJ6ZQ4M9H3XG0C6V7T8W2YB?tab=machines',
      '/monitor/servers',
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, indexHtml, url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      const csp = String(res.headers['content-security-policy']);
      for (const directive of [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ])
        assert.ok(csp.includes(directive), `${url}: ${directive} in ${csp}`);
      assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const head = await get('/licenses', 'HEAD');
    assert.equal(head.statusCode, 200);
  });

  it('serves hashed assets immutable for a year (brotli where accepted), and an unknown asset as the JSON 404', async () => {
    const res = await get('/assets/app-Ab12Cd34.js');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    expectError(await get('/assets/missing-00000000.js'), 404, 'NOT_FOUND');
    // The build's brotli copy goes to a browser that accepts it; the same URL, and Vary says why.
    const compressed = await t.app.inject({
      method: 'GET',
      url: '/assets/app-Ab12Cd34.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    assert.equal(compressed.statusCode, 200);
    assert.equal(compressed.headers['content-encoding'], 'br');
    assert.match(String(compressed.headers.vary), /accept-encoding/i);
    assert.equal(brotliDecompressSync(compressed.rawPayload).toString(), 'console.log("app")\n');
    expectError(await get('/assets/..%2findex.html'), 404, 'NOT_FOUND');
    expectError(await get('/assets/..%2f..%2fpackage.json'), 404, 'NOT_FOUND');
  });

  it('answers the customer portal’s index.html at /portal and every path under it, its assets from /portal/assets, under the same CSP', async () => {
    for (const url of ['/portal', '/portal/', '/portal/?from=mail', '/portal/customers/cus_1']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, portalHtml, url);
      assert.equal(res.headers['cache-control'], 'no-cache');
      const csp = String(res.headers['content-security-policy']);
      assert.ok(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `${url}: ${csp}`);
    }
    const asset = await get('/portal/assets/portal-Ef56Gh78.js');
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.body, 'console.log("portal")\n');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    for (const url of [
      '/portal/assets/app-Ab12Cd34.js',
      '/portal/assets/..%2findex.html',
      '/portal/assets/..%2f..%2findex.html',
      '/assets/portal-Ef56Gh78.js',
    ])
      expectError(await get(url), 404, 'NOT_FOUND');
    // /portalx is a page of the dashboard, not the portal.
    assert.equal((await get('/portalx')).body, indexHtml);
  });

  it('keeps the API’s paths: unknown /v1 paths answer the JSON 404 envelope, the others their own answers', async () => {
    for (const url of ['/v1/nope', '/v1', '/docs/nope', '/openapi.json/x', '/healthz/x'])
      expectError(await get(url), 404, 'NOT_FOUND');
    assert.equal((await get('/healthz')).statusCode, 200);
    assert.match(String((await get('/openapi.json')).headers['content-type']), /json/);
    assert.equal((await get('/docs/errors')).statusCode, 200);
    // Unsafe methods on a page are no fallback.
    expectError(await t.app.inject({ method: 'POST', url: '/licenses' }), 404, 'NOT_FOUND');
    expectError(await t.app.inject({ method: 'POST', url: '/' }), 405, 'METHOD_NOT_ALLOWED');
  });

  it('without a build, / answers 404 NOT_FOUND saying how to build it, and the API still works', async () => {
    const empty = await withApp({
      dialect: 'sqlite',
      config: { CHARTER_DASHBOARD_DIR: mkdtempSync(path.join(tmpdir(), 'charter-no-dashboard-')) },
    });
    try {
      const body = expectError(await empty.app.inject({ method: 'GET', url: '/' }), 404, 'NOT_FOUND');
      assert.match(body.message, /npm run build/);
      expectError(await empty.app.inject({ method: 'GET', url: '/licenses' }), 404, 'NOT_FOUND');
      const portal = expectError(
        await empty.app.inject({ method: 'GET', url: '/portal/' }),
        404,
        'NOT_FOUND',
      );
      assert.match(portal.message, /customer portal is not built/);
      assert.equal((await empty.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      await empty.close();
    }
  });
});
