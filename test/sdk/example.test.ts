// examples/offline-check runs as a user would: once against a listening server, then with the network cut (a
// closed port), starting from the license file it stored. The example is a user's program: it checks the file
// against the real clock, so the server it talks to starts its (otherwise fixed) clock at the real now. A file
// issued on the suite's fixed date and checked on today's would expire a week after that date.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { repoRoot } from '../support/cli.js';
import { createLicense, createProduct } from '../support/factories.js';

const run = promisify(execFile);
const example = path.join(repoRoot, 'examples/offline-check/main.mjs');

/** A port nothing listens on: bound, then released. */
const closedPort = async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

describe('examples/offline-check', () => {
  let t: TestApp;
  let url: string;
  let licenseKey: string;
  let state: string;

  before(async () => {
    t = await withApp({
      dialect: 'sqlite',
      now: new Date(),
      config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
    });
    const admin = (await createKey(t, ['admin'])).secret;
    const product = await createProduct(t, admin, { code: 'viewer', name: 'Viewer' });
    licenseKey = (await createLicense(t, admin, { product: product.id })).key;
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    state = mkdtempSync(path.join(tmpdir(), 'charter-example-'));
  });
  after(async () => {
    await t.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('activates online, then starts offline from the stored file', async () => {
    const online = await run(process.execPath, [example, url, licenseKey, state]);
    assert.match(online.stdout, /online: activated/);
    const offline = await run(process.execPath, [
      example,
      `http://127.0.0.1:${await closedPort()}`,
      licenseKey,
      state,
    ]);
    assert.match(offline.stdout, /offline: the server does not answer/);
    assert.match(offline.stdout, /licensed: viewer/);
  });

  it('a wrong key is refused online with its code', async () => {
    await assert.rejects(
      run(process.execPath, [example, url, 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', state]),
      (error: { stderr: string }) => {
        assert.match(error.stderr, /refused: LICENSE_NOT_FOUND/);
        return true;
      },
    );
  });
});
