// The SDK's device keys against a listening server: given a key (PEM from generateDeviceKey, a Node KeyObject, or
// a signer for a key held in a token), CharterClient registers it at activation and signs every call; a device
// whose clock is off learns the server's time from the first refusal and signs again; deviceKeyFile keeps one key.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CharterClient, CharterError, generateDeviceKey } from '../../packages/sdk/src/index.js';
import { deviceKeyFile } from '../../packages/sdk/src/node.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const refusal = async (call: Promise<unknown>): Promise<CharterError> => {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof CharterError, String(error));
    return error;
  }
  assert.fail('the call was not refused');
};

describe('deviceKeyFile', () => {
  it('makes an Ed25519 key on first use, readable by its owner only, and answers the same key after', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'charter-device-key-')), 'device-key.pem');
    const first = deviceKeyFile(path);
    assert.match(first, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(deviceKeyFile(path), first);
    assert.equal(readFileSync(path, 'utf8'), first);
  });
});

for (const dialect of dialects()) {
  describe(`SDK device keys against the server (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let baseUrl: string;
    let productId: string;

    const keyLicense = () =>
      createLicense(t, admin, { product: productId, policy: { maxMachines: 5, requireDeviceKey: true } });

    before(async () => {
      // The server's clock runs a day ahead of this machine's: the SDK must learn it (a device with a wrong clock).
      t = await withApp({
        dialect,
        now: new Date(Date.now() + 86_400_000),
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      productId = (await createProduct(t, admin, { code: 'forge', name: 'Forge' })).id;
      baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => t.close());

    it('a generated key: activate registers it, heartbeat, validate, license file and device licenses are signed; the clock is corrected once', async () => {
      const license = await keyLicense();
      const { privateKey, publicKey } = await generateDeviceKey();
      const requests: { path: string; signed: boolean }[] = [];
      const counting = (async (url: string, init: RequestInit) => {
        const headers = init.headers as Record<string, string>;
        requests.push({ path: new URL(url).pathname, signed: 'charter-device-signature' in headers });
        return fetch(url, init);
      }) as typeof fetch;
      const client = new CharterClient({
        baseUrl,
        licenseKey: license.key,
        deviceKey: privateKey,
        fetch: counting,
      });

      const activation = await client.activate({ fingerprint: 'forge-1' });
      const registered = activation.machine.deviceKey as { sha256: string };
      assert.equal(
        registered.sha256,
        createHash('sha256')
          .update(createPublicKey(publicKey).export({ type: 'spki', format: 'der' }))
          .digest('hex'),
      );
      assert.deepEqual(
        requests.map((request) => request.path),
        ['/v1/client/activate', '/v1/client/activate'],
        'refused once for its timestamp, then signed on the server clock',
      );
      assert.ok(requests.every((request) => request.signed));

      assert.equal((await client.heartbeat({ fingerprint: 'forge-1' })).machine.id, activation.machine.id);
      assert.equal((await client.validate({ fingerprint: 'forge-1' })).code, 'VALID');
      assert.match((await client.licenseFile({ fingerprint: 'forge-1' })).licenseFile, /^-----BEGIN CHARTER/);
      assert.deepEqual(
        (await client.deviceLicenses({ fingerprint: 'forge-1' })).map((entry) => entry.licenseId),
        [license.id],
      );
      assert.equal(requests.length, 6, 'one request per call once the clock is known');

      // The same license and fingerprint without the key: refused.
      const keyless = new CharterClient({ baseUrl, licenseKey: license.key });
      const unsigned = await refusal(keyless.heartbeat({ fingerprint: 'forge-1' }));
      assert.deepEqual(
        [unsigned.code, unsigned.status, unsigned.retryable],
        ['HARDWARE_KEY_REQUIRED', 401, false],
      );
      const missing = await refusal(keyless.activate({ fingerprint: 'forge-2' }));
      assert.deepEqual([missing.code, missing.status], ['HARDWARE_KEY_CERTIFICATE_MISSING', 422]);
      const stranger = new CharterClient({
        baseUrl,
        licenseKey: license.key,
        deviceKey: (await generateDeviceKey()).privateKey,
      });
      assert.equal(
        (await refusal(stranger.heartbeat({ fingerprint: 'forge-1' }))).code,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      await client.deactivate({ fingerprint: 'forge-1' });
    });

    it('a Node KeyObject and a signer holding a certificate work as the PEM does', async () => {
      const license = await keyLicense();
      const viaKeyObject = new CharterClient({
        baseUrl,
        licenseKey: license.key,
        deviceKey: generateKeyPairSync('ed25519').privateKey,
      });
      await viaKeyObject.activate({ fingerprint: 'forge-keyobject' });
      assert.equal((await viaKeyObject.validate({ fingerprint: 'forge-keyobject' })).valid, true);

      // A key held in a token signs on request and shows only its public key (here as SPKI PEM).
      const token = generateKeyPairSync('ed25519');
      const viaSigner = new CharterClient({
        baseUrl,
        licenseKey: license.key,
        deviceKey: {
          publicKey: token.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          sign: async (data) => sign(null, data, token.privateKey),
        },
      });
      const activation = await viaSigner.activate({ fingerprint: 'forge-token' });
      assert.notEqual(activation.machine.deviceKey, null);
      assert.equal(
        (await viaSigner.heartbeat({ fingerprint: 'forge-token' })).machine.id,
        activation.machine.id,
      );
    });
  });
}
