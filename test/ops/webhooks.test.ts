// Outbound webhooks so far: Standard Webhooks signatures checked with the specification's own library and with the
// documentation's own snippets (as a receiver would), the private-address guard, and the endpoints' Management
// routes on both engines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, webhookHeaders } from '../../src/ops/webhooks/signature.js';
import { isInternalAddress, targetRefusal } from '../../src/ops/webhooks/targets.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

describe('webhook signatures', () => {
  it('verify with the standardwebhooks library, and fail for any changed byte, id or timestamp', () => {
    const secret = newWebhookSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'lease.expired',
      createdAt: '2026-11-22T10:30:45.123Z',
      data: { object: { id: 'lease_1' } },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, 'evt_1', timestamp, body);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(secret).verify(body.replace('lease_1', 'lease_2'), headers));
    assert.throws(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_2' }));
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers));
    // The library refuses old timestamps (replays) on its own: the timestamp is signed, so it cannot be moved.
    const old = webhookHeaders(secret, 'evt_1', timestamp - 3600, body);
    assert.throws(() => new Webhook(secret).verify(body, old));
    assert.throws(() => new Webhook(secret).verify(body, { ...old, 'webhook-timestamp': String(timestamp) }));
  });

  it('are the HMAC-SHA256 of id.timestamp.body keyed with the secret’s base64 bytes, as before the library', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"id":"evt_1","data":{"name":"Ünïcödé ✓"}}';
    const mac = createHmac('sha256', Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'))
      .update(`evt_1.1795861845.${body}`)
      .digest('base64');
    assert.deepEqual(webhookHeaders(secret, 'evt_1', 1795861845, body), {
      'webhook-id': 'evt_1',
      'webhook-timestamp': '1795861845',
      'webhook-signature': `v1,${mac}`,
    });
  });

  describe('the documentation’s verification snippets verify a delivery', () => {
    // Wherever the documentation keeps the "Verifying a Charter webhook" snippets.
    const root = path.resolve(import.meta.dirname, '../..');
    const document = ['docs/webhooks.md', 'README.md']
      .map((name) => path.join(root, name))
      .find((file) => {
        try {
          return readFileSync(file, 'utf8').includes('verifyCharterWebhook');
        } catch {
          return false;
        }
      });
    const snippet = (language: string) => {
      const text = readFileSync(document ?? '', 'utf8');
      const from = text.indexOf('**Verifying a Charter webhook**');
      const code = new RegExp(`\`\`\`${language}\n([\\s\\S]*?)\`\`\``).exec(text.slice(from))?.[1];
      assert.ok(code, `no ${language} snippet after "Verifying a Charter webhook" in ${document}`);
      return code;
    };
    const secret = newWebhookSecret();
    const body = JSON.stringify({
      id: 'evt_doc',
      type: 'license.created',
      data: { object: { note: 'é ✓' } },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, 'evt_doc', timestamp, body);
    let directory: string;
    before(() => {
      assert.ok(document, 'no documentation holds verifyCharterWebhook');
      directory = mkdtempSync(path.join(tmpdir(), 'charter-webhook-docs-'));
    });
    after(() => rmSync(directory, { recursive: true, force: true }));

    it('in Node', async () => {
      const file = path.join(directory, 'verify.mjs');
      writeFileSync(file, snippet('js'));
      const { verifyCharterWebhook } = (await import(pathToFileURL(file).href)) as {
        verifyCharterWebhook: (secret: string, headers: object, rawBody: string) => boolean;
      };
      assert.equal(verifyCharterWebhook(secret, headers, body), true);
      assert.equal(verifyCharterWebhook(secret, headers, body.replace('evt_doc', 'evt_dot')), false);
      assert.equal(verifyCharterWebhook(newWebhookSecret(), headers, body), false);
    });

    it('in a shell with openssl', (context) => {
      try {
        execFileSync('openssl', ['version']);
      } catch {
        context.skip('openssl is not installed');
        return;
      }
      const run = (payload: string) => {
        writeFileSync(path.join(directory, 'body.json'), payload);
        try {
          return execFileSync('sh', ['-c', snippet('sh')], {
            cwd: directory,
            env: {
              PATH: process.env.PATH,
              secret,
              id: headers['webhook-id'],
              ts: headers['webhook-timestamp'],
              signature: headers['webhook-signature'],
            },
          })
            .toString()
            .trim();
        } catch (error) {
          return String((error as { stdout?: Buffer }).stdout ?? '').trim();
        }
      };
      assert.equal(run(body), 'verified');
      assert.equal(run(`${body} `), 'bad signature');
    });
  });
});

describe('webhook target guard', () => {
  it('knows loopback, private, link-local and mapped addresses from public ones', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ])
      assert.equal(isInternalAddress(address), true, address);
    for (const address of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111'])
      assert.equal(isInternalAddress(address), false, address);
  });

  it('refuses internal targets unless private targets are allowed', async () => {
    assert.match((await targetRefusal('http://127.0.0.1:8080/hook', false)) ?? '', /internal address/);
    assert.match((await targetRefusal('https://[::1]/hook', false)) ?? '', /internal address/);
    assert.match(
      (await targetRefusal('http://localhost/hook', false)) ?? '',
      /internal address|does not resolve/,
    );
    assert.equal(await targetRefusal('https://93.184.216.34/hook', false), undefined);
    assert.equal(await targetRefusal('http://127.0.0.1:8080/hook', true), undefined);
  });
});

for (const dialect of dialects()) {
  describe(`webhook endpoints (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      t = await withApp({ dialect, config: { CHARTER_WEBHOOKS_ALLOW_PRIVATE: false } });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    it('an endpoint is created with its secret shown once (sealed at rest), changed, disabled and removed', async () => {
      const created = await call('POST', '/v1/webhook-endpoints', {
        url: 'https://93.184.216.34/charter',
        events: ['lease.expired', 'order.created'],
        description: 'ERP',
      });
      assert.equal(created.statusCode, 201, created.body);
      const endpoint = created.json() as { id: string; secret: string; events: string[]; enabled: boolean };
      assert.match(endpoint.id, /^whe_/);
      assert.match(endpoint.secret, /^whsec_/);
      assert.equal(created.headers.location, `/v1/webhook-endpoints/${endpoint.id}`);
      const read = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).json() as Record<
        string,
        unknown
      >;
      assert.equal(read.secret, undefined);
      const rows = await t.db.kysely.selectFrom('webhook_endpoints').selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(endpoint.secret.slice('whsec_'.length)));
      const changed = await call('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, {
        events: ['*'],
        enabled: false,
      });
      assert.deepEqual(
        [(changed.json() as { events: string[] }).events, (changed.json() as { enabled: boolean }).enabled],
        [['*'], false],
      );
      const list = (await call('GET', '/v1/webhook-endpoints')).json() as { data: { id: string }[] };
      assert.deepEqual(
        list.data.map((item) => item.id),
        [endpoint.id],
      );
      assert.equal((await call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).statusCode, 204);
      expectError(await call('GET', `/v1/webhook-endpoints/${endpoint.id}`), 404, 'NOT_FOUND');
    });

    it('internal targets, unknown event types and bad URLs answer 400 VALIDATION_ERROR', async () => {
      for (const url of [
        'http://127.0.0.1:9000/hook',
        'http://10.0.0.5/hook',
        'http://169.254.169.254/latest',
        'http://[::1]/x',
      ]) {
        const refused = expectError(
          await call('POST', '/v1/webhook-endpoints', { url }),
          400,
          'VALIDATION_ERROR',
        );
        assert.match(refused.message, /internal address/);
      }
      expectError(
        await call('POST', '/v1/webhook-endpoints', {
          url: 'https://93.184.216.34/x',
          events: ['license.exploded'],
        }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await call('POST', '/v1/webhook-endpoints', { url: 'ftp://93.184.216.34/x' }),
        400,
        'VALIDATION_ERROR',
      );
    });

    it('a credential restricted to products may not manage endpoints (403 PRODUCT_NOT_ALLOWED)', async () => {
      const product = await createProduct(t, admin, { code: 'hooks', name: 'Hooks' });
      const restricted = (
        await createKey(t, ['webhooks:read', 'webhooks:write'], { productIds: [product.id] })
      ).secret;
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/webhook-endpoints',
        headers: bearer(restricted),
      });
      expectError(res, 403, 'PRODUCT_NOT_ALLOWED');
    });
  });
}
