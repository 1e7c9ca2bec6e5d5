// The client SDK (packages/sdk) against a real server: its license files and signed results verify with the SDK
// and with plain node:crypto, any altered byte fails, rotated keys keep verifying, the offline round trip runs
// on the SDK's own files, CharterClient talks to a listening server, and its error codes equal the catalog.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CharterClient,
  CharterError,
  createDeactivationProof,
  createOfflineActivationRequest,
  errorCodes,
  type PublicKeyEntry,
  retryableCodes,
  canonicalJson as sdkCanonicalJson,
  verifyLicenseFile,
  verifyValidation,
} from '../../packages/sdk/src/index.js';
import { armor } from '../../packages/sdk/test/license-files.js';
import { catalog } from '../../src/errors/catalog.js';
import { canonicalJson as serverCanonicalJson } from '../../src/lib/canonical-json.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const armorBody = (file: string) => file.split('\n').slice(1, -1).join('');

describe('SDK and server agree', () => {
  it('on canonical JSON, the text signed validations are signed over', () => {
    const samples: unknown[] = [
      { b: 1, a: { d: [{ z: true, y: null }], c: 'é\n"' }, u: undefined },
      { meta: { '10': 1, '2': 2, '!': 3, B: 4, a: [undefined, 1.5] } },
      [1, 'two', { three: 3 }],
      'text',
      null,
    ];
    for (const sample of samples) assert.equal(sdkCanonicalJson(sample), serverCanonicalJson(sample));
  });
});

describe('SDK error codes', () => {
  it('equal the server catalog, retryable ones included', () => {
    assert.deepEqual([...errorCodes], Object.keys(catalog));
    const retryable = Object.entries(catalog)
      .filter(([, entry]) => entry.retryable)
      .map(([code]) => code);
    assert.deepEqual([...retryableCodes].sort(), retryable.sort());
  });
});

for (const dialect of dialects()) {
  describe(`SDK against the server (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let license: { id: string; key: string };
    let baseUrl: string;
    const publicKeys = async () =>
      (await t.app.inject({ method: 'GET', url: '/v1/public-keys' })).json() as { data: PublicKeyEntry[] };

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      const product = await createProduct(t, admin, { code: 'desk', name: 'Desk' });
      license = await createLicense(t, admin, {
        product: product.id,
        policy: { maxMachines: 10, allowOffline: true },
      });
      baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => t.close());

    it('CharterClient activates over HTTP; the file verifies with the SDK and with node:crypto', async () => {
      const client = new CharterClient({ baseUrl, licenseKey: license.key });
      const activation = await client.activate({ fingerprint: 'desk-1', hostname: 'desk-1.local' });
      assert.equal(activation.machine.fingerprint, 'desk-1');
      const keys = await publicKeys();
      const result = await verifyLicenseFile(activation.licenseFile, keys, {
        fingerprint: 'desk-1',
        now: t.clock.now(),
      });
      assert.ok(result.valid, JSON.stringify(result));
      assert.deepEqual(
        [result.payload.license.key, result.payload.machine?.id],
        [license.key, activation.machine.id],
      );

      const envelope = JSON.parse(Buffer.from(armorBody(activation.licenseFile), 'base64').toString()) as {
        kid: string;
        payload: string;
        sig: string;
      };
      const key = keys.data.find((entry) => entry.kid === envelope.kid);
      const publicKey = createPublicKey({
        key: Buffer.from(key?.publicKey ?? '', 'base64'),
        format: 'der',
        type: 'spki',
      });
      assert.ok(
        verify(
          null,
          Buffer.from(envelope.payload, 'base64url'),
          publicKey,
          Buffer.from(envelope.sig, 'base64url'),
        ),
      );
      assert.equal((await client.validate({ fingerprint: 'desk-1' })).code, 'VALID');
    });

    it('flipping any byte of the payload or the signature fails verification; another fingerprint and expiry fail', async () => {
      const client = new CharterClient({ baseUrl, licenseKey: license.key });
      const { licenseFile } = await client.activate({ fingerprint: 'desk-2' });
      const keys = await publicKeys();
      const envelope = JSON.parse(Buffer.from(armorBody(licenseFile), 'base64').toString()) as Record<
        string,
        string
      >;
      for (const field of ['payload', 'sig'] as const) {
        const bytes = Buffer.from(envelope[field] ?? '', 'base64url');
        for (let index = 0; index < bytes.length; index++) {
          const altered = Buffer.from(bytes);
          altered[index] = (altered[index] ?? 0) ^ 0x01;
          const outcome = await verifyLicenseFile(
            armor({ ...envelope, [field]: altered.toString('base64url') }),
            keys,
            { now: t.clock.now() },
          );
          assert.equal(
            outcome.valid ? 'VALID' : outcome.reason,
            'BAD_SIGNATURE',
            `${field} byte ${index} flipped`,
          );
        }
      }
      const elsewhere = await verifyLicenseFile(licenseFile, keys, {
        fingerprint: 'another-machine',
        now: t.clock.now(),
      });
      assert.deepEqual(elsewhere.valid ? 'VALID' : elsewhere.reason, 'FINGERPRINT_MISMATCH');
      const later = await verifyLicenseFile(licenseFile, keys, {
        now: new Date(t.clock.nowMs() + 8 * 86_400_000),
      });
      assert.deepEqual(later.valid ? 'VALID' : later.reason, 'EXPIRED');
    });

    it('a signed validation verifies with the SDK; a rotated key keeps verifying old files until retired', async () => {
      const client = new CharterClient({ baseUrl, licenseKey: license.key });
      const { licenseFile } = await client.activate({ fingerprint: 'desk-3' });
      const signed = await client.validate({ fingerprint: 'desk-3', nonce: 'sdk-nonce-0001' });
      assert.equal(
        await verifyValidation(signed as never, await publicKeys(), { nonce: 'sdk-nonce-0001' }),
        true,
      );
      assert.equal(
        await verifyValidation({ ...(signed as object), valid: false } as never, await publicKeys()),
        false,
      );

      const rotated = await t.app.inject({ method: 'POST', url: '/v1/signing-keys', headers: bearer(admin) });
      assert.equal(rotated.statusCode, 201);
      assert.ok(
        (
          await verifyLicenseFile(licenseFile, await publicKeys(), {
            fingerprint: 'desk-3',
            now: t.clock.now(),
          })
        ).valid,
      );
      const oldKid = JSON.parse(Buffer.from(armorBody(licenseFile), 'base64').toString()).kid as string;
      await t.app.inject({
        method: 'POST',
        url: `/v1/signing-keys/${oldKid}/retire`,
        headers: bearer(admin),
      });
      const retired = await verifyLicenseFile(licenseFile, await publicKeys(), {
        fingerprint: 'desk-3',
        now: t.clock.now(),
      });
      assert.deepEqual(retired.valid ? 'VALID' : retired.reason, 'UNKNOWN_KEY');
    });

    it('the offline round trip runs on the SDK files; a wrong proof answers 401, a replayed one 422', async () => {
      const request = createOfflineActivationRequest({
        licenseKey: license.key,
        fingerprint: 'vault-1',
        hostname: 'vault',
      });
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/offline/activate',
        headers: bearer(admin),
        payload: { request },
      });
      assert.equal(res.statusCode, 201, res.body);
      const { machine, response } = res.json() as { machine: { id: string }; response: string };
      const file = await verifyLicenseFile(response, await publicKeys(), {
        fingerprint: 'vault-1',
        now: t.clock.now(),
      });
      assert.ok(file.valid && file.payload.machine?.offline === true);
      const secret = file.valid ? (file.payload.machine?.deactivationSecret ?? '') : '';
      const deactivate = (proof: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/offline/deactivate',
          headers: bearer(admin),
          payload: { proof },
        });
      const wrong = await createDeactivationProof({
        machineId: machine.id,
        fingerprint: 'vault-1',
        deactivationSecret: 'guess',
      });
      assert.equal((await deactivate(wrong)).statusCode, 401);
      const proof = await createDeactivationProof({
        machineId: machine.id,
        fingerprint: 'vault-1',
        deactivationSecret: secret,
      });
      assert.equal((await deactivate(proof)).statusCode, 204);
      const replay = await deactivate(proof);
      assert.deepEqual([replay.statusCode, replay.json().code], [422, 'MACHINE_NOT_ACTIVATED']);
    });

    it('CharterClient starts a trial without a license key (its file verifies), refused where none is offered', async () => {
      const client = new CharterClient({ baseUrl });
      await assert.rejects(client.trial({ productCode: 'desk', fingerprint: 'trial-1' }), {
        code: 'TRIAL_NOT_ALLOWED',
      });
      await assert.rejects(client.validate(), TypeError);
      await createProduct(t, admin, {
        code: 'desk-trial',
        name: 'Desk trial',
        trial: { enabled: true, days: 14, requireEmail: false },
      });
      const started = await client.trial({ productCode: 'desk-trial', fingerprint: 'trial-1' });
      assert.match(started.licenseKey, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
      const file = await verifyLicenseFile(started.licenseFile, await publicKeys(), {
        fingerprint: 'trial-1',
        now: t.clock.now(),
      });
      assert.ok(file.valid && file.payload.license.key === started.licenseKey);
    });

    it('CharterClient checks out, heartbeats, borrows and releases a floating seat, and consumes a meter', async () => {
      const seat = await createLicense(t, admin, {
        policy: {
          floating: true,
          maxMachines: 1,
          allowBorrow: true,
          maxBorrowSeconds: 86_400,
          consumption: { max: 5, allowNegative: false, allowOverage: false, resetPeriod: 'never' },
        },
      });
      const client = new CharterClient({ baseUrl, licenseKey: seat.key, retry: { maxAttempts: 1 } });
      const held = await client.checkout({ fingerprint: 'float-1' });
      assert.equal(held.lease.fingerprint, 'float-1');
      const file = await verifyLicenseFile(held.licenseFile, await publicKeys(), {
        fingerprint: 'float-1',
        now: t.clock.now(),
      });
      assert.ok(file.valid && file.payload.expiresAt === held.lease.expiresAt);
      await assert.rejects(client.checkout({ fingerprint: 'float-2' }), (error: unknown) => {
        assert.ok(error instanceof CharterError);
        assert.deepEqual([error.code, error.retryable], ['FLOATING_NOT_AVAILABLE', true]);
        return true;
      });
      const beat = await client.heartbeat({ fingerprint: 'float-1' });
      assert.equal(beat.lease?.id, held.lease.id);
      const until = new Date(t.clock.nowMs() + 3_600_000).toISOString();
      assert.equal((await client.borrow({ fingerprint: 'float-1', until })).lease.borrowedUntil, until);
      await client.release({ fingerprint: 'float-1' });
      assert.equal((await client.checkout({ fingerprint: 'float-2' })).lease.fingerprint, 'float-2');
      assert.deepEqual(await client.consume({ amount: 2 }), {
        feature: null,
        used: 2,
        max: 5,
        remaining: 3,
        periodStartsAt: t.clock.now().toISOString(),
        resetsAt: null,
      });
    });

    it('CharterClient signs in a license user by email and password, lists their licenses and activates', async () => {
      const teamProduct = await createProduct(t, admin, { name: 'Team desk', licenseModel: 'user' });
      const team = await createLicense(t, admin, {
        product: teamProduct.id,
        policy: { maxUsers: 2, maxMachines: 5 },
      });
      const call = (method: 'POST', url: string, payload: object) =>
        t.app.inject({ method, url, headers: bearer(admin), payload });
      const user = (
        await call('POST', '/v1/users', { email: 'sdk.user@example.com', password: 'sdk user password' })
      ).json() as { id: string };
      assert.equal(
        (await call('POST', `/v1/licenses/${team.id}/users`, { userId: user.id })).statusCode,
        201,
      );
      const client = new CharterClient({
        baseUrl,
        user: { email: 'sdk.user@example.com', password: 'sdk user password', productCode: teamProduct.code },
        retry: { maxAttempts: 1 },
      });
      const held = await client.userLicenses();
      assert.deepEqual(
        held.data.map((entry) => entry.license.id),
        [team.id],
      );
      const activation = await client.activate({ fingerprint: 'sdk-user-laptop' });
      assert.equal(activation.license.id, team.id);
      assert.equal(activation.machine.userId, user.id);
      assert.equal((await client.validate({ fingerprint: 'sdk-user-laptop' })).code, 'VALID');
      const wrong = new CharterClient({
        baseUrl,
        user: { email: 'sdk.user@example.com', password: 'not it', productCode: teamProduct.code },
        retry: { maxAttempts: 1 },
      });
      await assert.rejects(wrong.validate(), (error: unknown) => {
        assert.ok(error instanceof CharterError);
        assert.deepEqual([error.code, error.status], ['INVALID_CREDENTIALS', 401]);
        return true;
      });
      await assert.rejects(new CharterClient({ baseUrl }).validate(), /licenseKey or the user option/);
    });

    it("CharterClient's errors carry the envelope's code, status and request id", async () => {
      const client = new CharterClient({ baseUrl, licenseKey: license.key, retry: { maxAttempts: 1 } });
      await assert.rejects(client.heartbeat({ fingerprint: 'never-activated' }), (error: unknown) => {
        assert.ok(error instanceof CharterError);
        assert.deepEqual([error.code, error.status, error.retryable], ['MACHINE_NOT_ACTIVATED', 422, false]);
        assert.match(error.requestId ?? '', /^req_/);
        return true;
      });
    });
  });
}
