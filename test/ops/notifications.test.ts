// Notification mail through a real SMTP server started in-process (smtp-server), on both engines: a critical
// incident reaches the operators who can act on it, a pending approval reaches the approvers, configured recipients
// replace them, and a mail the server cannot take is recorded on the incident's timeline and retried until sent.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateRule } from '../../src/ops/incidents/engine.js';
import { serverDownRule } from '../../src/ops/incidents/rules/server-down.js';
import type { Incident } from '../../src/ops/incidents/schemas.js';
import { noteMailFailure } from '../../src/ops/incidents/service.js';
import { mailsOf, notifyIncidentOpened } from '../../src/ops/notifications/service.js';
import { createMailWorker } from '../../src/ops/notifications/worker.js';
import { addOperator, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { createLicense } from '../support/factories.js';
import { addMonitoredServer, standIn } from '../support/monitor.js';
import { dialects } from '../support/services.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

for (const dialect of dialects()) {
  describe(`notification mail (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let dir: string;
    let smtp: TestSmtp;
    const emails: Record<string, string> = {};
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const worker = () =>
      createMailWorker(
        {
          db: t.db,
          clock: t.clock,
          mail: t.config.mail,
          log: { info: () => {}, warn: () => {} },
          draw: () => 0.5,
          failed: noteMailFailure(t),
        },
        { intervalMs: 1000 },
      );
    const openServerDown = async (host: string) => {
      const server = await addMonitoredServer(call, host, { name: host });
      for (let index = 0; index < 3; index++) await call('POST', `/v1/monitor/servers/${server.id}/poll`);
      await evaluateRule(
        {
          db: t.db,
          clock: t.clock,
          notify: (tx, incident) => notifyIncidentOpened({ ...t, mail: t.config.mail }, tx, incident),
        },
        serverDownRule(3),
      );
      const [incident] = (
        (await call('GET', `/v1/incidents?subject=${server.id}`)).json() as { data: Incident[] }
      ).data;
      assert.ok(incident);
      return incident;
    };

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'charter-mail-'));
      smtp = await startSmtp();
      t = await withApp({
        dialect,
        config: {
          CHARTER_LMUTIL: standIn(dir).script,
          CHARTER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          CHARTER_MAIL_FROM: 'charter@vendor.example',
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
      for (const role of ['owner', 'admin', 'operator', 'viewer'] as const)
        emails[role] = (await addOperator(t, role, `${role}-${dialect}@vendor.example`)).email;
    });
    after(async () => {
      await t.close();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a critical incident is mailed to the operators who can act on it, from CHARTER_MAIL_FROM', async () => {
      const incident = await openServerDown('down.example');
      assert.equal(await worker().runOnce(), 1);
      const [message] = smtp.received.splice(0);
      assert.ok(message);
      assert.equal(message.from, 'charter@vendor.example');
      assert.deepEqual(message.to, [emails.admin, emails.operator, emails.owner].sort(), 'not the viewer');
      assert.equal(message.subject, `[Charter critical] ${incident.title}`);
      assert.match(message.text, new RegExp(`/v1/incidents/${incident.id}/acknowledge`));
      const [mail] = await mailsOf(t.db.kysely, { incidentId: incident.id });
      assert.deepEqual([mail?.status, mail?.attempts], ['sent', 1]);
      assert.equal(await worker().runOnce(), 0, 'sent once');
    });

    it('a pending approval is mailed to the operators who may approve it', async () => {
      const license = await createLicense(t, admin);
      const proposed = await call('POST', '/v1/actions', {
        kind: 'suspend_license',
        params: { licenseId: license.id },
        reason: 'seen on a torrent site',
      });
      assert.equal(proposed.statusCode, 201, proposed.body);
      const action = proposed.json() as { id: string };
      await worker().runOnce();
      const [message] = smtp.received.splice(0);
      assert.ok(message);
      assert.deepEqual(message.to, [emails.admin, emails.owner].sort());
      assert.equal(message.subject, `[Charter] Approval needed: suspend_license (${action.id})`);
      assert.match(message.text, /seen on a torrent site/);
    });

    it('a mail the server cannot take is written on the incident timeline with NOTIFICATION_FAILED and retried until sent', async () => {
      await smtp.close();
      const incident = await openServerDown('down.example');
      assert.equal(await worker().runOnce(), 1);
      let [mail] = await mailsOf(t.db.kysely, { incidentId: incident.id });
      assert.deepEqual([mail?.status, mail?.attempts], ['pending', 1]);
      assert.ok(mail?.last_error);
      const timeline = ((await call('GET', `/v1/incidents/${incident.id}`)).json() as Incident).timeline;
      const failure = timeline.find((entry) => entry.type === 'notification_failed');
      assert.match(failure?.message ?? '', /^NOTIFICATION_FAILED: .*attempt 1 of 8, retrying/);
      // Not due yet: nothing is tried early; once due, it is tried again.
      assert.equal(await worker().runOnce(), 0);
      t.clock.set(Number(mail?.next_attempt_at));
      assert.equal(await worker().runOnce(), 1);
      [mail] = await mailsOf(t.db.kysely, { incidentId: incident.id });
      assert.equal(mail?.attempts, 2);
      // The server is back, on the same address: the next attempt delivers.
      smtp = await startSmtp({ port: smtp.port });
      t.clock.set(Number(mail?.next_attempt_at));
      assert.equal(await worker().runOnce(), 1);
      [mail] = await mailsOf(t.db.kysely, { incidentId: incident.id });
      assert.deepEqual([mail?.status, mail?.attempts], ['sent', 3]);
      assert.equal(smtp.received.length, 1);
    });
  });

  describe(`notification mail to configured recipients (${dialect})`, () => {
    it('CHARTER_MAIL_TO_CRITICAL replaces the operators; CHARTER_MAIL_INCIDENT_SEVERITY=none mails no incident', async () => {
      const smtp = await startSmtp();
      const dir = mkdtempSync(path.join(tmpdir(), 'charter-mail-'));
      const t = await withApp({
        dialect,
        config: {
          CHARTER_LMUTIL: standIn(dir).script,
          CHARTER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          CHARTER_MAIL_FROM: 'charter@vendor.example',
          CHARTER_MAIL_TO_CRITICAL: 'oncall@vendor.example, pager@vendor.example',
        },
      });
      try {
        const admin = (await createKey(t, ['admin'])).secret;
        const call = managementCalls(
          () => t,
          () => admin,
        );
        await addOperator(t, 'owner');
        const server = await addMonitoredServer(call, 'down.example', { name: 'eda' });
        for (let index = 0; index < 3; index++) await call('POST', `/v1/monitor/servers/${server.id}/poll`);
        const notify = (mail: TestApp['config']['mail']) => ({
          db: t.db,
          clock: t.clock,
          notify: (
            tx: Parameters<typeof notifyIncidentOpened>[1],
            incident: Parameters<typeof notifyIncidentOpened>[2],
          ) => notifyIncidentOpened({ db: t.db, clock: t.clock, mail }, tx, incident),
        });
        await evaluateRule(notify(t.config.mail), serverDownRule(3));
        await createMailWorker(
          { db: t.db, clock: t.clock, mail: t.config.mail, log: { info: () => {}, warn: () => {} } },
          { intervalMs: 1000 },
        ).runOnce();
        assert.deepEqual(
          smtp.received.map((message) => message.to),
          [['oncall@vendor.example', 'pager@vendor.example']],
        );
        const quiet = await addMonitoredServer(call, 'down.example', { name: 'quiet' });
        for (let index = 0; index < 3; index++) await call('POST', `/v1/monitor/servers/${quiet.id}/poll`);
        await evaluateRule(notify({ ...t.config.mail, incidentSeverity: 'none' }), serverDownRule(3));
        const [incident] = (
          (await call('GET', `/v1/incidents?subject=${quiet.id}`)).json() as { data: Incident[] }
        ).data;
        assert.ok(incident);
        assert.deepEqual(await mailsOf(t.db.kysely, { incidentId: incident.id }), []);
      } finally {
        await t.close();
        await smtp.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
