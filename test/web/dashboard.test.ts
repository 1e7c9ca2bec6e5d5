// The dashboard in a real Chromium against a real server (`charter serve` on SQLite: the API's storage behaviour is
// proven on both engines by the HTTP suites; here the subject is what an operator sees and does). It signs in,
// creates a product, a policy and a license through the forms, sees the machine the SDK activates, suspends the
// license and sees validation fail; an admin's revoke becomes a proposal (CHARTER_REQUIRE_APPROVAL) that its
// proposer is offered no approve button for and a second operator approves; a license server added on a stand-in
// lmutil is polled and charted; an API key's secret is shown once and the key revoked; a viewer is offered no
// write control; an expired session returns to sign-in with a message. axe finds no serious or critical violation on any page, and every page is screenshotted under
// test-results/dashboard/.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { CharterClient } from '../../packages/sdk/src/index.js';
import { browserMissing, go, signInThroughPage } from '../support/browser.js';
import { owner } from '../support/cli.js';
import { type Dashboard, openDashboard } from '../support/dashboard.js';
import { standIn } from '../support/monitor.js';

const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

const viewer = { email: 'viewer@example.com', password: 'viewer password 1234' };
const admin = { email: 'admin@example.com', password: 'admin password 12345' };

describe('the dashboard in Chromium', { skip }, () => {
  let d: Dashboard;

  before(async () => {
    d = await openDashboard(
      'dashboard',
      (dataDir) => ({ CHARTER_REQUIRE_APPROVAL: 'revoke_license', CHARTER_LMUTIL: standIn(dataDir).script }),
      [
        { ...viewer, name: 'Vera Viewer', role: 'viewer' },
        { ...admin, name: 'Ada Admin', role: 'admin' },
      ],
    );
  });
  after(() => d?.close());

  const look: Dashboard['look'] = (page, name) => d.look(page, name);
  const signIn = (page: Page, who: { email: string; password: string }) =>
    signInThroughPage(page, d.server.url, who);

  it('signs in, creates a product, a policy and a license, sees the SDK’s machine, and a suspension fails validation', async () => {
    const context = await d.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(d.server.url);
    await look(page, 'sign-in');
    await signIn(page, owner);
    await look(page, 'overview');

    await go(page, 'Products');
    await page.getByText('Add a product').click();
    await page.getByLabel('Code').fill('studio');
    await page.getByLabel('Name').fill('Studio');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByRole('cell', { name: 'Studio', exact: true }).waitFor();
    await look(page, 'products');
    await page.getByRole('link', { name: 'Studio', exact: true }).click();
    await page.getByText('Add a feature').click();
    await page.getByLabel('Feature code').fill('render');
    await page.getByLabel('Feature name').fill('Render farm');
    await page.getByLabel('Kind').selectOption({ label: 'floating seats' });
    await page.getByLabel('Seats').fill('5');
    await page.getByRole('button', { name: 'Add feature' }).click();
    await page
      .getByRole('table', { name: 'Features of this product' })
      .getByRole('cell', { name: '5 seats' })
      .waitFor();
    await look(page, 'product');

    await go(page, 'Policies');
    await page.getByText('Add a policy').click();
    await page.getByLabel('Product').selectOption({ label: 'Studio (studio)' });
    await page.getByLabel('Code').fill('yearly');
    await page.getByLabel('Name').fill('Yearly');
    await page.getByLabel('Machines per license').fill('2');
    await page.getByLabel('Duration in days').fill('365');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('cell', { name: 'Yearly', exact: true }).waitFor();
    await look(page, 'policies');

    await go(page, 'Licenses');
    await page.getByText('Issue a license').click();
    await page.getByLabel('Product', { exact: true }).first().selectOption({ label: 'Studio (studio)' });
    await page.getByLabel('Policy').first().selectOption({ label: 'Yearly (yearly)' });
    await page.getByRole('button', { name: 'Issue license' }).click();
    await page.getByRole('heading', { name: /^License / }).waitFor();
    const key =
      (
        await page
          .getByText(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){3,}$/)
          .first()
          .textContent()
      )?.trim() ?? '';
    assert.match(key, /^[A-Z0-9]{5}-/);

    const client = new CharterClient({ baseUrl: d.server.url, licenseKey: key });
    await client.activate({ fingerprint: 'fp-browser-0001', hostname: 'build-07' });
    await page.reload();
    await page.getByRole('cell', { name: 'fp-browser-0001' }).waitFor();
    await look(page, 'license');

    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('heading', { name: /suspended/ }).waitFor();
    await page.getByRole('button', { name: 'Reinstate' }).waitFor();
    const validation = await client.validate({ fingerprint: 'fp-browser-0001' });
    assert.equal(validation.valid, false);
    assert.equal(validation.code, 'LICENSE_SUSPENDED');

    // The overview counts it as suspended and links to the list so filtered.
    await go(page, 'Overview');
    await page.getByRole('link', { name: '1 suspended' }).click();
    const prefix = key.split('-')[0] ?? '';
    await page
      .getByRole('table', { name: 'Licenses' })
      .getByRole('link', { name: `${prefix}…` })
      .waitFor();
    assert.match(page.url(), /\/licenses\?status=suspended$/);
    // Found by its key's first group, typed in lower case, as a support call quotes it.
    await go(page, 'Licenses');
    await page.getByLabel('Key, key prefix or customer email').fill(prefix.toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('table', { name: 'Licenses' })
      .getByRole('link', { name: `${prefix}…` })
      .waitFor();
    assert.equal(await page.getByRole('table', { name: 'Licenses' }).getByRole('link').count(), 1);
    // Filtered by product, then by one of its policies: kept in the address, the license still listed.
    const filters = page.getByRole('form', { name: 'Find licenses' });
    await filters.getByLabel('Product').selectOption({ label: 'Studio (studio)' });
    await filters.getByLabel('Policy').selectOption({ label: 'Yearly (yearly)' });
    await page.waitForURL(/policyId=pol_/);
    assert.match(page.url(), /productId=prod_/);
    await page
      .getByRole('table', { name: 'Licenses' })
      .getByRole('link', { name: `${prefix}…` })
      .waitFor();
    await look(page, 'licenses');
    await go(page, 'Customers');
    await page.getByText('Add a customer').click();
    await page.getByLabel('Email').fill('dana@example.com');
    await page.getByRole('button', { name: 'Add customer' }).click();
    await page.getByRole('cell', { name: 'dana@example.com' }).first().waitFor();
    await look(page, 'customers');
    // The license moves to her by email; its audit trail records the suspension and the transfer.
    await page.goBack();
    await page
      .getByRole('table', { name: 'Licenses' })
      .getByRole('link', { name: `${prefix}…` })
      .click();
    await page.getByLabel('Transfer to customer (id or email)').fill('dana@example.com');
    await page.getByRole('button', { name: 'Transfer' }).click();
    await page.getByText(/^cus_/).waitFor();
    const trail = page.getByRole('table', { name: 'Audit trail of this license' });
    await trail.getByRole('cell', { name: 'license.transfer' }).waitFor();
    await trail.getByRole('cell', { name: 'license.suspend' }).waitFor();
    // Deactivating the machine frees its seat: the license counts none.
    page.on('dialog', (dialog) => void dialog.accept());
    await page
      .getByRole('table', { name: 'Machines of this license' })
      .getByRole('button', { name: 'Deactivate' })
      .click();
    await page
      .getByRole('table', { name: 'Machines of this license' })
      .getByText('deactivated')
      .first()
      .waitFor();
    await page.getByText('0 of 2').waitFor();
    await go(page, 'Machines');
    await page.getByRole('cell', { name: 'fp-browser-0001' }).waitFor();
    await look(page, 'machines');
    await context.close();
  });

  it('a revoke under CHARTER_REQUIRE_APPROVAL becomes a proposal; its proposer gets no approve button, a second operator approves it', async () => {
    const proposer = await d.browser.newContext();
    proposer.setDefaultTimeout(10_000);
    const page = await proposer.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, admin);
    await go(page, 'Licenses');
    await page.getByRole('table', { name: 'Licenses' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: /^License / }).waitFor();
    const licenseUrl = page.url();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText("This action needs a second operator's approval.").waitFor();
    await page.getByLabel('Reason for the approver').fill('chargeback from the card issuer');
    await page.getByRole('button', { name: 'Propose revoke' }).click();
    await page.getByText('Proposed: it waits for approval.').waitFor();
    await go(page, 'Approvals');
    const row = page.getByRole('row', { name: /chargeback from the card issuer/ });
    await row.getByText('Your proposal: another operator decides').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Approve' }).count(), 0);
    await look(page, 'approvals');

    const approver = await d.browser.newContext();
    approver.setDefaultTimeout(10_000);
    const second = await approver.newPage();
    await signIn(second, owner);
    await go(second, 'Approvals');
    await second
      .getByRole('row', { name: /chargeback from the card issuer/ })
      .getByRole('button', { name: 'Approve' })
      .click();
    await second.getByText('Nothing waits for approval.').waitFor();
    await second.goto(licenseUrl);
    await second.getByRole('heading', { name: /revoked/ }).waitFor();
    await Promise.all([proposer.close(), approver.close()]);
  });

  it('a license server added on a stand-in lmutil is polled now, and its features are listed and charted', async () => {
    const context = await d.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, owner);
    await go(page, 'License servers');
    await page.getByText('Add a server').click();
    await page.getByLabel('Name').fill('lic1');
    await page.getByLabel('Address').fill('27000@ok.example');
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByRole('link', { name: 'lic1' }).click();
    await page.getByRole('heading', { name: /^lic1/ }).waitFor();
    await page.getByRole('button', { name: 'Poll now' }).click();
    await page.getByRole('heading', { name: /^lic1 up/ }).waitFor();
    await page.getByRole('row', { name: /Virtuoso 3 \/ 4 75 %/ }).waitFor();
    await page.getByRole('button', { name: 'Virtuoso' }).click();
    await page.getByRole('img', { name: 'Seats in use of Virtuoso, last day' }).waitFor();
    await page.getByText('Figures of “Seats in use of Virtuoso, last day”').click();
    await page
      .getByRole('table', { name: 'Seats in use of Virtuoso, last day: figures' })
      .getByRole('cell', { name: '3', exact: true })
      .first()
      .waitFor();
    await page.getByText('Edit this server').click();
    await page.getByLabel('Poll every (seconds)').fill('600');
    await page.getByRole('button', { name: 'Save server' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('heading', { name: 'Denials today' }).waitFor();
    await look(page, 'license-server');
    await go(page, 'License servers');
    await look(page, 'license-servers');
    await go(page, 'Incidents');
    await look(page, 'incidents');
    await context.close();
  });

  it('an API key is created with its secret shown once and revoked; usage and the audit log show what happened', async () => {
    const context = await d.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, owner);
    await go(page, 'API keys');
    await page.getByText('Create an API key').click();
    await page.getByLabel('Name').fill('billing backend');
    await page.getByLabel('licenses:read').check();
    await page.getByLabel('Restrict to products (ids or codes, comma-separated)').fill('studio');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByText(/^ck_[A-Za-z0-9_-]{43}$/).textContent())?.trim() ?? '';
    assert.match(secret, /^ck_/);
    const listed = await fetch(`${d.server.url}/v1/licenses`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(listed.status, 200);
    const row = page.getByRole('row', { name: /billing backend/ });
    await row.getByRole('cell', { name: 'licenses:read', exact: true }).waitFor();
    await look(page, 'api-keys');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText(/^revoked /).waitFor();
    const refused = await fetch(`${d.server.url}/v1/licenses`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(refused.status, 401);

    await go(page, 'Usage');
    await page.getByRole('img', { name: 'Calls by day, last 30 days' }).waitFor();
    await look(page, 'usage');
    await go(page, 'Audit log');
    await page.getByLabel('Action').fill('api_key.revoke');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'api_key.revoke' }).waitFor();
    await look(page, 'audit-log');
    await context.close();
  });

  it('a viewer is offered no write control, and the API refuses one anyway', async () => {
    const context = await d.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, viewer);
    for (const [section, control] of [
      ['Licenses', 'Issue a license'],
      ['Products', 'Add a product'],
      ['Policies', 'Add a policy'],
      ['Customers', 'Add a customer'],
    ] as const) {
      await go(page, section);
      await page.getByRole('heading', { name: section }).waitFor();
      assert.equal(await page.getByText(control).count(), 0, `${section} offers ${control} to a viewer`);
    }
    await go(page, 'Licenses');
    await page.getByRole('table', { name: 'Licenses' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: /^License / }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Suspend|Reinstate|Revoke|Renew/ }).count(), 0);
    const refused = await page.evaluate(async () => {
      const res = await fetch('/v1/products', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'sneaky', name: 'Sneaky' }),
      });
      return res.status;
    });
    assert.equal(refused, 403);
    await context.close();
  });

  it('an expired session returns to sign-in with a message', async () => {
    const context = await d.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, owner);
    // The overview has read all it shows (no figure still "…") before the session ends under it.
    await page.getByRole('main').getByText('…', { exact: true }).first().waitFor({ state: 'detached' });
    // The server decides expiry from the session's last use: move it past the idle lifetime.
    const db = new SqliteDatabase(path.join(d.dataDir, 'charter.db'));
    try {
      db.prepare('update sessions set last_seen_at = 0').run();
    } finally {
      db.close();
    }
    await go(page, 'Products');
    await page.getByRole('heading', { name: 'Sign in to Charter' }).waitFor();
    await page.getByText('Your session expired. Sign in again to go on.').waitFor();
    await context.close();
  });

  it('axe finds no serious or critical accessibility violation on any page', () => {
    assert.ok(
      Object.keys(d.accessibility).length >= 14,
      `pages checked: ${Object.keys(d.accessibility).join(', ')}`,
    );
    const found = Object.entries(d.accessibility).filter(([, violations]) => violations.length > 0);
    assert.deepEqual(found, []);
  });
});
