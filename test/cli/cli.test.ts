// The charter command, run as a user runs it: help, migrate, configuration errors, serve and a graceful stop.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startCli } from '../support/cli.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'charter-cli-'));

describe('charter CLI', () => {
  it('charter --help lists the commands and exits 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: charter <command>/);
    assert.match(result.stdout, /serve/);
    assert.match(result.stdout, /migrate/);
  });

  for (const command of ['serve', 'migrate']) {
    it(`charter ${command} --help prints its usage and exits 0`, async () => {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`Usage: charter ${command}`));
    });
  }

  it('an unknown command or option exits 2 with the usage on stderr', async () => {
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const badOption = await runCli(['migrate', '--colour']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /Unknown option '--colour'/);
  });

  it('charter migrate applies the migrations to the SQLite file, printing each as it runs, then finds nothing to apply', async () => {
    const dir = dataDir();
    const first = await runCli(['migrate'], { CHARTER_DATA_DIR: dir });
    assert.equal(first.code, 0, first.stderr);
    // One line per migration, in order, each with its time.
    const steps = [...first.stdout.matchAll(/^applying (\d{4}-[a-z-]+) … done in \d+ ms$/gm)].map(
      (m) => m[1],
    );
    assert.equal(steps[0], '0001-meta');
    assert.ok(steps.length >= 20, `${steps.length} migrations printed`);
    assert.deepEqual(steps, [...steps].sort());
    assert.match(
      first.stdout,
      new RegExp(
        `sqlite:${dir}/charter.db: 0001-meta, 0002-access, 0003-rate-limits, 0004-oauth-signing, 0005-products, 0006-policies-customers, 0007-licenses-machines, 0008-blocklist, 0009-users-trials, 0010-live-machines-index, 0011-offline-machines`,
      ),
    );
    const second = await runCli(['migrate'], { CHARTER_DATA_DIR: dir });
    assert.match(second.stdout, /nothing to apply/);
  });

  it('a bad configuration value stops start-up with exit 78 naming the variable', async () => {
    const result = await runCli(['serve'], { PORT: '99999', CHARTER_DATA_DIR: dataDir() });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /PORT: /);
  });

  it('charter serve answers requests and stops cleanly on SIGTERM', async () => {
    const child = startCli(['serve'], { PORT: '0', CHARTER_DATA_DIR: dataDir() });
    let stdout = '';
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`server exited early: ${stdout}`)));
    });
    const url = await listening;
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; requestId?: string });
    assert.ok(lines.some((line) => line.msg === 'stopped'));
    assert.ok(lines.some((line) => line.msg === 'request' && line.requestId?.startsWith('req_')));
  });

  it('charter operators create and api-keys create|list|revoke work on the configured storage', async () => {
    const dir = dataDir();
    const env = { CHARTER_DATA_DIR: dir };
    const operator = await runCli(
      [
        'operators',
        'create',
        '--email',
        'Owner@Example.com',
        '--password',
        'correct horse battery',
        '--role',
        'owner',
      ],
      env,
    );
    assert.equal(operator.code, 0, operator.stderr);
    assert.match(operator.stdout, /^op_[0-9A-Z]{26}\towner@example.com\towner\n$/);
    const again = await runCli(
      [
        'operators',
        'create',
        '--email',
        'owner@example.com',
        '--password',
        'correct horse battery',
        '--role',
        'owner',
      ],
      env,
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ALREADY_EXISTS/);
    const weak = await runCli(
      ['operators', 'create', '--email', 'x@example.com', '--password', 'short', '--role', 'viewer'],
      env,
    );
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /--password: must be at least 12 characters/);

    const created = await runCli(['api-keys', 'create', '--name', 'deploy', '--scopes', 'admin'], env);
    assert.equal(created.code, 0, created.stderr);
    const [line, secret] = created.stdout.trim().split('\n');
    const id = line?.split('\t')[0] ?? '';
    assert.match(id, /^key_/);
    assert.match(secret ?? '', /^ck_[A-Za-z0-9_-]{43}$/);
    const listed = await runCli(['api-keys', 'list'], env);
    assert.match(listed.stdout, new RegExp(`${id}\t${(secret ?? '').slice(0, 8)}…\tactive\tdeploy\tadmin`));
    assert.ok(!listed.stdout.includes(secret ?? 'none'), 'list never shows a secret');
    const revoked = await runCli(['api-keys', 'revoke', id], env);
    assert.equal(revoked.code, 0);
    assert.match((await runCli(['api-keys', 'list'], env)).stdout, /\trevoked\t/);
    const badScope = await runCli(['api-keys', 'create', '--name', 'x', '--scopes', 'everything'], env);
    assert.equal(badScope.code, 2);
  });

  it('a reader that closes the output early (| head) ends the command quietly, without an EPIPE crash', async () => {
    const child = startCli(['--help']);
    child.stdout?.destroy();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
    assert.equal(code, 0);
  });

  it('charter signing-keys rotate, list and retire manage the Ed25519 keys, as tables or --json', async () => {
    const env = { CHARTER_DATA_DIR: dataDir() };
    const json = async (args: string[]) => {
      const result = await runCli([...args, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as { kid: string; status: string; publicKey: string };
    };
    const first = await json(['signing-keys', 'rotate']);
    const second = await json(['signing-keys', 'rotate']);
    assert.match(first.kid, /^sk_/);
    assert.deepEqual([first.status, second.status], ['active', 'active']);
    const { data } = (await json(['signing-keys', 'list'])) as unknown as {
      data: { kid: string; status: string }[];
    };
    assert.deepEqual(
      data.map((key) => [key.kid, key.status]),
      [
        [second.kid, 'active'],
        [first.kid, 'verify_only'],
      ],
    );
    const table = await runCli(['signing-keys', 'list'], env);
    assert.match(table.stdout, /^kid\s+status\s+algorithm\s+createdAt/);
    assert.doesNotMatch(table.stdout, /private/i);
    assert.equal((await json(['signing-keys', 'retire', first.kid])).status, 'retired');
    const refused = await runCli(['signing-keys', 'retire', second.kid], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /INVALID_TRANSITION/);
    assert.equal((await runCli(['signing-keys', 'retire'], env)).code, 2);
  });

  it('charter products, policies, customers and licenses do the common tasks, as tables or --json', async () => {
    const env = { CHARTER_DATA_DIR: dataDir() };
    const json = async (args: string[]) => {
      const result = await runCli([...args, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown> & { id: string };
    };
    const product = await json(['products', 'create', '--code', 'studio', '--name', 'Studio']);
    const policy = await json([
      'policies',
      'create',
      '--product',
      'studio',
      '--code',
      'yearly',
      '--name',
      'Yearly',
      '--max-machines',
      '2',
      '--duration-days',
      '365',
    ]);
    assert.deepEqual(
      [policy.productId, policy.maxMachines, policy.durationSeconds],
      [product.id, 2, 31_536_000],
    );
    const customer = await json(['customers', 'create', '--email', 'cli@example.com']);
    const license = await json(['licenses', 'create', '--policy', policy.id, '--customer', customer.id]);
    assert.match(String(license.key), /^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
    const suspended = await json(['licenses', 'suspend', license.id]);
    assert.equal(suspended.status, 'suspended');
    const byKey = await json(['licenses', 'show', String(license.key).toLowerCase()]);
    assert.equal(byKey.id, license.id);
    const table = await runCli(['licenses', 'list', '--status', 'suspended'], env);
    assert.match(table.stdout, /^id\s+key\s+status/);
    assert.match(table.stdout, new RegExp(`${license.id}\\s+${license.key}\\s+suspended`));
    const again = await runCli(['licenses', 'suspend', license.id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /INVALID_TRANSITION/);
    const bad = await runCli(['products', 'create', '--code', 'Bad Code', '--name', 'x'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /VALIDATION_ERROR: --code/);
    // CHARTER_REQUIRE_APPROVAL holds for the CLI as for the routes.
    const gated = await runCli(['licenses', 'revoke', license.id], {
      ...env,
      CHARTER_REQUIRE_APPROVAL: 'revoke_license',
    });
    assert.equal(gated.code, 1);
    assert.match(gated.stderr, /FORBIDDEN: revoke_license needs approval/);
    assert.equal((await json(['licenses', 'show', license.id])).status, 'suspended');
  });
});
