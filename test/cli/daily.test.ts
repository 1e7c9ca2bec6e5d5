// The daily tasks from the command line, run as a user runs them, on SQLite and PostgreSQL: products, policies and
// customers named by code or email; customers updated; orders issued and shown; machines listed, shown and
// deactivated; releases published and listed; licenses exported as CSV and JSON Lines, page by page.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { runCli } from '../support/cli.js';
import { freshDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

type Item = Record<string, unknown> & { id: string };

/** RFC 4180: fields split on commas, quoted fields may hold commas, doubled quotes and line breaks. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') {
      assert.equal(field, '', `a quote inside an unquoted field at ${index}`);
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  assert.equal(quoted, false, 'an unterminated quoted field');
  assert.deepEqual([row, field], [[], ''], 'the last line ends with CRLF');
  return rows;
};

for (const dialect of dialects()) {
  describe(`charter daily tasks (${dialect})`, () => {
    let t: TestApp;
    let env: Record<string, string>;
    let admin: string;
    const cli = async (args: string[], extra: Record<string, string> = {}) => {
      const result = await runCli(args, { ...env, ...extra });
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const json = async <T = Item>(args: string[]) => JSON.parse(await cli([...args, '--json'])) as T;
    const fails = async (args: string[], pattern: RegExp, extra: Record<string, string> = {}) => {
      const result = await runCli(args, { ...env, ...extra });
      assert.equal(result.code, 1, `${args.join(' ')} should fail: ${result.stdout}`);
      assert.match(result.stderr, pattern);
      return result;
    };

    before(async () => {
      const storage = await freshDatabase(dialect);
      // The app shares the CLI's storage and secret key: devices activate through it, as they would.
      t = await withApp({ dialect, storage, now: new Date() });
      env = { ...storage.serverEnv, CHARTER_LOG_LEVEL: 'warn' };
      admin = (await createKey(t, ['admin'])).secret;
      await cli(['products', 'create', '--code', 'alpha', '--name', 'Alpha']);
      await cli(['products', 'create', '--code', 'beta', '--name', 'Beta']);
      for (const [product, code] of [
        ['alpha', 'yearly'],
        ['alpha', 'monthly'],
        ['beta', 'yearly'],
      ] as const)
        await cli([
          'policies',
          'create',
          '--product',
          product,
          '--code',
          code,
          '--name',
          code,
          '--duration-days',
          '30',
          '--max-machines',
          '5',
        ]);
    });
    after(() => t.close());

    it('products create --kind bundle makes a bundle; the list shows each kind; a bad kind exits 1', async () => {
      const suite = await json([
        'products',
        'create',
        '--code',
        'suite',
        '--name',
        'Suite',
        '--kind',
        'bundle',
      ]);
      assert.equal(suite.kind, 'bundle');
      assert.equal((await json(['products', 'show', 'alpha'])).kind, 'standard');
      assert.match(await cli(['products', 'list']), /^id\s+code\s+name\s+status\s+kind\s+licenseModel/);
      await fails(
        ['products', 'create', '--code', 'odd', '--name', 'Odd', '--kind', 'set'],
        /VALIDATION_ERROR/,
      );
    });

    it('policies list --product <code> lists that product’s policies; an unknown code exits 1 NOT_FOUND', async () => {
      const alpha = await json(['products', 'show', 'alpha']);
      const listed = await json<Item[]>(['policies', 'list', '--product', 'alpha']);
      assert.deepEqual(listed.map((policy) => [policy.productId, policy.code]).sort(), [
        [alpha.id, 'monthly'],
        [alpha.id, 'yearly'],
      ]);
      assert.deepEqual(await json<Item[]>(['policies', 'list', '--product', alpha.id]), listed);
      const table = await cli(['policies', 'list', '--product', 'beta']);
      assert.match(table, /^id\s+productId\s+code/);
      assert.equal(table.trim().split('\n').length, 2);
      await fails(['policies', 'list', '--product', 'nope'], /NOT_FOUND: No product nope/);
    });

    it('licenses create --policy <code> --customer <email> issues under that policy; a shared code needs --product', async () => {
      const customer = await json(['customers', 'create', '--email', 'Carol@Example.com']);
      const monthly = await json(['policies', 'show', 'monthly']);
      const license = await json([
        'licenses',
        'create',
        '--policy',
        'monthly',
        '--customer',
        'carol@example.com',
      ]);
      assert.deepEqual([license.policyId, license.customerId], [monthly.id, customer.id]);
      await fails(
        ['licenses', 'create', '--policy', 'yearly'],
        /VALIDATION_ERROR: Policy code yearly is used by several/,
      );
      const ofBeta = await json(['licenses', 'create', '--policy', 'yearly', '--product', 'beta']);
      assert.equal(ofBeta.policyId, (await json(['policies', 'show', 'yearly', '--product', 'beta'])).id);
      await fails(['licenses', 'create', '--policy', 'nope'], /UNKNOWN_POLICY/);
      const listed = await json<Item[]>(['licenses', 'list', '--customer', 'carol@example.com']);
      assert.deepEqual(
        listed.map((item) => item.id),
        [license.id],
      );
    });

    it('customers update <id|email> changes the customer through the service: audited as the CLI', async () => {
      const created = await json([
        'customers',
        'create',
        '--email',
        'dave@example.com',
        '--company',
        'Old Co',
      ]);
      const updated = await json([
        'customers',
        'update',
        'dave@example.com',
        '--name',
        'Dave',
        '--email',
        'dave@new.example.com',
        '--company',
        '',
      ]);
      assert.deepEqual(
        [updated.id, updated.name, updated.email, updated.company],
        [created.id, 'Dave', 'dave@new.example.com', null],
      );
      const table = await cli(['customers', 'update', created.id, '--status', 'inactive']);
      assert.match(table, /^status\s+inactive$/m);
      assert.equal((await json(['customers', 'show', 'dave@new.example.com'])).status, 'inactive');
      const log = await managementCalls(
        () => t,
        () => admin,
      )('GET', `/v1/audit-log?targetId=${created.id}&action=customer.update`);
      const entries = (log.json() as { data: { actor: { type: string; name: string } }[] }).data;
      assert.deepEqual(
        entries.map((entry) => [entry.actor.type, entry.actor.name]),
        [
          ['system', 'cli'],
          ['system', 'cli'],
        ],
      );
      await fails(['customers', 'update', 'nobody@example.com', '--name', 'x'], /NOT_FOUND/);
      await fails(['customers', 'update', created.id], /VALIDATION_ERROR/);
    });

    it('orders create issues every item’s licenses to a customer found or created by email; the same order twice is refused', async () => {
      const args = [
        'orders',
        'create',
        '--external-id',
        'shop-1001',
        '--customer',
        'erin@example.com',
        '--customer-name',
        'Erin',
        '--item',
        'alpha:monthly:2',
        '--item',
        'beta:yearly',
      ];
      const table = await cli(args);
      assert.match(table, /^externalId\s+shop-1001$/m);
      assert.match(table, /^items\s+alpha:monthly:2 beta:yearly:1$/m);
      assert.match(table, /^id\s+key\s+productId\s+policyId\s+status/m);
      const orderId = /^id\s+(ord_\S+)$/m.exec(table)?.[1] ?? '';
      const order = await json<Item & { customerId: string; licenses: Item[] }>(['orders', 'show', orderId]);
      assert.equal(order.licenses.length, 3);
      assert.equal((await json(['customers', 'show', 'erin@example.com'])).id, order.customerId);
      for (const license of order.licenses)
        assert.match(String(license.key), /^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
      await fails(args, /ALREADY_EXISTS: An order with externalId shop-1001 exists/);
      const listed = await json<Item[]>(['orders', 'list', '--customer', 'erin@example.com']);
      assert.deepEqual(
        listed.map((row) => [row.id, row.externalId, row.licensesCount]),
        [[orderId, 'shop-1001', 3]],
      );
      assert.match(
        await cli(['orders', 'list']),
        /^ord_\S+\s+shop-1001\s+cus_\S+\s+alpha:monthly:2 beta:yearly:1\s+3\s/m,
      );
      await fails(['orders', 'list', '--customer', 'nobody@example.com'], /NOT_FOUND/);
      await fails(
        [
          'orders',
          'create',
          '--external-id',
          'shop-1003',
          '--customer',
          'erin@example.com',
          '--item',
          'alpha:nope',
        ],
        /UNKNOWN_POLICY/,
      );
    });

    it('machines list, show and deactivate the machines of a license; CHARTER_REQUIRE_APPROVAL holds', async () => {
      const license = await json(['licenses', 'create', '--policy', 'monthly']);
      // The CLI issued it on the real clock: the app's follows.
      t.clock.set(new Date());
      const client = clientCalls(() => t);
      for (const fingerprint of ['fp-one', 'fp-two']) {
        const res = await client('activate', {
          licenseKey: license.key,
          fingerprint,
          hostname: `${fingerprint}.local`,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const machines = await json<Item[]>(['machines', 'list', '--license', String(license.key)]);
      assert.deepEqual(machines.map((machine) => [machine.fingerprint, machine.status]).sort(), [
        ['fp-one', 'active'],
        ['fp-two', 'active'],
      ]);
      const table = await cli(['machines', 'list', '--license', license.id, '--status', 'active']);
      assert.match(
        table,
        /^id\s+licenseId\s+fingerprint\s+name\s+hostname\s+platform\s+status\s+lastSeenAt$/m,
      );
      const [first] = machines;
      assert.ok(first);
      assert.match(
        await cli(['machines', 'show', first.id]),
        new RegExp(`^hostname\\s+${String(first.hostname)}$`, 'm'),
      );
      await fails(['machines', 'deactivate', first.id], /FORBIDDEN: deactivate_machine needs approval/, {
        CHARTER_REQUIRE_APPROVAL: 'deactivate_machine',
      });
      assert.equal((await json(['machines', 'show', first.id])).status, 'active');
      const deactivated = await json(['machines', 'deactivate', first.id]);
      assert.equal(deactivated.status, 'deactivated');
      assert.equal((await json(['licenses', 'show', license.id])).machinesCount, 1);
      assert.deepEqual(
        (await json<Item[]>(['machines', 'list', '--license', license.id, '--status', 'deactivated'])).map(
          (m) => m.id,
        ),
        [first.id],
      );
    });

    it('releases publish and list a product’s versions by its code', async () => {
      const sha = 'ab'.repeat(32);
      const published = await json([
        'releases',
        'publish',
        '--product',
        'alpha',
        '--version',
        '2.1.0',
        '--notes',
        'Faster',
        '--file',
        `linux-x64:${sha}:1024:https://downloads.example.com/alpha-2.1.0.tar.gz`,
        '--file',
        `windows-x64:${sha}:2048:https://downloads.example.com/alpha-2.1.0.msi`,
      ]);
      assert.deepEqual(published.files, [
        {
          platform: 'linux-x64',
          url: 'https://downloads.example.com/alpha-2.1.0.tar.gz',
          sha256: sha,
          size: 1024,
        },
        {
          platform: 'windows-x64',
          url: 'https://downloads.example.com/alpha-2.1.0.msi',
          sha256: sha,
          size: 2048,
        },
      ]);
      await cli(['releases', 'publish', '--product', 'beta', '--version', '1.0.0', '--channel', 'beta']);
      const alphas = await json<Item[]>(['releases', 'list', '--product', 'alpha']);
      assert.deepEqual(
        alphas.map((release) => release.version),
        ['2.1.0'],
      );
      const table = await cli(['releases', 'list', '--channel', 'beta']);
      assert.match(table, /^id\s+productId\s+version\s+channel\s+publishedAt\s+platforms$/m);
      assert.match(table, /\s1\.0\.0\s+beta\s/);
      assert.match(
        await cli(['releases', 'list', '--product', 'alpha']),
        /\s2\.1\.0\s+stable\s+\S+\s+linux-x64,windows-x64$/m,
      );
      await fails(['releases', 'publish', '--product', 'alpha', '--version', '2.1.0'], /ALREADY_EXISTS/);
    });

    it('licenses export writes CSV (header, a row per license, fields quoted and escaped) and JSON Lines, page by page', async () => {
      await cli(['products', 'create', '--code', 'bulk', '--name', 'Bulk']);
      await cli(['policies', 'create', '--product', 'bulk', '--code', 'seat', '--name', 'Seat']);
      await cli([
        'orders',
        'create',
        '--external-id',
        'bulk-1',
        '--customer',
        'bulk@example.com',
        '--item',
        'bulk:seat:300',
      ]);
      const note = 'a, "quoted"\nvalue';
      const odd = await json([
        'licenses',
        'create',
        '--product',
        'bulk',
        '--policy',
        'seat',
        '--metadata',
        JSON.stringify({ note, plan: 'pro' }),
      ]);
      // The list walks pages of 200: all 301, once each.
      const listed = await json<Item[]>(['licenses', 'list', '--product', 'bulk']);
      assert.equal(listed.length, 301);
      assert.equal(new Set(listed.map((license) => license.id)).size, 301);

      const csv = await runCli(
        ['licenses', 'export', '--product', 'bulk', '--page-size', '7', '--progress'],
        env,
      );
      assert.equal(csv.code, 0, csv.stderr);
      assert.match(csv.stderr, /^licenses export: 301 licenses in \d+ (s|min)/m);
      const [header, ...rows] = parseCsv(csv.stdout);
      assert.deepEqual(header, [
        'id',
        'key',
        'status',
        'productId',
        'policyId',
        'customerId',
        'trial',
        'startsAt',
        'expiresAt',
        'maxMachines',
        'machinesCount',
        'transfersCount',
        'features',
        'metadata',
        'createdAt',
        'updatedAt',
      ]);
      assert.equal(rows.length, 301);
      assert.ok(rows.every((row) => row.length === header?.length));
      assert.deepEqual(
        rows.map((row) => [row[0], row[1], row[2], row[4]]),
        listed.map((license) => [license.id, license.key, license.status, license.policyId]),
      );
      const oddRow = rows.find((row) => row[0] === odd.id);
      assert.deepEqual(JSON.parse(oddRow?.[13] ?? ''), { note, plan: 'pro' });
      assert.ok(csv.stdout.includes('"{""note"":""a, \\""quoted\\""\\nvalue"",""plan"":""pro""}"'));

      const jsonl = await cli([
        'licenses',
        'export',
        '--product',
        'bulk',
        '--format',
        'jsonl',
        '--page-size',
        '50',
      ]);
      const lines = jsonl.split('\n');
      assert.equal(lines.pop(), '', 'every line ends with a newline');
      assert.deepEqual(
        lines.map((line) => JSON.parse(line) as Item),
        listed,
      );
      const file = path.join(env.CHARTER_DATA_DIR ?? '', 'licenses.jsonl');
      assert.equal(
        await cli(['licenses', 'export', '--product', 'bulk', '--format', 'jsonl', '--output', file]),
        '',
      );
      assert.equal(readFileSync(file, 'utf8'), jsonl);

      const empty = await cli(['licenses', 'export', '--product', 'bulk', '--status', 'revoked']);
      assert.equal(empty, `${header?.join(',')}\r\n`);
      const unknown = await fails(['licenses', 'export', '--product', 'nope'], /NOT_FOUND: No product nope/);
      assert.equal(unknown.stdout, '', 'nothing written before the filter is known');
    });
  });
}

describe('charter daily tasks: help and malformed options', () => {
  const env = {
    CHARTER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'charter-daily-')),
    CHARTER_LOG_LEVEL: 'warn',
  };
  const refused = async (args: string[], pattern: RegExp) => {
    const result = await runCli(args, env);
    assert.equal(result.code, 1, `${args.join(' ')} should fail: ${result.stdout}`);
    assert.match(result.stderr, pattern);
  };

  it('each new command and action is in the help', async () => {
    const help = await runCli(['--help']);
    for (const command of ['machines', 'orders', 'releases', 'webhooks'])
      assert.match(help.stdout, new RegExp(`^  ${command}\\s+\\S`, 'm'));
    const licenses = await runCli(['licenses', '--help']);
    assert.match(licenses.stdout, /charter licenses export \[--format csv\|jsonl\]/);
    assert.match((await runCli(['customers', '--help'])).stdout, /charter customers update <id\|email>/);
    for (const command of ['machines', 'orders', 'releases', 'webhooks']) {
      const usage = await runCli([command, '--help']);
      assert.equal(usage.code, 0);
      assert.match(usage.stdout, new RegExp(`^Usage: charter ${command} `));
    }
  });

  it('malformed items, files, versions and formats exit 1 naming the option', async () => {
    await refused(
      ['orders', 'create', '--external-id', 'o-1', '--customer', 'a@example.com', '--item', 'alpha'],
      /VALIDATION_ERROR: --item alpha: write <product>:<policy>\[:<quantity>\]/,
    );
    await refused(
      ['releases', 'publish', '--product', 'alpha', '--file', 'linux'],
      /VALIDATION_ERROR: --file linux/,
    );
    await refused(
      ['releases', 'publish', '--product', 'alpha', '--version', 'two'],
      /VALIDATION_ERROR: --version/,
    );
    await refused(
      ['licenses', 'export', '--format', 'xml'],
      /VALIDATION_ERROR: --format must be one of csv, jsonl/,
    );
    await refused(['licenses', 'export', '--page-size', '0'], /VALIDATION_ERROR: --page-size/);
  });
});
