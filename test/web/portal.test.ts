// The customer portal in a real Chromium against a real server (`charter serve` on SQLite: the portal API's rules
// are proven on both engines by test/licensing/portal.test.ts; here the subject is what a customer sees and does).
// The vendor's set-up goes through the Management API of the server the browser talks to. A license manager signs
// in and assigns two of two seats, the third is refused in place with LICENSE_USERS_LIMIT_EXCEEDED, and takes one
// back; a seat holder sets a password through the invitation link, signs in, sees their license and deactivates
// their device; another customer's manager opening the first customer's page sees CUSTOMER_NOT_FOUND; a manager
// uploads an air-gapped machine's request file and downloads a license file that verifies. axe finds no serious or
// critical violation on any page; every page is screenshotted under test-results/dashboard/portal-*.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createOfflineActivationRequest, verifyLicenseFile } from '../../packages/sdk/src/index.js';
import { browserMissing } from '../support/browser.js';
import { type Dashboard, openDashboard } from '../support/dashboard.js';

const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

const password = 'portal password 1234';
const acmeBoss = { email: 'boss@acme.example', password };
const globexBoss = { email: 'boss@globex.example', password };

describe('the customer portal in Chromium', { skip }, () => {
  let d: Dashboard;
  let acme: { id: string };
  let seatLicense: { id: string; keyPrefix: string };
  let labLicense: { id: string; key: string };
  let globexLicense: { id: string; key: string };
  let teamProduct: { code: string };

  /** A Management call as the bootstrap owner that must answer `status`; its body. */
  const made = async <T>(method: string, route: string, body: unknown, status = 201): Promise<T> => {
    const res = await d.call(method, route, body);
    assert.equal(res.status, status, `set-up ${method} ${route}: ${JSON.stringify(res.body)}`);
    return res.body as T;
  };

  /** A customer with a manager who has a password. */
  const customerWithManager = async (name: string, manager: { email: string; password: string }) => {
    const customer = await made<{ id: string }>('POST', '/v1/customers', {
      email: `admin@${name.toLowerCase()}.example`,
      name,
    });
    const user = await made<{ id: string }>('POST', '/v1/users', { ...manager, name: `${name} manager` });
    await made('POST', `/v1/customers/${customer.id}/users`, { userId: user.id });
    await made('POST', `/v1/customers/${customer.id}/managers`, { userId: user.id });
    return customer;
  };

  /** A license of a new policy of `productId`. */
  const license = async (
    productId: string,
    code: string,
    rules: Record<string, unknown>,
    customerId: string,
  ) => {
    const policy = await made<{ id: string }>('POST', '/v1/policies', {
      productId,
      code,
      name: code,
      ...rules,
    });
    return made<{ id: string; key: string; keyPrefix: string }>('POST', '/v1/licenses', {
      policyId: policy.id,
      customerId,
    });
  };

  before(async () => {
    d = await openDashboard('portal', {}, []);
    acme = await customerWithManager('Acme', acmeBoss);
    const globex = await customerWithManager('Globex', globexBoss);
    teamProduct = await made<{ id: string; code: string }>('POST', '/v1/products', {
      code: 'team-app',
      name: 'Team app',
      licenseModel: 'user',
    });
    const team = teamProduct as { id: string; code: string };
    seatLicense = await license(team.id, 'team', { maxUsers: 2, maxMachines: 10 }, acme.id);
    const plant = await made<{ id: string }>('POST', '/v1/products', {
      code: 'plant',
      name: 'Plant control',
    });
    labLicense = await license(plant.id, 'lab', { allowOffline: true, maxMachines: 2 }, acme.id);
    globexLicense = await license(plant.id, 'globex-lab', { allowOffline: true, maxMachines: 2 }, globex.id);
  });
  after(() => d?.close());

  const look: Dashboard['look'] = (page, name) => d.look(page, `portal-${name}`);

  /** A fresh browser context (dialogs accepted) on the portal's sign-in page, or on `hash` of the portal. */
  const open = async (hash = '') => {
    const context = await d.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${d.server.url}/portal/${hash}`);
    return { context, page };
  };
  const signIn = async (page: Page, who: { email: string; password: string }) => {
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const section = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();

  it('a manager assigns two of two seats, the third is refused in place with LICENSE_USERS_LIMIT_EXCEEDED, and a seat is taken back', async () => {
    const { context, page } = await open();
    await page.getByRole('heading', { name: 'Sign in to the customer portal' }).waitFor();
    await look(page, 'sign-in');
    await signIn(page, { ...acmeBoss, password: 'not the password 1' });
    await page.getByRole('alert').getByText('INVALID_CREDENTIALS').waitFor();
    await signIn(page, acmeBoss);
    await page.getByRole('heading', { name: 'My licenses' }).waitFor();
    await page.getByText('You hold no license seat yet').waitFor();

    await section(page, 'Licenses and seats');
    await page.getByRole('heading', { name: 'Licenses and seats — Acme' }).waitFor();
    const licenses = page.getByRole('table', { name: 'Licenses' });
    const seatRow = licenses.getByRole('row').filter({ hasText: seatLicense.keyPrefix });
    await seatRow.getByRole('cell', { name: '0 of 2', exact: true }).waitFor();
    await seatRow.getByRole('cell', { name: '0 of 10', exact: true }).waitFor();
    await look(page, 'customer-licenses');
    await licenses.getByRole('link', { name: `Assign seats of ${seatLicense.keyPrefix}` }).click();
    await page.getByRole('heading', { name: `Seats of license ${seatLicense.id} — Acme` }).waitFor();
    await page.getByText('No one holds a seat of this license.').waitFor();

    const holders = page.getByRole('table', { name: 'Seat holders' });
    const assign = async (email: string, name?: string) => {
      await page.getByLabel('Email').fill(email);
      if (name) await page.getByLabel('Name (optional)').fill(name);
      await page.getByRole('button', { name: 'Assign seat' }).click();
    };
    await assign('ann@acme.example', 'Ann');
    await holders.getByRole('cell', { name: 'ann@acme.example', exact: true }).waitFor();
    await assign('bob@acme.example');
    await holders.getByRole('cell', { name: 'bob@acme.example', exact: true }).waitFor();
    await page.getByText('2 of 2 seats assigned').waitFor();

    await assign('cy@acme.example');
    const refusal = page.getByRole('alert');
    await refusal.getByText('LICENSE_USERS_LIMIT_EXCEEDED').waitFor();
    assert.match((await refusal.textContent()) ?? '', /LICENSE_USERS_LIMIT_EXCEEDED .+Request id req_/);
    assert.equal(await holders.getByRole('cell', { name: 'cy@acme.example', exact: true }).count(), 0);
    await look(page, 'seats');

    await holders.getByRole('button', { name: 'Unassign bob@acme.example' }).click();
    await page.getByText('1 of 2 seats assigned').waitFor();
    await holders.getByRole('cell', { name: 'bob@acme.example', exact: true }).waitFor({ state: 'detached' });
    const seats = await made<{ data: { email: string }[] }>(
      'GET',
      `/v1/licenses/${seatLicense.id}/users`,
      undefined,
      200,
    );
    assert.deepEqual(
      seats.data.map((user) => user.email),
      ['ann@acme.example'],
    );

    await section(page, 'Usage');
    await page.getByRole('heading', { name: 'Usage — Acme' }).waitFor();
    await page
      .getByRole('table', { name: 'Usage' })
      .getByRole('row')
      .filter({ hasText: seatLicense.id })
      .getByRole('cell', { name: '1 of 2', exact: true })
      .waitFor();
    await look(page, 'usage');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('status').getByText('You signed out.').waitFor();
    await context.close();
  });

  it('a seat holder sets a password through the invitation link, signs in, sees their license and deactivates their device', async () => {
    const ann = await made<{ data: { id: string }[] }>(
      'GET',
      '/v1/users?email=ann@acme.example',
      undefined,
      200,
    );
    const invitation = await made<{ url: string }>('POST', `/v1/users/${ann.data[0]?.id}/invitations`, {});
    assert.match(invitation.url, /^\/portal\/#\/invitation\/inv_/);

    const { context, page } = await open(invitation.url.replace('/portal/', ''));
    await page.getByRole('heading', { name: 'Set your password' }).waitFor();
    await look(page, 'invitation');
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Repeat the password').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').getByText('Your password is set.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page
      .getByRole('status')
      .getByText('Your password is set. Sign in with your email and it.')
      .waitFor();

    // The link works once.
    const again = await context.newPage();
    await again.goto(`${d.server.url}${invitation.url}`);
    await again.getByLabel('New password').fill(password);
    await again.getByLabel('Repeat the password').fill(password);
    await again.getByRole('button', { name: 'Set password' }).click();
    await again.getByRole('alert').getByText('AUTH_INVALID').waitFor();
    await again.close();

    // Ann activates her laptop through the Client API with her new password.
    const activated = await fetch(`${d.server.url}/v1/client/activate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'ann@acme.example',
        password,
        productCode: teamProduct.code,
        fingerprint: 'ann-laptop-fp',
        name: 'Ann laptop',
      }),
    });
    assert.equal(activated.status, 201, await activated.clone().text());
    const { machine } = (await activated.json()) as { machine: { id: string } };

    await signIn(page, { email: 'ann@acme.example', password });
    await page.getByRole('heading', { name: 'My licenses' }).waitFor();
    const mine = page.getByRole('table', { name: 'My licenses' });
    await mine.getByRole('cell', { name: 'team-app', exact: true }).waitFor();
    await mine.getByRole('cell', { name: seatLicense.id, exact: true }).waitFor();
    await mine.getByRole('cell', { name: 'active', exact: true }).waitFor();
    await look(page, 'my-licenses');
    assert.equal(
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Usage' }).count(),
      0,
      'a seat holder who manages no customer is offered no manager page',
    );

    await section(page, 'My devices');
    await page.getByRole('heading', { name: 'My devices' }).waitFor();
    const devices = page.getByRole('table', { name: 'My devices' });
    await devices.getByRole('cell', { name: 'ann-laptop-fp', exact: true }).waitFor();
    await look(page, 'my-devices');
    await devices.getByRole('button', { name: 'Deactivate Ann laptop' }).click();
    await page.getByText('No device of yours is activated.').waitFor();
    const row = await made<{ status: string }>('GET', `/v1/machines/${machine.id}`, undefined, 200);
    assert.equal(row.status, 'deactivated');
    await context.close();
  });

  it("another customer's manager opening the customer's pages sees CUSTOMER_NOT_FOUND", async () => {
    const { context, page } = await open(`#/customers/${acme.id}`);
    await signIn(page, globexBoss);
    const alert = page.getByRole('alert');
    await alert.getByText('CUSTOMER_NOT_FOUND').waitFor();
    assert.match((await alert.textContent()) ?? '', new RegExp(`No customer ${acme.id} that you manage`));
    assert.equal(await page.getByRole('table', { name: 'Licenses' }).count(), 0);
    await look(page, 'customer-not-found');
    for (const hash of [
      `#/customers/${acme.id}/machines`,
      `#/customers/${acme.id}/licenses/${seatLicense.id}`,
    ]) {
      await page.goto(`${d.server.url}/portal/${hash}`);
      await page.getByRole('alert').getByText('CUSTOMER_NOT_FOUND').waitFor();
    }
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByText('Globex', { exact: true }).waitFor();
    assert.equal(await nav.getByText('Acme', { exact: true }).count(), 0);
    await context.close();
  });

  it("a manager uploads an air-gapped machine's request file and downloads the license file for it; another customer's key is refused", async () => {
    const { context, page } = await open('#/');
    await signIn(page, acmeBoss);
    await page.getByRole('heading', { name: 'My licenses' }).waitFor();
    await section(page, 'Offline activation');
    await page.getByRole('heading', { name: 'Offline activation — Acme' }).waitFor();
    await look(page, 'offline');

    const upload = async (licenseKey: string, fingerprint: string) => {
      await page.getByLabel('Activation request file').setInputFiles({
        name: 'activation-request.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(
          createOfflineActivationRequest({ licenseKey, fingerprint, hostname: 'lab-7.local' }),
        ),
      });
      await page.getByRole('button', { name: 'Activate' }).click();
    };
    await upload(globexLicense.key, 'globex-box');
    await page.getByRole('alert').getByText('CUSTOMER_NOT_FOUND').waitFor();

    await upload(labLicense.key, 'lab-7-fp');
    const done = page.getByRole('status');
    await done.getByText('lab-7-fp').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the license file' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^charter-license-mach_[0-9A-Z]{26}\.lic$/);
    const file = await readFile((await download.path()) ?? '', 'utf8');
    const keys = (await (await fetch(`${d.server.url}/v1/public-keys`)).json()) as {
      data: { kid: string; publicKey: string; status: 'active' | 'verify_only' | 'retired' }[];
    };
    const verified = await verifyLicenseFile(file, keys, { fingerprint: 'lab-7-fp' });
    assert.ok(verified.valid, JSON.stringify(verified));
    assert.equal(verified.payload.license.id, labLicense.id);
    await look(page, 'offline-done');

    await section(page, 'Machines');
    await page.getByRole('heading', { name: 'Machines — Acme' }).waitFor();
    const machines = page.getByRole('table', { name: 'Machines' });
    await machines.getByRole('cell', { name: 'lab-7-fp', exact: true }).waitFor();
    await look(page, 'machines');
    await machines.getByRole('button', { name: 'Deactivate lab-7.local' }).click();
    await page.getByText('No machine of this customer is activated.').waitFor();
    await context.close();
  });

  it('axe finds no serious or critical violation on any portal page', () => {
    assert.deepEqual(
      Object.entries(d.accessibility).filter(([, violations]) => violations.length > 0),
      [],
    );
    assert.ok(Object.keys(d.accessibility).length >= 11, Object.keys(d.accessibility).join(', '));
  });
});
