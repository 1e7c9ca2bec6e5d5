// The dashboard's administration pages in a real Chromium against a real server (`charter serve` on SQLite, with a
// local webhook receiver): a webhook endpoint is added with its signing secret shown once, a delivery the receiver
// refused is retried from its log, the endpoint is enabled again, tested and another one deleted; a signing key is
// rotated (two keys) and the old one retired; an OAuth client's secret is shown once, trades for a token, and is
// refused one once revoked; an operator is added as a viewer, given another role, disabled and enabled. Admins and
// viewers are offered no control their role lacks. axe finds no serious or critical violation on any page, and
// every page is screenshotted under test-results/dashboard/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserMissing, go } from '../support/browser.js';
import { owner } from '../support/cli.js';
import { type Dashboard, openDashboard } from '../support/dashboard.js';
import { type Receiver, startReceiver } from '../support/webhooks.js';

const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

const viewer = { email: 'viewer@example.com', password: 'viewer password 1234' };
const admin = { email: 'admin@example.com', password: 'admin password 12345' };

/** Waits until `check` holds (a server-side effect the page does not show), or fails after `ms`. */
const eventually = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('the administration pages in Chromium', { skip }, () => {
  let d: Dashboard;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    d = await openDashboard(
      'admin',
      {
        // The receiver listens on 127.0.0.1, which the private-address guard refuses otherwise.
        CHARTER_WEBHOOKS_ALLOW_PRIVATE: 'true',
        CHARTER_WEBHOOK_INTERVAL_MS: '100',
      },
      [
        { ...viewer, name: 'Vera Viewer', role: 'viewer' },
        { ...admin, name: 'Ada Admin', role: 'admin' },
      ],
    );
  });
  after(async () => {
    await d?.close();
    await receiver?.close();
  });

  const call: Dashboard['call'] = (...args) => d.call(...args);
  const look: Dashboard['look'] = (page, name) => d.look(page, name);
  const signIn: Dashboard['signIn'] = (who) => d.signIn(who);

  it('adds a webhook endpoint with its secret shown once, retries a refused delivery, enables, tests and deletes', async () => {
    // The receiver answers the first customer.created 410 Gone (the delivery fails and the endpoint is
    // disabled), and everything after it 204.
    let customerEvents = 0;
    receiver.answer = (request) =>
      request.body.includes('"customer.created"') && ++customerEvents === 1
        ? { status: 410 }
        : { status: 204 };

    const { context, page } = await signIn(owner);
    await go(page, 'Webhooks');
    await page.getByText('No webhook endpoint yet.').waitFor();
    await page.getByText('Add an endpoint').click();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('Description').fill('CRM sync');
    await page.getByLabel('Every event, including types added later').uncheck();
    await page.getByLabel('customer.created').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByText(/^whsec_[A-Za-z0-9+/=]{32}$/).textContent())?.trim() ?? '';
    assert.match(secret, /^whsec_/);
    const row = page.getByRole('table', { name: 'Webhook endpoints' }).getByRole('row', { name: /CRM sync/ });
    await row.getByRole('cell', { name: 'customer.created', exact: true }).waitFor();
    await row.getByText('enabled', { exact: true }).waitFor();
    await look(page, 'webhooks');
    // Shown once: the list read again has no secret.
    await page.reload();
    await row.waitFor();
    assert.equal(await page.getByText(/^whsec_/).count(), 0);

    // A customer makes an event; the receiver refuses its delivery.
    const customer = await call('POST', '/v1/customers', { email: 'hook@example.com' });
    assert.equal(customer.status, 201, JSON.stringify(customer.body));
    await row.getByRole('link', { name: receiver.url }).click();
    const endpointId = page.url().split('/').pop() ?? '';
    await eventually('the first delivery failed', async () => {
      const log = await call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
      return (log.body.data as { status: string }[] | undefined)?.[0]?.status === 'failed';
    });
    await page.reload();
    await page.getByRole('heading', { name: /disabled$/ }).waitFor();
    await page.getByText('Disabled because').waitFor();
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    const delivery = deliveries.getByRole('row', { name: /customer\.created/ });
    await delivery.getByText('failed', { exact: true }).waitFor();
    await delivery.getByRole('cell', { name: '410', exact: true }).waitFor();
    await look(page, 'webhook');

    // Retried from the log: the receiver takes it now.
    await delivery.getByRole('button', { name: 'Retry' }).click();
    await delivery.getByText('delivered', { exact: true }).waitFor();
    await delivery.getByRole('cell', { name: '204', exact: true }).waitFor();
    assert.equal(await delivery.getByRole('button', { name: 'Retry' }).count(), 0);
    await delivery.getByText('2 of 8').click();
    await delivery.getByText(/\b410 in \d+ ms/).waitFor();

    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('heading', { name: /enabled$/ }).waitFor();
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByText(/^Test event evt_\S+ delivered: 204 in \d+ ms\.$/).waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No failed delivery.').waitFor();

    // Another endpoint is deleted from its page; the first one stays.
    const other = await call('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}?other`,
      events: ['order.created'],
      description: 'Old ERP',
    });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    await go(page, 'Webhooks');
    await page.getByRole('link', { name: `${receiver.url}?other` }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await row.waitFor();
    await page.getByText('Old ERP').waitFor({ state: 'detached' });
    assert.equal((await call('GET', `/v1/webhook-endpoints/${String(other.body.id)}`)).status, 404);
    await context.close();
  });

  it('rotates the signing key (two keys, each after a confirm) and retires the previous one', async () => {
    const { context, page } = await signIn(owner);
    await go(page, 'Signing keys');
    const keys = page.getByRole('table', { name: 'Signing keys' });
    await keys.getByText('active', { exact: true }).waitFor();
    assert.equal(await keys.getByRole('row').count(), 2, 'one key and the header');
    const first = (await keys.getByText(/^sk_[0-9A-Z]{26}$/).textContent())?.trim() ?? '';
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText(/^New active key sk_/).waitFor();
    await keys.getByText('verify_only', { exact: true }).waitFor();
    assert.equal(await keys.getByRole('row').count(), 3, 'two keys and the header');
    const previous = keys.getByRole('row', { name: new RegExp(first) });
    await previous.getByText('verify_only', { exact: true }).waitFor();
    // Only a verify_only key can be retired: the active one offers no button.
    assert.equal(await keys.getByRole('button', { name: 'Retire' }).count(), 1);
    await look(page, 'signing-keys');
    await previous.getByRole('button', { name: 'Retire' }).click();
    await previous.getByText('retired', { exact: true }).waitFor();
    assert.equal(await keys.getByRole('button', { name: 'Retire' }).count(), 0);
    const publicKeys = (await (await fetch(`${d.server.url}/v1/public-keys`)).json()) as {
      data: { kid: string; status: string }[];
    };
    assert.equal(publicKeys.data.find((key) => key.kid === first)?.status, 'retired');
    await context.close();
  });

  it('creates an OAuth client with its secret shown once; its token works until it is revoked', async () => {
    const { context, page } = await signIn(owner);
    await go(page, 'OAuth clients');
    await page.getByText('Create an OAuth client').click();
    await page.getByLabel('Name').fill('reporting');
    await page.getByLabel('licenses:read').check();
    await page.getByLabel('Token lifetime (seconds)').fill('600');
    await page.getByRole('button', { name: 'Create client' }).click();
    const clientSecret = (await page.getByText(/^cs_[A-Za-z0-9_-]{43}$/).textContent())?.trim() ?? '';
    const clientId =
      /oac_[0-9A-Z]+/.exec(
        (await page.getByRole('status').filter({ hasText: 'Client id' }).textContent()) ?? '',
      )?.[0] ?? '';
    assert.match(clientSecret, /^cs_/);
    assert.match(clientId, /^oac_/);
    const row = page.getByRole('row', { name: /reporting/ });
    await row.getByRole('cell', { name: 'licenses:read', exact: true }).waitFor();
    await row.getByRole('cell', { name: '600 s' }).waitFor();
    await look(page, 'oauth-clients');

    const token = () =>
      fetch(`${d.server.url}/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }),
      });
    const granted = await token();
    assert.equal(granted.status, 200);
    const { access_token, expires_in, scope } = (await granted.json()) as {
      access_token: string;
      expires_in: number;
      scope: string;
    };
    assert.equal(expires_in, 600);
    assert.equal(scope, 'licenses:read');
    const read = () =>
      fetch(`${d.server.url}/v1/licenses`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal((await read()).status, 200);

    // Shown once: the list read again has no secret.
    await page.reload();
    await row.waitFor();
    assert.equal(await page.getByText(/^cs_/).count(), 0);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText(/^revoked /).waitFor();
    await row.getByText('revoked', { exact: true }).waitFor();
    const refused = await token();
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { code: string }).code, 'INVALID_CLIENT_CREDENTIALS');
    assert.equal((await read()).status, 401);
    await context.close();
  });

  it('adds an operator as a viewer, changes the role, disables and enables them', async () => {
    const { context, page } = await signIn(owner);
    await go(page, 'Operators');
    await page
      .getByRole('row', { name: new RegExp(owner.email) })
      .getByText('your own account')
      .waitFor();
    await page.getByText('Add an operator').click();
    await page.getByLabel('Email').fill('vic@example.com');
    await page.getByLabel('Name').fill('Vic Newcomer');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByLabel('Password').fill('vic password 123456');
    await page.getByRole('button', { name: 'Add operator' }).click();
    await page.getByText('Operator vic@example.com added.').waitFor();
    const row = page.getByRole('row', { name: /vic@example\.com/ });
    await row.getByRole('cell', { name: 'viewer', exact: true }).waitFor();
    await look(page, 'operators');

    // The API's field error beside its field: the address is taken.
    await page.getByLabel('Email').fill('vic@example.com');
    await page.getByLabel('Password').fill('another password 123');
    await page.getByRole('button', { name: 'Add operator' }).click();
    await page.getByText('An operator with email vic@example.com exists').waitFor();

    await row.getByLabel('Role of vic@example.com').selectOption('operator');
    await row.getByRole('button', { name: 'Change role' }).click();
    await row.getByRole('cell', { name: 'operator', exact: true }).waitFor();
    const listed = await call('GET', '/v1/operators?role=operator');
    assert.deepEqual(
      (listed.body.data as { email: string }[]).map((operator) => operator.email),
      ['vic@example.com'],
    );

    const signInAsVic = () =>
      fetch(`${d.server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'vic@example.com', password: 'vic password 123456' }),
      });
    assert.equal((await signInAsVic()).status, 200);
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();
    assert.notEqual((await signInAsVic()).status, 200);
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByText('active', { exact: true }).waitFor();
    assert.equal((await signInAsVic()).status, 200);
    await context.close();
  });

  it('an admin and a viewer are offered no control their role lacks', async () => {
    const asAdmin = await signIn(admin);
    const page = asAdmin.page;
    // Admins read operators but do not change them (operators:write is the owners').
    await go(page, 'Operators');
    await page.getByRole('row', { name: /vic@example\.com/ }).waitFor();
    assert.equal(await page.getByText('Add an operator').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Change role|Disable|Enable/ }).count(), 0);
    // They hold keys:write: rotate, and create clients with their own scopes only (no operators:write, no admin).
    await go(page, 'Signing keys');
    await page.getByRole('button', { name: 'Rotate' }).waitFor();
    await go(page, 'OAuth clients');
    await page.getByText('Create an OAuth client').click();
    await page.getByLabel('keys:write').waitFor();
    assert.equal(await page.getByLabel('operators:write').count(), 0);
    assert.equal(await page.getByLabel('admin', { exact: true }).count(), 0);
    await asAdmin.context.close();

    const asViewer = await signIn(viewer);
    const view = asViewer.page;
    const sections = view.getByRole('navigation', { name: 'Sections' });
    for (const hidden of ['Signing keys', 'OAuth clients', 'Operators'])
      assert.equal(await sections.getByRole('link', { name: hidden, exact: true }).count(), 0, hidden);
    await go(view, 'Webhooks');
    await view.getByRole('link', { name: receiver.url, exact: true }).click();
    await view
      .getByRole('table', { name: 'Deliveries' })
      .getByRole('row', { name: /customer\.created/ })
      .waitFor();
    assert.equal(
      await view.getByRole('button', { name: /Disable|Enable|Delete|Send a test event|Retry/ }).count(),
      0,
    );
    await go(view, 'Webhooks');
    await view.getByRole('heading', { name: 'Webhooks' }).waitFor();
    assert.equal(await view.getByText('Add an endpoint').count(), 0);
    await asViewer.context.close();
  });

  it('axe finds no serious or critical accessibility violation on any page', () => {
    assert.deepEqual(Object.keys(d.accessibility).sort(), [
      'oauth-clients',
      'operators',
      'signing-keys',
      'webhook',
      'webhooks',
    ]);
    const found = Object.entries(d.accessibility).filter(([, violations]) => violations.length > 0);
    assert.deepEqual(found, []);
  });
});
