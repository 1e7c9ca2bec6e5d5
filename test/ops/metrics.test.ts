// GET /metrics: Prometheus text with HTTP, process, monitor and webhook figures; monitor:read unless public.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateRule } from '../../src/ops/incidents/engine.js';
import { serverDownRule } from '../../src/ops/incidents/rules/server-down.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense } from '../support/factories.js';
import { standIn } from '../support/monitor.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`metrics (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let dir: string;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'charter-metrics-'));
      t = await withApp({ dialect, config: { CHARTER_LMUTIL: standIn(dir).script } });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers Prometheus text with requests, process figures, validations by code, monitored features, Charter’s pools and the webhook backlog', async () => {
      const server = (
        await call('POST', '/v1/monitor/servers', {
          name: 'Cadence',
          kind: 'flexlm',
          address: '27000@ok.example',
        })
      ).json() as { id: string };
      assert.equal((await call('POST', `/v1/monitor/servers/${server.id}/poll`)).statusCode, 200);
      const license = await createLicense(t, admin, {
        policy: { floating: true, maxMachines: 5, leaseSeconds: 600 },
      });
      assert.equal(
        (await client('checkout', { licenseKey: license.key, fingerprint: 'fp-metrics' })).statusCode,
        201,
      );

      assert.equal((await client('validate', { licenseKey: license.key })).statusCode, 200);
      assert.equal((await client('validate', { licenseKey: license.key })).statusCode, 200);
      // The last character changed (never to itself: a key ending in X would stay valid).
      const typo = `${license.key.slice(0, -1)}${license.key.endsWith('A') ? 'B' : 'A'}`;
      const missing = await client('validate', { licenseKey: typo });
      assert.equal((missing.json() as { code: string }).code, 'LICENSE_NOT_FOUND');

      const reader = (await createKey(t, ['monitor:read'])).secret;
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(reader) });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const text = res.body;
      assert.match(text, /^process_cpu_user_seconds_total \d/m);
      assert.match(
        text,
        /^http_requests_total\{method="POST",route="\/v1\/monitor\/servers",status="201"\} 1$/m,
      );
      assert.match(
        text,
        /^http_request_duration_seconds_bucket\{le="0\.001",method="POST",route="\/v1\/licenses",status="201"\} /m,
      );
      assert.match(
        text,
        new RegExp(`^charter_monitor_feature_in_use\\{server="${server.id}",feature="Virtuoso"\\} 3$`, 'm'),
      );
      assert.match(
        text,
        new RegExp(`^charter_monitor_feature_issued\\{server="${server.id}",feature="Virtuoso"\\} 4$`, 'm'),
      );
      assert.match(text, new RegExp(`^charter_monitor_server_up\\{server="${server.id}"\\} 1$`, 'm'));
      assert.match(
        text,
        new RegExp(
          `^charter_monitor_poll_duration_seconds_count\\{server="${server.id}",outcome="ok"\\} 1$`,
          'm',
        ),
      );
      assert.match(
        text,
        new RegExp(
          `^charter_monitor_feature_in_use\\{server="charter",feature="${license.id}/seats"\\} 1$`,
          'm',
        ),
      );
      assert.match(
        text,
        new RegExp(
          `^charter_monitor_feature_issued\\{server="charter",feature="${license.id}/seats"\\} 5$`,
          'm',
        ),
      );
      assert.match(text, /^charter_monitor_server_up\{server="charter"\} 1$/m);
      assert.match(text, /^charter_validations_total\{code="VALID"\} 2$/m);
      assert.match(text, /^charter_validations_total\{code="LICENSE_NOT_FOUND"\} 1$/m);
      assert.match(text, /^charter_webhook_backlog\{kind="undispatched_events"\} \d+$/m);
    });

    it('counts open incidents by kind, severity and status, pending actions and the mail backlog', async () => {
      const server = (
        await call('POST', '/v1/monitor/servers', {
          name: 'down',
          kind: 'flexlm',
          address: '27000@down.example',
        })
      ).json() as { id: string };
      for (let index = 0; index < 3; index++) await call('POST', `/v1/monitor/servers/${server.id}/poll`);
      await evaluateRule({ db: t.db, clock: t.clock }, serverDownRule(3));
      const license = await createLicense(t, admin);
      await call('POST', '/v1/actions', {
        kind: 'suspend_license',
        params: { licenseId: license.id },
        reason: 'x',
      });
      const text = (await call('GET', '/metrics')).body;
      assert.match(
        text,
        /^charter_incidents_open\{kind="license_server_down",severity="critical",status="open"\} 1$/m,
      );
      assert.match(text, /^charter_actions_pending 1$/m);
      assert.match(text, /^charter_mail_backlog 0$/m, 'no SMTP configured: nothing is queued');
    });

    it('is documented in /openapi.json as Prometheus text, not JSON', async () => {
      const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
      };
      assert.deepEqual(Object.keys(document.paths['/metrics']?.get?.responses['200']?.content ?? {}), [
        'text/plain; version=0.0.4',
      ]);
    });

    it('needs monitor:read unless CHARTER_METRICS_PUBLIC is set', async () => {
      expectError(await t.app.inject({ method: 'GET', url: '/metrics' }), 401, 'AUTH_MISSING');
      const other = (await createKey(t, ['licenses:read'])).secret;
      expectError(
        await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(other) }),
        403,
        'AUTH_INSUFFICIENT',
      );
      const open = await withApp({ dialect, config: { CHARTER_METRICS_PUBLIC: true } });
      try {
        assert.equal((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
      } finally {
        await open.close();
      }
    });
  });
}
