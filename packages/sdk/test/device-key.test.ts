// The SDK's device key on its own (a stand-in fetch, no server): a generated key is PEM that node:crypto reads,
// every call carries a signature over `${timestamp}\n${path}\n${body}` that verifies with the public key, activate
// adds that key to its body, and a timestamp refusal is signed again once on the server's clock.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { CharterClient, CharterError, generateDeviceKey } from '../src/index.js';

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

const recording = (answers: (() => Response)[]) => {
  const sent: Sent[] = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    sent.push({
      path: new URL(url).pathname,
      headers: init.headers as Record<string, string>,
      body: String(init.body),
    });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    return answer();
  }) as typeof fetch;
  return { sent, fetcher };
};

const verifies = (publicKey: string, request: Sent) =>
  verify(
    null,
    Buffer.from(`${request.headers['charter-device-timestamp']}\n${request.path}\n${request.body}`),
    createPublicKey(publicKey),
    Buffer.from(request.headers['charter-device-signature'] ?? '', 'base64'),
  );

describe('@charter/sdk device keys', () => {
  it('generateDeviceKey makes an Ed25519 pair in PEM that node:crypto reads', async () => {
    const { privateKey, publicKey } = await generateDeviceKey();
    assert.equal(createPrivateKey(privateKey).asymmetricKeyType, 'ed25519');
    assert.equal(
      createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      createPublicKey(publicKey).export({ type: 'spki', format: 'pem' }).toString(),
    );
  });

  it('activate registers the public key and every call is signed over the timestamp, the path and the body', async () => {
    const { privateKey, publicKey } = await generateDeviceKey();
    const { sent, fetcher } = recording([
      () => json(201, { machine: { id: 'm', fingerprint: 'fp' }, license: { id: 'l' }, licenseFile: 'f' }),
      () => json(200, { machine: {}, leases: [] }),
      () => json(200, { data: [] }),
    ]);
    const client = new CharterClient({
      baseUrl: 'https://l.example/',
      licenseKey: 'K',
      deviceKey: privateKey,
      fetch: fetcher,
    });
    await client.activate({ fingerprint: 'fp' });
    await client.heartbeat({ fingerprint: 'fp' });
    await client.deviceLicenses({ fingerprint: 'fp' });
    assert.deepEqual(
      sent.map((request) => request.path),
      ['/v1/client/activate', '/v1/client/heartbeat', '/v1/client/device-licenses'],
    );
    assert.equal(JSON.parse(sent[0]?.body ?? '{}').deviceKey, publicKey);
    assert.equal(JSON.parse(sent[1]?.body ?? '{}').deviceKey, undefined, 'only activation registers the key');
    assert.deepEqual(
      JSON.parse(sent[2]?.body ?? '{}'),
      { fingerprint: 'fp' },
      'no license key to list a device',
    );
    for (const request of sent) {
      assert.match(request.headers['charter-device-timestamp'] ?? '', /^\d+$/);
      assert.ok(verifies(publicKey, request), request.path);
    }
  });

  it("a refused timestamp is signed again once on the server's clock; a second refusal is thrown", async () => {
    const { privateKey, publicKey } = await generateDeviceKey();
    const serverTime = Math.floor(Date.now() / 1000) + 7 * 86_400;
    const skew = () =>
      json(401, {
        code: 'HARDWARE_KEY_SIGNATURE_MISMATCH',
        message: 'Charter-Device-Timestamp is more than 300 s from the server clock',
        details: { serverTime },
      });
    const { sent, fetcher } = recording([skew, () => json(200, { machine: {}, leases: [] }), skew, skew]);
    const client = new CharterClient({
      baseUrl: 'https://l.example',
      licenseKey: 'K',
      deviceKey: privateKey,
      fetch: fetcher,
    });
    await client.heartbeat({ fingerprint: 'fp' });
    const corrected = Number(sent[1]?.headers['charter-device-timestamp']);
    assert.ok(Math.abs(corrected - serverTime) <= 2, `${corrected} is on the server clock`);
    assert.ok(verifies(publicKey, sent[1] as Sent));
    await assert.rejects(
      client.heartbeat({ fingerprint: 'fp' }),
      (error: unknown) => error instanceof CharterError && error.code === 'HARDWARE_KEY_SIGNATURE_MISMATCH',
    );
    assert.equal(sent.length, 4);
  });

  it('a deviceKey that is not an Ed25519 private key is refused before any request', async () => {
    const { sent, fetcher } = recording([]);
    const client = new CharterClient({
      baseUrl: 'https://l.example',
      licenseKey: 'K',
      deviceKey: 'nonsense',
      fetch: fetcher,
    });
    await assert.rejects(client.heartbeat({ fingerprint: 'fp' }), TypeError);
    assert.equal(sent.length, 0);
  });
});
