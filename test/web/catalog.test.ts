// The dashboard's sales and seats pages in a real Chromium against a real server (`charter serve` on SQLite, with
// CHARTER_REQUIRE_APPROVAL=block_device): an order recorded through the form issues its licenses and is found by
// its customer; a release is published with a file and withdrawn; a device blocked (through a proposal a second
// operator approves) is refused activation until it is unblocked; a floating pool shows its seats held by the SDK's
// checkouts and a refused one, and a force-release frees a seat; license users are added, renamed, found and
// removed. A viewer is offered none of these controls. axe finds no serious or critical violation on any page, and
// each page is screenshotted under test-results/dashboard/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CharterClient, CharterError } from '../../packages/sdk/src/index.js';
import { browserMissing, go } from '../support/browser.js';
import { owner, signInAs } from '../support/cli.js';
import { type Dashboard, openDashboard } from '../support/dashboard.js';

const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

const viewer = { email: 'viewer@example.com', password: 'viewer password 1234' };
const admin = { email: 'admin@example.com', password: 'admin password 12345' };

const refusedWith = (code: string) => (error: unknown) => {
  assert.ok(error instanceof CharterError, String(error));
  assert.equal(error.code, code);
  return true;
};

describe('the sales and seats pages in Chromium', { skip }, () => {
  let d: Dashboard;
  let floatingKey: string;
  let floatingLicenseId: string;

  before(async () => {
    d = await openDashboard('catalog', { CHARTER_REQUIRE_APPROVAL: 'block_device' }, [
      { ...viewer, name: 'Vera Viewer', role: 'viewer' },
      { ...admin, name: 'Ada Admin', role: 'admin' },
    ]);
    const product = await d.call('POST', '/v1/products', { code: 'cad', name: 'CAD Suite' });
    assert.equal(product.status, 201, JSON.stringify(product.body));
    for (const policy of [
      { code: 'yearly', name: 'Yearly', maxMachines: 3 },
      { code: 'float', name: 'Floating', floating: true, maxMachines: 2 },
    ]) {
      const created = await d.call('POST', '/v1/policies', { productId: 'cad', ...policy });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const license = await d.call('POST', '/v1/licenses', { productId: 'cad', policyId: 'float' });
    assert.equal(license.status, 201, JSON.stringify(license.body));
    floatingKey = String(license.body.key);
    floatingLicenseId = String(license.body.id);
  });
  after(() => d?.close());

  it('records an order through the form (its licenses issued), lists it with its count and finds it by customer', async () => {
    const { context, page } = await d.signIn(owner);
    await go(page, 'Orders');
    await page.getByText('No order matches.').waitFor();
    await page.getByText('Record an order').click();
    await page.getByLabel('Order number (externalId)').fill('SHOP-1001');
    await page.getByLabel("Customer (email, or an existing customer's id)").fill('buyer@example.com');
    await page.getByLabel('Product').selectOption({ label: 'CAD Suite (cad)' });
    await page.getByLabel('Policy').selectOption({ label: 'Yearly (yearly)' });
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Record order' }).click();
    await page.getByRole('heading', { name: 'Order SHOP-1001' }).waitFor();
    const issued = page.getByRole('table', { name: 'Licenses of the order' }).getByRole('row');
    await page.getByRole('heading', { name: 'Licenses (2)' }).waitFor();
    assert.equal(await issued.count(), 3, 'a header and two licenses');
    await d.look(page, 'order');

    // The same number again is refused with the API's code, beside its field.
    await go(page, 'Orders');
    const row = page.getByRole('table', { name: 'Orders' }).getByRole('row', { name: /SHOP-1001/ });
    await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    await row.getByRole('cell', { name: '2 × cad/yearly' }).waitFor();
    await page.getByText('Record an order').click();
    await page.getByLabel('Order number (externalId)').fill('SHOP-1001');
    await page.getByLabel("Customer (email, or an existing customer's id)").fill('buyer@example.com');
    await page.getByLabel('Product').selectOption({ label: 'CAD Suite (cad)' });
    await page.getByLabel('Policy').selectOption({ label: 'Yearly (yearly)' });
    await page.getByRole('button', { name: 'Record order' }).click();
    await page
      .getByText(/ALREADY_EXISTS|An order with externalId SHOP-1001 exists/)
      .first()
      .waitFor();
    await d.look(page, 'orders');

    const orders = await d.call('GET', '/v1/orders');
    assert.deepEqual(
      (orders.body.data as { externalId: string; licensesCount: number }[]).map((order) => [
        order.externalId,
        order.licensesCount,
      ]),
      [['SHOP-1001', 2]],
      'one order, never a second from the refused form',
    );
    await page.getByLabel('Customer (id or email)').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('NOT_FOUND').first().waitFor();
    await page.getByLabel('Customer (id or email)').fill('buyer@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();
    assert.match(page.url(), /\/orders\?customer=buyer%40example\.com$/);
    await context.close();
  });

  it('publishes a release with a file, filters by channel, and withdraws it', async () => {
    const { context, page } = await d.signIn(owner);
    await go(page, 'Releases');
    await page.getByText('Publish a release').click();
    await page.getByLabel('Product', { exact: true }).first().selectOption({ label: 'CAD Suite (cad)' });
    // Checked as the API checks before anything is sent: "2.4" is no semantic version.
    await page.getByLabel('Version').fill('2.4');
    await page.getByRole('button', { name: 'Publish' }).click();
    assert.equal(
      await page
        .getByLabel('Version')
        .evaluate(
          (input) =>
            (input as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch,
        ),
      true,
    );
    assert.deepEqual((await d.call('GET', '/v1/releases')).body.data, [], 'nothing was sent');
    await page.getByLabel('Version').fill('2.4.0');
    await page.getByLabel('Notes').fill('Faster meshing');
    await page.getByLabel('Platform').fill('linux-x64');
    await page.getByLabel('Download URL').fill('https://downloads.example.com/cad-2.4.0.tar.gz');
    await page.getByLabel('SHA-256').fill('a'.repeat(64));
    await page.getByLabel('Size (bytes)').fill('1048576');
    await page.getByRole('button', { name: 'Publish' }).click();
    const row = page.getByRole('table', { name: 'Releases' }).getByRole('row', { name: /2\.4\.0/ });
    await row.getByRole('link', { name: 'linux-x64' }).waitFor();
    await row.getByRole('cell', { name: 'Faster meshing' }).waitFor();
    await d.look(page, 'releases');
    await page.getByLabel('Channel').last().selectOption('beta');
    await page.getByText('No release yet.').waitFor();
    await page.getByLabel('Channel').last().selectOption('stable');
    await row.getByRole('button', { name: 'Withdraw 2.4.0' }).click();
    await page.getByText('No release yet.').waitFor();
    const releases = await d.call('GET', '/v1/releases');
    assert.deepEqual(releases.body.data, []);
    await context.close();
  });

  it('a block under CHARTER_REQUIRE_APPROVAL becomes a proposal; approved, the device is refused activation until unblocked', async () => {
    const { context, page } = await d.signIn(owner);
    await go(page, 'Blocklist');
    await page.getByText('No device is blocked.').waitFor();
    await page.getByText('Block a device').click();
    await page.getByLabel('Fingerprint', { exact: true }).first().fill('fp-stolen-0001');
    await page.getByLabel('Reason (kept with the entry)').fill('reported stolen');
    await page.getByRole('button', { name: 'Block device' }).click();
    await page.getByLabel('Reason for the approver').fill('Laptop reported stolen, ticket 4411');
    await page.getByRole('button', { name: 'Propose the block' }).click();
    await page.getByText('Proposed: it waits for approval.').waitFor();
    const proposals = await d.call('GET', '/v1/actions?status=pending');
    const [proposal] = proposals.body.data as { id: string; kind: string; params: object }[];
    assert.equal(proposal?.kind, 'block_device');
    assert.deepEqual(proposal?.params, { fingerprint: 'fp-stolen-0001', reason: 'reported stolen' });
    const approver = await signInAs(d.server.url, admin);
    const approved = await approver('POST', `/v1/actions/${proposal?.id}/approve`, {});
    assert.equal(approved.status, 200, JSON.stringify(approved.body));

    await page.reload();
    const row = page
      .getByRole('table', { name: 'Blocked devices' })
      .getByRole('row', { name: /fp-stolen-0001/ });
    await row.getByRole('cell', { name: 'reported stolen' }).waitFor();
    await d.look(page, 'blocklist');
    const order = await d.call('GET', '/v1/orders');
    const orderId = (order.body.data as { id: string }[])[0]?.id;
    const sold = await d.call('GET', `/v1/orders/${orderId}`);
    const key = (sold.body.licenses as { key: string }[])[0]?.key ?? '';
    const client = new CharterClient({ baseUrl: d.server.url, licenseKey: key });
    await assert.rejects(client.activate({ fingerprint: 'fp-stolen-0001' }), refusedWith('DEVICE_BLOCKED'));

    await row.getByRole('button', { name: 'Unblock' }).click();
    await page.getByText('No device is blocked.').waitFor();
    const activation = await client.activate({ fingerprint: 'fp-stolen-0001' });
    assert.equal(activation.machine.fingerprint, 'fp-stolen-0001');
    await context.close();
  });

  it('a floating pool shows the SDK’s seats and a refused checkout; force-release frees a seat', async () => {
    const seats = (fingerprint: string) =>
      // One attempt: FLOATING_NOT_AVAILABLE is retryable, and each retry would be a denial of its own.
      new CharterClient({
        baseUrl: d.server.url,
        licenseKey: floatingKey,
        retry: { maxAttempts: 1 },
      }).checkout({
        fingerprint,
      });
    await seats('ws-a');
    await seats('ws-b');
    await assert.rejects(seats('ws-c'), refusedWith('FLOATING_NOT_AVAILABLE'));

    const { context, page } = await d.signIn(owner);
    // The overview counts the seats held now and links to the pools.
    await page.getByRole('link', { name: '2 seats in use now' }).click();
    const pool = page
      .getByRole('table', { name: 'Pools' })
      .getByRole('row', { name: new RegExp(floatingLicenseId) });
    await pool.getByRole('cell', { name: '2 / 2' }).waitFor();
    await pool.getByRole('cell', { name: '100 %' }).waitFor();
    const denial = page.getByRole('table', { name: 'Denials' }).getByRole('row', { name: /ws-c/ });
    await denial.getByRole('cell', { name: '2 / 2' }).waitFor();
    await pool.getByRole('button', { name: 'Show holders' }).click();
    assert.match(page.url(), new RegExp(`licenseId=${floatingLicenseId}$`));
    const held = page.getByRole('table', { name: 'Seats held now' });
    await held.getByRole('row', { name: /ws-b/ }).waitFor();
    await d.look(page, 'seats');
    await held.getByRole('row', { name: /ws-a/ }).getByRole('button', { name: 'Release' }).click();
    await held.getByRole('row', { name: /ws-a/ }).waitFor({ state: 'detached' });
    await pool.getByRole('cell', { name: '1 / 2' }).waitFor();
    const live = await d.call('GET', `/v1/leases?licenseId=${floatingLicenseId}`);
    assert.deepEqual(
      (live.body.data as { fingerprint: string }[]).map((lease) => lease.fingerprint),
      ['ws-b'],
    );
    // The freed seat is there for the one refused before.
    await seats('ws-c');
    await context.close();
  });

  it('adds a license user, renames them, finds them by email and removes them', async () => {
    const { context, page } = await d.signIn(owner);
    await go(page, 'License users');
    await page.getByText('Add a license user').click();
    await page.getByLabel('Email', { exact: true }).first().fill('dana@example.com');
    await page.getByLabel('Name', { exact: true }).fill('Dana');
    await page.getByRole('button', { name: 'Add user' }).click();
    const name = page.getByLabel('Name of dana@example.com');
    await name.waitFor();
    await name.fill('Dana Scully');
    await page
      .getByRole('form', { name: 'Rename dana@example.com' })
      .getByRole('button', { name: 'Save' })
      .click();
    // Saved once the API answered and the list read again holds the new name.
    await page
      .getByRole('form', { name: 'Rename dana@example.com' })
      .getByRole('status')
      .getByText('Saved')
      .waitFor();
    const users = await d.call('GET', '/v1/users?email=dana@example.com');
    assert.equal((users.body.data as { name: string }[])[0]?.name, 'Dana Scully');
    await d.look(page, 'license-users');
    await page.getByRole('searchbox', { name: 'Email' }).fill('nobody@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No license user yet', { exact: false }).waitFor();
    await page.getByRole('searchbox', { name: 'Email' }).fill('dana@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No license user yet', { exact: false }).waitFor();
    const gone = await d.call('GET', '/v1/users?email=dana@example.com');
    assert.deepEqual(gone.body.data, []);
    await context.close();
  });

  it('a viewer sees these pages and is offered none of their controls', async () => {
    const { context, page } = await d.signIn(viewer);
    for (const [section, heading, absent] of [
      ['Orders', 'Orders', 'Record an order'],
      ['Releases', 'Releases', 'Publish a release'],
      ['Blocklist', 'Blocklist', 'Block a device'],
      ['Floating seats', 'Floating seats', 'Force release'],
      ['License users', 'License users', 'Add a license user'],
    ] as const) {
      await go(page, section);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.getByRole('table').first().waitFor();
      assert.equal(await page.getByText(absent).count(), 0, `${section} offers "${absent}" to a viewer`);
      assert.equal(await page.getByRole('button', { name: /^(Release|Unblock|Remove|Withdraw)/ }).count(), 0);
    }
    await context.close();
  });

  it('axe finds no serious or critical accessibility violation on any page', () => {
    assert.deepEqual(Object.keys(d.accessibility).sort(), [
      'blocklist',
      'license-users',
      'order',
      'orders',
      'releases',
      'seats',
    ]);
    const found = Object.entries(d.accessibility).filter(([, violations]) => violations.length > 0);
    assert.deepEqual(found, []);
  });
});
