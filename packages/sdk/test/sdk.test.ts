// The SDK on its own: canonical JSON, license-file verification against keys made here, the offline files,
// and the client's errors and retries against a stand-in fetch (no server).
import assert from 'node:assert/strict';
import { createHmac, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CharterClient,
  CharterError,
  canonicalJson,
  createDeactivationProof,
  createOfflineActivationRequest,
  verifyLicenseFile,
  verifyValidation,
} from '../src/index.js';
import { machineFingerprint } from '../src/node.js';
import { fileFor, keys, payload, privateKey } from './license-files.js';

const now = new Date('2026-11-23T00:00:00.000Z');

describe('@charter/sdk', () => {
  it('canonicalJson sorts keys at every depth and writes no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [{ z: 1, y: null }], c: 'é' }, u: undefined }),
      '{"a":{"c":"é","d":[{"y":null,"z":1}]},"b":1}',
    );
    assert.equal(canonicalJson({ '10': 1, '2': 2, a: 3 }), '{"10":1,"2":2,"a":3}');
  });

  it('verifyLicenseFile accepts a genuine file and answers its payload', async () => {
    const result = await verifyLicenseFile(fileFor(payload), keys, { fingerprint: 'fp-1', now });
    assert.deepEqual(result, {
      valid: true,
      kid: 'sk_TEST',
      payload,
      inGrace: false,
      graceEndsAt: null,
      graceRemainingSeconds: null,
      lastSeenAt: now.toISOString(),
    });
  });

  it('verifyLicenseFile refuses a garbled, expired, foreign, unknown-key, retired-key or garbled file', async () => {
    const reasons = await Promise.all([
      verifyLicenseFile(fileFor(payload).replace('-----END', 'x-----END'), keys, { now }),
      verifyLicenseFile(fileFor(payload), keys, { now: new Date('2026-12-01T00:00:00.000Z') }),
      verifyLicenseFile(fileFor(payload), keys, { fingerprint: 'fp-2', now }),
      verifyLicenseFile(fileFor(payload, 'sk_OTHER'), keys, { now }),
      verifyLicenseFile(
        fileFor(payload),
        { data: keys.data.map((key) => ({ ...key, status: 'retired' })) },
        { now },
      ),
      verifyLicenseFile('not a license file', keys, { now }),
    ]);
    assert.deepEqual(
      reasons.map((result) => (result.valid ? 'VALID' : result.reason)),
      ['MALFORMED', 'EXPIRED', 'FINGERPRINT_MISMATCH', 'UNKNOWN_KEY', 'UNKNOWN_KEY', 'MALFORMED'],
    );
  });

  it('verifyValidation checks the signature over the canonical JSON, and the nonce', async () => {
    const unsigned = { valid: true, code: 'VALID', nonce: 'n-12345678', license: { b: 1, a: 2 } };
    const signature = sign(null, Buffer.from(canonicalJson(unsigned)), privateKey).toString('base64');
    const result = { ...unsigned, signature, kid: 'sk_TEST' };
    assert.equal(await verifyValidation(result, keys, { nonce: 'n-12345678' }), true);
    assert.equal(await verifyValidation({ ...result, valid: false }, keys), false);
    assert.equal(await verifyValidation(result, keys, { nonce: 'another-nonce' }), false);
    assert.equal(await verifyValidation({ ...unsigned }, keys), false);
  });

  it('the offline request and the deactivation proof are base64 JSON of api.md, the proof an HMAC-SHA256', async () => {
    const request = JSON.parse(
      Buffer.from(
        createOfflineActivationRequest({ licenseKey: 'K', fingerprint: 'fp', hostname: 'h', now }),
        'base64',
      ).toString(),
    );
    assert.deepEqual(
      { ...request, nonce: typeof request.nonce },
      {
        v: 1,
        licenseKey: 'K',
        fingerprint: 'fp',
        name: null,
        hostname: 'h',
        nonce: 'string',
        createdAt: now.toISOString(),
      },
    );
    const proof = JSON.parse(
      Buffer.from(
        await createDeactivationProof({
          machineId: 'mach_1',
          fingerprint: 'fp',
          deactivationSecret: 's3cret',
        }),
        'base64',
      ).toString(),
    );
    assert.equal(proof.v, 1);
    assert.equal(proof.hmac, createHmac('sha256', 's3cret').update(`mach_1fp${proof.nonce}`).digest('hex'));
  });

  it('machineFingerprint is a stable SHA-256 hex', () => {
    assert.match(machineFingerprint(), /^[0-9a-f]{64}$/);
    assert.equal(machineFingerprint(), machineFingerprint());
    assert.notEqual(machineFingerprint('app-a'), machineFingerprint('app-b'));
  });

  describe('CharterClient', () => {
    const envelope = (status: number, code: string, retryable: boolean) =>
      new Response(
        JSON.stringify({ code, message: `${code} happened`, status, retryable, requestId: 'req_1' }),
        {
          status,
          headers: { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '2' } : {}) },
        },
      );
    const scripted = (answers: (() => Response | Promise<Response>)[]) => {
      const calls: { url: string; body: unknown }[] = [];
      const fetcher = (async (url: string, init: RequestInit) => {
        calls.push({ url, body: JSON.parse(String(init.body)) });
        const next = answers.shift();
        if (!next) throw new Error('no more answers');
        return next();
      }) as typeof fetch;
      return { calls, fetcher };
    };

    it('retries retryable failures with full jitter, waiting at least Retry-After, then answers', async () => {
      const waits: number[] = [];
      const { calls, fetcher } = scripted([
        () => envelope(503, 'SERVICE_UNAVAILABLE', true),
        () => Promise.reject(new TypeError('fetch failed')),
        () => new Response(JSON.stringify({ valid: true, code: 'VALID' }), { status: 200 }),
      ]);
      const client = new CharterClient({
        baseUrl: 'https://charter.test/',
        licenseKey: 'KEY',
        fetch: fetcher,
        sleep: async (ms) => void waits.push(ms),
        random: () => 0.5,
        retry: { baseDelayMs: 100 },
      });
      const result = await client.validate({ fingerprint: 'fp' });
      assert.equal(result.code, 'VALID');
      assert.equal(calls.length, 3);
      assert.deepEqual(calls[0], {
        url: 'https://charter.test/v1/client/validate',
        body: { licenseKey: 'KEY', fingerprint: 'fp' },
      });
      // Retry-After: 2 s beats the jittered 50 ms; the network error waits its jitter (0.5 × 200 ms).
      assert.deepEqual(waits, [2000, 100]);
    });

    it('consume is retried after 503 (nothing was done) but not after a lost answer (it may have counted)', async () => {
      const { calls, fetcher } = scripted([
        () => envelope(503, 'SERVICE_UNAVAILABLE', true),
        () => Promise.reject(new TypeError('socket hang up')),
      ]);
      const client = new CharterClient({
        baseUrl: 'https://charter.test',
        licenseKey: 'KEY',
        fetch: fetcher,
        sleep: async () => {},
      });
      await assert.rejects(client.consume({ amount: 1 }), { code: 'NETWORK_ERROR' });
      assert.equal(calls.length, 2);
      assert.deepEqual(calls[1], {
        url: 'https://charter.test/v1/client/consume',
        body: { licenseKey: 'KEY', amount: 1 },
      });
    });

    it('throws a CharterError at once for a non-retryable code, and after maxAttempts for retryable ones', async () => {
      const refused = new CharterClient({
        baseUrl: 'https://charter.test',
        licenseKey: 'KEY',
        sleep: async () => {},
        fetch: scripted([() => envelope(422, 'MACHINE_LIMIT_EXCEEDED', false)]).fetcher,
      });
      await assert.rejects(refused.activate({ fingerprint: 'fp' }), (error: unknown) => {
        assert.ok(error instanceof CharterError);
        assert.deepEqual(
          [error.code, error.status, error.requestId, error.retryable],
          ['MACHINE_LIMIT_EXCEEDED', 422, 'req_1', false],
        );
        return true;
      });
      const busy = scripted([0, 1, 2].map(() => () => envelope(429, 'RATE_LIMIT_EXCEEDED', true)));
      const bounded = new CharterClient({
        baseUrl: 'https://charter.test',
        licenseKey: 'KEY',
        sleep: async () => {},
        fetch: busy.fetcher,
        retry: { maxAttempts: 3 },
      });
      await assert.rejects(bounded.heartbeat({ fingerprint: 'fp' }), { code: 'RATE_LIMIT_EXCEEDED' });
      assert.equal(busy.calls.length, 3);
    });
  });
});
