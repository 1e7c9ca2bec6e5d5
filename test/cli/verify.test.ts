// charter verify through the real CLI: a file made by the server is GENUINE with keys from a file, from a
// server and from the configured storage; altered, foreign or unknown-key files are not, with exit code 1.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { activateMachine, createLicense, createProduct } from '../support/factories.js';

describe('charter verify', () => {
  let t: TestApp;
  let dir: string;
  let licenseFile: string;
  let keysFile: string;
  let url: string;

  before(async () => {
    // The CLI checks expiry against the real clock: the server's clock starts at the real now.
    t = await withApp({
      dialect: 'sqlite',
      now: new Date(),
      config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
    });
    const admin = (await createKey(t, ['admin'])).secret;
    const product = await createProduct(t, admin, { code: 'cad', name: 'CAD' });
    const license = await createLicense(t, admin, { product: product.id });
    const activation = await activateMachine(t, license.key, 'ws-1');
    dir = mkdtempSync(path.join(tmpdir(), 'charter-verify-'));
    licenseFile = path.join(dir, 'license.txt');
    writeFileSync(licenseFile, activation.licenseFile);
    keysFile = path.join(dir, 'keys.json');
    writeFileSync(keysFile, (await t.app.inject({ method: 'GET', url: '/v1/public-keys' })).body);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a genuine file bound to this machine exits 0 and shows what it grants', async () => {
    const result = await runCli(['verify', licenseFile, '--public-key', keysFile, '--fingerprint', 'ws-1']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^GENUINE \(signed by sk_/);
    assert.match(result.stdout, /product\s+cad\n/);
    assert.match(result.stdout, /machine\s+mach_\S+ \(ws-1\)/);
  });

  it('takes the keys from a server, or from the configured storage', async () => {
    assert.equal((await runCli(['verify', licenseFile, '--server', url])).code, 0);
    const local = await runCli(['verify', licenseFile, '--json'], { CHARTER_DATA_DIR: t.config.dataDir });
    assert.equal(local.code, 0, local.stderr);
    assert.equal((JSON.parse(local.stdout) as { ok: boolean }).ok, true);
  });

  it('an altered file, another machine or an unknown key exit 1 and say why', async () => {
    const altered = path.join(dir, 'altered.txt');
    const text = readFileSync(licenseFile, 'utf8');
    const lines = text.split('\n');
    const envelope = JSON.parse(Buffer.from(lines.slice(1, -1).join(''), 'base64').toString()) as Record<
      string,
      string
    >;
    const payload = JSON.parse(Buffer.from(envelope.payload ?? '', 'base64url').toString());
    payload.license.features = ['everything'];
    const forged = Buffer.from(
      JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') }),
    ).toString('base64');
    writeFileSync(altered, [lines[0], ...(forged.match(/.{1,64}/g) ?? []), lines.at(-1)].join('\n'));
    const forgedResult = await runCli(['verify', altered, '--public-key', keysFile]);
    assert.deepEqual([forgedResult.code, forgedResult.stdout.trim()], [1, 'NOT GENUINE: BAD_SIGNATURE']);
    const elsewhere = await runCli([
      'verify',
      licenseFile,
      '--public-key',
      keysFile,
      '--fingerprint',
      'ws-2',
    ]);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stdout, /^GENUINE but FINGERPRINT_MISMATCH/);
    const otherKeys = path.join(dir, 'other.json');
    writeFileSync(otherKeys, JSON.stringify({ data: [] }));
    assert.match(
      (await runCli(['verify', licenseFile, '--public-key', otherKeys])).stdout,
      /NOT GENUINE: UNKNOWN_KEY/,
    );
    assert.equal((await runCli(['verify'])).code, 2);
  });
});
