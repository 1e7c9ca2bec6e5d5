// Customer mail through a real SMTP server started in-process, on both engines: an order mails its license keys
// (text and HTML), a trial, an expiring license and a consumption limit mail their customer once, an invitation
// renders and queues; a mail the server refuses for good shows on the order and the license with
// NOTIFICATION_FAILED after its retries; each kind is off unless CHARTER_CUSTOMER_MAIL lists it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { customerMailKinds } from '../../src/config.js';
import { transaction } from '../../src/db/transaction.js';
import { notifyLicenseExpiring, notifyUserInvited } from '../../src/licensing/customer-mail/service.js';
import { scanLifecycle } from '../../src/licensing/lifecycle/service.js';
import { createMailWorker } from '../../src/ops/notifications/worker.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createPolicy, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

interface Notification {
  id: string;
  kind: string;
  to: string;
  subject: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  code: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
}
interface Order {
  id: string;
  licenses: { id: string; key: string }[];
  notifications: Notification[];
}

const refused = 'gone@customer.example';

for (const dialect of dialects()) {
  describe(`customer mail (${dialect})`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    let admin: string;
    let product: { id: string; code: string };
    let orders = 0;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const worker = () =>
      createMailWorker(
        {
          db: t.db,
          clock: t.clock,
          mail: t.config.mail,
          sealer: t.sealer,
          log: { info: () => {}, warn: () => {} },
          draw: () => 0.5,
        },
        { intervalMs: 1000 },
      );
    const mailDeps = () => ({ clock: t.clock, sealer: t.sealer, customerMail: t.config.customerMail });
    const order = async (customer: { email: string; name?: string }, quantity = 1) => {
      orders += 1;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...bearer(admin), 'idempotency-key': `mail-order-${orders}` },
        payload: {
          externalId: `shop-${orders}`,
          customer,
          items: [{ productCode: product.code, policyCode: 'yearly', quantity }],
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as Order;
    };
    const notificationsOfLicense = async (licenseId: string) => {
      const res = await call('GET', `/v1/licenses/${licenseId}/notifications`);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { data: Notification[] }).data;
    };
    const outboxRow = (id: string) =>
      t.db.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const newCustomer = async (email: string) => {
      const res = await call('POST', '/v1/customers', { email, name: 'Dana Client' });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { id: string }).id;
    };

    before(async () => {
      smtp = await startSmtp({ refuse: [refused] });
      t = await withApp({
        dialect,
        config: {
          CHARTER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          CHARTER_MAIL_FROM: 'licenses@vendor.example',
          CHARTER_CUSTOMER_MAIL: customerMailKinds.join(','),
          CHARTER_PUBLIC_URL: 'https://licenses.vendor.example/',
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, {
        code: 'studio',
        name: 'Studio <Pro>',
        trial: { enabled: true, days: 14, requireEmail: false },
      });
      await createPolicy(t, admin, product.id, {
        code: 'yearly',
        name: 'Yearly',
        durationSeconds: 365 * 86400,
      });
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    it('an order sends its license mail to a real in-process SMTP server: every key, in text and HTML, values escaped', async () => {
      const created = await order({ email: 'buyer@customer.example', name: 'Ann <b>& Co</b>' }, 2);
      assert.deepEqual(
        created.notifications.map((mail) => [mail.kind, mail.to, mail.status, mail.attempts, mail.code]),
        [['license_issued', 'buyer@customer.example', 'pending', 0, null]],
      );
      const queued = await outboxRow(created.notifications[0]?.id ?? '');
      for (const license of created.licenses) {
        assert.ok(!queued.body.includes(license.key), 'the queued text is sealed');
        assert.ok(!queued.html?.includes(license.key), 'the queued HTML is sealed');
      }

      assert.equal(await worker().runOnce(), 1);
      const [message] = smtp.received.splice(0);
      assert.ok(message);
      assert.equal(message.from, 'licenses@vendor.example');
      assert.deepEqual(message.to, ['buyer@customer.example']);
      assert.equal(message.subject, 'Your licenses for Studio <Pro>');
      for (const license of created.licenses) {
        assert.ok(message.text.includes(license.key), 'the text part holds every key');
        assert.ok(message.html.includes(`<code>${license.key}</code>`), 'the HTML part holds every key');
      }
      assert.match(message.text, /Hello Ann <b>& Co<\/b>,/);
      assert.match(message.html, /Hello Ann &lt;b&gt;&amp; Co&lt;\/b&gt;,/);
      assert.match(message.html, /Studio &lt;Pro&gt; \(Yearly\), valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      assert.doesNotMatch(message.html, /<b>/);

      const read = (await call('GET', `/v1/orders/${created.id}`)).json() as Order;
      assert.deepEqual(
        read.notifications.map((mail) => [mail.status, mail.attempts, mail.code, mail.lastError]),
        [['sent', 1, null, null]],
      );
      assert.equal(read.notifications[0]?.sentAt, t.clock.now().toISOString());
      const sent = await outboxRow(read.notifications[0]?.id ?? '');
      assert.deepEqual([sent.body, sent.html], ['', null], 'nothing of the content is kept once sent');
      assert.equal(await worker().runOnce(), 0, 'sent once');
    });

    it('a mail the SMTP server refuses for good is retried 8 times, then the order and the license show NOTIFICATION_FAILED', async () => {
      const created = await order({ email: refused });
      const licenseId = created.licenses[0]?.id ?? '';
      for (let attempt = 1; attempt <= 8; attempt++) {
        assert.equal(await worker().runOnce(), 1, `attempt ${attempt}`);
        const [mail] = ((await call('GET', `/v1/orders/${created.id}`)).json() as Order).notifications;
        assert.equal(mail?.attempts, attempt);
        assert.match(mail?.lastError ?? '', /550/);
        if (attempt < 8) {
          assert.deepEqual([mail?.status, mail?.code], ['pending', null], 'retrying: not failed yet');
          assert.equal(await worker().runOnce(), 0, 'nothing is tried before it is due');
          t.clock.set(mail?.nextAttemptAt ?? '');
        }
      }
      assert.equal(smtp.received.length, 0);
      const [onOrder] = ((await call('GET', `/v1/orders/${created.id}`)).json() as Order).notifications;
      assert.deepEqual(
        [
          onOrder?.kind,
          onOrder?.to,
          onOrder?.status,
          onOrder?.attempts,
          onOrder?.code,
          onOrder?.nextAttemptAt,
        ],
        ['license_issued', refused, 'failed', 8, 'NOTIFICATION_FAILED', null],
      );
      assert.deepEqual(await notificationsOfLicense(licenseId), [onOrder]);
      const given = await outboxRow(onOrder?.id ?? '');
      assert.deepEqual([given.body, given.html], ['', null]);
      t.clock.advance(30 * 86_400_000);
      assert.equal(await worker().runOnce(), 0, 'given up: never tried again');
    });

    it('a trial started with an email mails its key there; one without an email mails nothing', async () => {
      const res = await client('trial', {
        productCode: product.code,
        fingerprint: 'fp-trial-mail',
        email: 'Tester@Customer.example',
      });
      assert.equal(res.statusCode, 201, res.body);
      const started = res.json() as { licenseKey: string; license: { id: string } };
      const [mail] = await notificationsOfLicense(started.license.id);
      assert.deepEqual(
        [mail?.kind, mail?.to, mail?.status],
        ['trial_started', 'tester@customer.example', 'pending'],
      );
      await worker().runOnce();
      const [message] = smtp.received.splice(0);
      assert.equal(message?.subject, 'Your Studio <Pro> trial has started');
      assert.ok(message?.text.includes(started.licenseKey));
      assert.ok(message?.html.includes(started.licenseKey));

      const anonymous = await client('trial', { productCode: product.code, fingerprint: 'fp-trial-quiet' });
      assert.equal(anonymous.statusCode, 201, anonymous.body);
      const quiet = anonymous.json() as { license: { id: string } };
      assert.deepEqual(await notificationsOfLicense(quiet.license.id), []);
    });

    it('an expiring license mails its customer once per end: the scan again, or a second notice, queues none', async () => {
      await scanLifecycle({
        db: t.db,
        clock: t.clock,
        sealer: t.sealer,
        customerMail: t.config.customerMail,
      });
      const customerId = await newCustomer('renewals@customer.example');
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { durationSeconds: 10 * 86400 },
        license: { customerId },
      });
      const lifecycle = { db: t.db, clock: t.clock, sealer: t.sealer, customerMail: t.config.customerMail };
      t.clock.advance(3 * 86400 * 1000 + 1);
      assert.equal((await scanLifecycle(lifecycle)).expiringSoon, 1);
      await scanLifecycle(lifecycle);
      const row = await t.db.kysely
        .selectFrom('licenses')
        .select(['id', 'expires_at'])
        .where('id', '=', license.id)
        .executeTakeFirstOrThrow();
      const again = await transaction(t.db, (tx) => notifyLicenseExpiring(mailDeps(), tx, row));
      assert.equal(again, false, 'one mail per license and end');
      const mails = await notificationsOfLicense(license.id);
      assert.deepEqual(
        mails.map((mail) => [mail.kind, mail.to]),
        [['license_expiring', 'renewals@customer.example']],
      );
      await worker().runOnce();
      const [message] = smtp.received.splice(0);
      assert.match(message?.subject ?? '', /^Your Studio <Pro> license expires on \d{4}-\d\d-\d\d$/);
      assert.match(message?.text ?? '', /Hello Dana Client,/);
      assert.ok(!message?.text.includes(license.key), 'the expiry notice names the key by its prefix only');
    });

    it('reaching a consumption limit mails the customer once per period, even when credits let it be reached again', async () => {
      const customerId = await newCustomer('metered@customer.example');
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { consumption: { max: 10, allowNegative: true, allowOverage: false, resetPeriod: 'never' } },
        license: { customerId },
      });
      for (const amount of [6, 4, -5, 5]) {
        const res = await client('consume', { licenseKey: license.key, amount });
        assert.equal(res.statusCode, 200, res.body);
      }
      const mails = await notificationsOfLicense(license.id);
      assert.deepEqual(
        mails.map((mail) => [mail.kind, mail.to]),
        [['consumption_limit', 'metered@customer.example']],
      );
      await worker().runOnce();
      const [message] = smtp.received.splice(0);
      assert.equal(message?.subject, 'Studio <Pro>: usage limit reached');
      assert.match(message?.text ?? '', /reached its usage limit: 10 of 10/);
    });

    it('an invitation (notifyUserInvited) renders its link in text and HTML and keeps it sealed until sent', async () => {
      const inviteUrl = 'https://portal.vendor.example/invite?token=secret-token-1&x=<y>';
      const queued = await transaction(t.db, (tx) =>
        notifyUserInvited(mailDeps(), tx, {
          to: 'new.user@customer.example',
          inviteUrl,
          expiresAt: t.clock.nowMs() + 3 * 86_400_000,
          productName: 'Studio',
          customerName: 'Acme "Tools"',
        }),
      );
      assert.equal(queued, true);
      const row = await t.db.kysely
        .selectFrom('mail_outbox')
        .selectAll()
        .where('kind', '=', 'user_invited')
        .executeTakeFirstOrThrow();
      assert.ok(!row.body.includes('secret-token-1') && !row.html?.includes('secret-token-1'));
      await worker().runOnce();
      const [message] = smtp.received.splice(0);
      assert.deepEqual(message?.to, ['new.user@customer.example']);
      assert.equal(message?.subject, 'You are invited to Studio');
      const escapedUrl = 'https://portal.vendor.example/invite?token=secret-token-1&amp;x=%3Cy%3E';
      assert.ok(
        message?.text.includes('https://portal.vendor.example/invite?token=secret-token-1&x=%3Cy%3E'),
      );
      assert.ok(message?.html.includes(`<a href="${escapedUrl}">`), message?.html);
      assert.match(message?.html ?? '', /Acme &quot;Tools&quot; invited you to Studio\./);
      const sent = await outboxRow(row.id);
      assert.deepEqual([sent.status, sent.body, sent.html], ['sent', '', null], 'the link is gone once sent');
    });

    it('inviting a user through the API mails them the absolute link, which sets their password once', async () => {
      const user = (await call('POST', '/v1/users', { email: 'invitee@customer.example' })).json() as {
        id: string;
      };
      const invited = await call('POST', `/v1/users/${user.id}/invitations`, {});
      assert.equal(invited.statusCode, 201, invited.body);
      const { url, token } = invited.json() as { url: string; token: string };
      assert.equal(url, `https://licenses.vendor.example/portal/#/invitation/${token}`);
      await worker().runOnce();
      const [message] = smtp.received.splice(0);
      assert.deepEqual(message?.to, ['invitee@customer.example']);
      assert.ok(message?.text.includes(url), message?.text);
      const accepted = await t.app.inject({
        method: 'POST',
        url: '/v1/portal/invitations/accept',
        payload: { token, password: 'invited and accepted' },
      });
      assert.equal(accepted.statusCode, 204, accepted.body);
      const login = await t.app.inject({
        method: 'POST',
        url: '/v1/portal/login',
        payload: { email: 'invitee@customer.example', password: 'invited and accepted' },
      });
      assert.equal(login.statusCode, 200, login.body);
    });

    it('GET /v1/licenses/{id}/notifications needs licenses:read and answers 404 to a credential of other products', async () => {
      const created = await order({ email: 'reader@customer.example' });
      const licenseId = created.licenses[0]?.id ?? '';
      const ordersOnly = (await createKey(t, ['orders:read'])).secret;
      expectError(
        await t.app.inject({
          method: 'GET',
          url: `/v1/licenses/${licenseId}/notifications`,
          headers: bearer(ordersOnly),
        }),
        403,
        'AUTH_INSUFFICIENT',
      );
      const other = await createProduct(t, admin);
      const elsewhere = (await createKey(t, ['licenses:read'], { productIds: [other.id] })).secret;
      expectError(
        await t.app.inject({
          method: 'GET',
          url: `/v1/licenses/${licenseId}/notifications`,
          headers: bearer(elsewhere),
        }),
        404,
        'NOT_FOUND',
      );
      const own = (await createKey(t, ['licenses:read'], { productIds: [product.id] })).secret;
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/licenses/${licenseId}/notifications?limit=1`,
        headers: bearer(own),
      });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json() as { data: Notification[]; nextCursor: string | null };
      assert.deepEqual(
        page.data.map((mail) => mail.kind),
        ['license_issued'],
      );
      assert.equal(page.nextCursor, null);
      expectError(await call('GET', '/v1/licenses/lic_missing/notifications'), 404, 'NOT_FOUND');
      await worker().runOnce();
      smtp.received.splice(0);
    });
  });

  describe(`customer mail off (${dialect})`, () => {
    it('sends no customer mail of a kind CHARTER_CUSTOMER_MAIL does not list, though SMTP is set', async () => {
      const smtp = await startSmtp();
      const t = await withApp({
        dialect,
        config: {
          CHARTER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          CHARTER_MAIL_FROM: 'licenses@vendor.example',
          CHARTER_CUSTOMER_MAIL: 'trial_started',
        },
      });
      try {
        const admin = (await createKey(t, ['admin'])).secret;
        const product = await createProduct(t, admin, { code: 'quiet' });
        await createPolicy(t, admin, product.id, { code: 'yearly' });
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/orders',
          headers: { ...bearer(admin), 'idempotency-key': 'quiet-1' },
          payload: {
            externalId: 'quiet-1',
            customer: { email: 'buyer@customer.example' },
            items: [{ productCode: 'quiet', policyCode: 'yearly', quantity: 1 }],
          },
        });
        assert.equal(res.statusCode, 201, res.body);
        assert.deepEqual((res.json() as Order).notifications, []);
        const queued = await t.db.kysely.selectFrom('mail_outbox').select('id').execute();
        assert.deepEqual(queued, []);
      } finally {
        await t.close();
        await smtp.close();
      }
    });
  });
}
