// Device keys through HTTP, on both engines: a policy that requires one refuses activation without it, a machine
// with a key answers only calls signed with it (heartbeat, validate, deactivate, seats, consume), the signature
// binds the time and the path, garbage keys and signatures are refused cleanly; and the licenses of a device, by
// the Client API (signed for a device with a key) and by `GET /v1/machines?fingerprint=`.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError, issuesOf } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { hostileString } from '../support/fuzz.js';
import { dialects } from '../support/services.js';

// A device key held in a token comes as a certificate: this one is self-signed (openssl req -x509 -newkey ed25519).
const certificateKey = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEILS3CCxyW63qhjfq0sF4pkkfF+ipNARepwQG50BEeech
-----END PRIVATE KEY-----`;
const certificate = `-----BEGIN CERTIFICATE-----
MIIBUzCCAQWgAwIBAgIUV+wFq0GuA5zc6BuF84Cs27hnEJwwBQYDK2VwMB4xHDAa
BgNVBAMME2NoYXJ0ZXItdGVzdC1kZXZpY2UwIBcNMjYxMjA2MDgwNTA3WhgPMjEy
NjExMTIwODA1MDdaMB4xHDAaBgNVBAMME2NoYXJ0ZXItdGVzdC1kZXZpY2UwKjAF
BgMrZXADIQBn0NtFNabKZSLDs5En0PE2aiGjCsdMGnRzUDHla8ajP6NTMFEwHQYD
VR0OBBYEFNSlyAaj/fM1VL08IOZe7fqC7uLfMB8GA1UdIwQYMBaAFNSlyAaj/fM1
VL08IOZe7fqC7uLfMA8GA1UdEwEB/wQFMAMBAf8wBQYDK2VwA0EA4ftmbm4g5S0y
z1r7OEes2MSVp/slRfGUQWPEIbsh/URY/UDjFxTmuePkWq02cgCKS1v8+1bHCBXT
0yTybIqfDw==
-----END CERTIFICATE-----`;

interface DeviceKey {
  privateKey: KeyObject;
  publicPem: string;
  sha256: string;
}

const newDeviceKey = (): DeviceKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sha256: createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex'),
  };
};

/** The two headers of a call signed with `key` over `{timestamp}\n{path}\n{body}`. */
const signedHeaders = (key: KeyObject, path: string, body: string, timestamp: number) => ({
  'charter-device-timestamp': String(timestamp),
  'charter-device-signature': sign(
    null,
    Buffer.concat([Buffer.from(`${timestamp}\n${path}\n`), Buffer.from(body)]),
    key,
  ).toString('base64'),
});

type Json = Record<string, unknown>;

/** Text the body may carry at all (no NUL, no lone surrogate: refused at the edge before any rule). */
const storable = (text: string) => {
  try {
    encodeURIComponent(text);
    return !text.includes('\u0000');
  } catch {
    return false;
  }
};

for (const dialect of dialects()) {
  describe(`Device keys (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string; code: string };
    let keyPolicy: { id: string };

    const now = () => Math.floor(t.clock.nowMs() / 1000);
    const manage = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, secret = admin) =>
      t.app.inject({
        method,
        url,
        headers: bearer(secret),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    /** POST /v1/client/{route} with the body's exact bytes; `headers` as given (signed or not). */
    const raw = (route: string, body: string, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/client/${route}`,
        payload: body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const unsignedCall = (route: string, payload: Json) => raw(route, JSON.stringify(payload));
    const signedCall = (route: string, payload: Json, key: KeyObject, timestamp = now()) => {
      const body = JSON.stringify(payload);
      return raw(route, body, signedHeaders(key, `/v1/client/${route}`, body, timestamp));
    };
    const machinesOf = async (licenseId: string) =>
      (
        (await manage('GET', `/v1/machines?licenseId=${licenseId}`)).json() as {
          data: { id: string; fingerprint: string; status: string; lastSeenAt: string; deviceKey: unknown }[];
        }
      ).data;
    const keyLicense = (policy: Json = {}) =>
      createLicense(t, admin, {
        product: product.id,
        policy: { maxMachines: 5, requireDeviceKey: true, heartbeatSeconds: 600, ...policy },
      });

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'vault', name: 'Vault' });
      const res = await manage('POST', '/v1/policies', {
        productId: product.id,
        code: 'keyed',
        name: 'Keyed',
        requireDeviceKey: true,
      });
      assert.equal(res.statusCode, 201, res.body);
      keyPolicy = res.json() as { id: string };
    });
    after(() => t.close());

    it('a policy answers requireDeviceKey, false unless asked for', async () => {
      const policy = (await manage('GET', `/v1/policies/${keyPolicy.id}`)).json() as Json;
      assert.equal(policy.requireDeviceKey, true);
      const plain = await manage('POST', '/v1/policies', {
        productId: product.id,
        code: 'plain',
        name: 'Plain',
      });
      assert.equal((plain.json() as Json).requireDeviceKey, false);
    });

    it('a device-key policy refuses activation without a key (422 HARDWARE_KEY_CERTIFICATE_MISSING) and writes no machine', async () => {
      const license = await keyLicense();
      expectError(
        await unsignedCall('activate', { licenseKey: license.key, fingerprint: 'no-key' }),
        422,
        'HARDWARE_KEY_CERTIFICATE_MISSING',
      );
      assert.deepEqual(await machinesOf(license.id), []);
    });

    it('an activation that sends a key but is not signed with it answers 401 HARDWARE_KEY_REQUIRED and writes no machine', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const refused = expectError(
        await unsignedCall('activate', {
          licenseKey: license.key,
          fingerprint: 'unsigned',
          deviceKey: device.publicPem,
        }),
        401,
        'HARDWARE_KEY_REQUIRED',
      );
      assert.deepEqual(refused.details, {
        missing: ['Charter-Device-Signature', 'Charter-Device-Timestamp'],
      });
      // Signed by another key: the caller does not hold the key it registers.
      expectError(
        await signedCall(
          'activate',
          { licenseKey: license.key, fingerprint: 'unsigned', deviceKey: device.publicPem },
          newDeviceKey().privateKey,
        ),
        401,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      assert.deepEqual(await machinesOf(license.id), []);
    });

    it('a signed activation registers the key; a device-key policy refuses an unsigned heartbeat (401 HARDWARE_KEY_REQUIRED) and accepts a signed one', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const activated = await signedCall(
        'activate',
        { licenseKey: license.key, fingerprint: 'laptop', deviceKey: device.publicPem },
        device.privateKey,
      );
      assert.equal(activated.statusCode, 201, activated.body);
      const machine = (activated.json() as { machine: { id: string; deviceKey: unknown } }).machine;
      assert.deepEqual(machine.deviceKey, { sha256: device.sha256, certificateSha256: null });

      t.clock.advance(60_000);
      const before = (await machinesOf(license.id))[0];
      expectError(
        await unsignedCall('heartbeat', { licenseKey: license.key, fingerprint: 'laptop' }),
        401,
        'HARDWARE_KEY_REQUIRED',
      );
      assert.equal(
        (await machinesOf(license.id))[0]?.lastSeenAt,
        before?.lastSeenAt,
        'the refusal writes nothing',
      );

      const beat = await signedCall(
        'heartbeat',
        { licenseKey: license.key, fingerprint: 'laptop' },
        device.privateKey,
      );
      assert.equal(beat.statusCode, 200, beat.body);
      assert.equal(
        (await machinesOf(license.id))[0]?.lastSeenAt,
        new Date(t.clock.nowMs()).toISOString(),
        'the signed heartbeat is recorded',
      );
    });

    it('a bad signature answers 401 HARDWARE_KEY_SIGNATURE_MISMATCH: another key, a changed body, another path, a stale or future time, garbage', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const body = { licenseKey: license.key, fingerprint: 'desk', deviceKey: device.publicPem };
      assert.equal((await signedCall('activate', body, device.privateKey)).statusCode, 201);
      const beat = JSON.stringify({ licenseKey: license.key, fingerprint: 'desk' });
      const good = signedHeaders(device.privateKey, '/v1/client/heartbeat', beat, now());
      assert.equal((await raw('heartbeat', beat, good)).statusCode, 200);

      const flipped = (signature: string) =>
        `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
      const refusals: { route?: string; body?: string; headers: Record<string, string> }[] = [
        { headers: signedHeaders(newDeviceKey().privateKey, '/v1/client/heartbeat', beat, now()) },
        // The signature of this body, sent with another one (same fields, other bytes).
        { body: ` ${beat}`, headers: good },
        // A captured heartbeat replayed as a deactivation (the bodies are alike).
        { route: 'deactivate', headers: good },
        { headers: signedHeaders(device.privateKey, '/v1/client/heartbeat', beat, now() - 301) },
        { headers: signedHeaders(device.privateKey, '/v1/client/heartbeat', beat, now() + 301) },
        { headers: { ...good, 'charter-device-timestamp': 'yesterday' } },
        { headers: { ...good, 'charter-device-signature': 'AAAA' } },
        { headers: { ...good, 'charter-device-signature': `${'A'.repeat(86)}==` } },
        { headers: { ...good, 'charter-device-signature': flipped(good['charter-device-signature']) } },
      ];
      for (const { route = 'heartbeat', body = beat, headers } of refusals) {
        expectError(await raw(route, body, headers), 401, 'HARDWARE_KEY_SIGNATURE_MISMATCH');
      }
      const stale = expectError(
        await raw(
          'heartbeat',
          beat,
          signedHeaders(device.privateKey, '/v1/client/heartbeat', beat, now() - 301),
        ),
        401,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      assert.deepEqual(
        stale.details,
        { serverTime: now() },
        'a client with a wrong clock learns the server time',
      );
      assert.equal(
        (await machinesOf(license.id))[0]?.status,
        'active',
        'the replayed deactivation did nothing',
      );
    });

    it('generated garbage in the signature headers answers 401, never a 5xx', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const activation = { licenseKey: license.key, fingerprint: 'fuzzed', deviceKey: device.publicPem };
      assert.equal((await signedCall('activate', activation, device.privateKey)).statusCode, 201);
      const beat = JSON.stringify({ licenseKey: license.key, fingerprint: 'fuzzed' });
      // Header values a client can send (visible ASCII), base64 of any length, numbers, and times in the window.
      const header = fc.oneof(
        fc.stringMatching(/^[!-~][ -~]{0,119}$/),
        fc.base64String({ minLength: 4, maxLength: 120 }),
        fc.integer().map(String),
      );
      const inWindow = fc.integer({ min: -300, max: 300 }).map((offset) => String(now() + offset));
      const samples = fc.sample(fc.tuple(header, fc.oneof(header, inWindow)), { seed: 21, numRuns: 60 });
      for (const [signature, timestamp] of samples) {
        const res = await raw('heartbeat', beat, {
          'charter-device-signature': signature,
          'charter-device-timestamp': timestamp,
        });
        assert.equal(res.statusCode, 401, res.body);
        assert.match((res.json() as { code: string }).code, /^HARDWARE_KEY_(SIGNATURE_MISMATCH|REQUIRED)$/);
      }
    });

    it('garbage, private, RSA and EC keys in deviceKey answer 400 VALIDATION_ERROR on deviceKey and write nothing', async () => {
      const license = await keyLicense();
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
        type: 'spki',
        format: 'pem',
      });
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        type: 'spki',
        format: 'pem',
      });
      const garbage = fc
        .sample(hostileString, { seed: 7, numRuns: 20 })
        .filter((text) => text.trim() !== '' && text.length <= 16_384 && storable(text));
      const armored = fc.sample(
        fc
          .tuple(
            fc.constantFrom('PUBLIC KEY', 'CERTIFICATE'),
            fc.base64String({ minLength: 4, maxLength: 400 }),
          )
          .map(([label, base64]) => `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----`),
        { seed: 8, numRuns: 20 },
      );
      const device = newDeviceKey();
      for (const deviceKey of [
        'not a key',
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        device.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        rsa.toString(),
        ec.toString(),
        ...garbage,
        ...armored,
      ]) {
        const body = { licenseKey: license.key, fingerprint: 'garbage', deviceKey };
        const refused = expectError(
          await signedCall('activate', body, device.privateKey),
          400,
          'VALIDATION_ERROR',
        );
        assert.deepEqual(
          issuesOf(refused).map((issue) => issue.path),
          [['deviceKey']],
          `${JSON.stringify(deviceKey.slice(0, 40))}: ${refused.message}`,
        );
      }
      assert.deepEqual(await machinesOf(license.id), []);
    });

    it("an X.509 certificate registers its Ed25519 key and the certificate's SHA-256", async () => {
      const license = await keyLicense();
      const tokenKey = createPrivateKey(certificateKey);
      const activated = await signedCall(
        'activate',
        { licenseKey: license.key, fingerprint: 'token', deviceKey: certificate },
        tokenKey,
      );
      assert.equal(activated.statusCode, 201, activated.body);
      const der = Buffer.from(certificate.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      const { deviceKey } = (activated.json() as { machine: { deviceKey: { certificateSha256: string } } })
        .machine;
      assert.equal(deviceKey.certificateSha256, createHash('sha256').update(der).digest('hex'));
      const beat = await signedCall('heartbeat', { licenseKey: license.key, fingerprint: 'token' }, tokenKey);
      assert.equal(beat.statusCode, 200, beat.body);
    });

    it('validate naming a machine with a key must be signed (401 before any check); without a fingerprint it names no machine', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const activation = { licenseKey: license.key, fingerprint: 'studio', deviceKey: device.publicPem };
      assert.equal((await signedCall('activate', activation, device.privateKey)).statusCode, 201);
      const named = { licenseKey: license.key, fingerprint: 'studio' };
      expectError(await unsignedCall('validate', named), 401, 'HARDWARE_KEY_REQUIRED');
      // Cached or not, the answer is the same.
      expectError(await unsignedCall('validate', named), 401, 'HARDWARE_KEY_REQUIRED');
      const signed = await signedCall('validate', named, device.privateKey);
      assert.equal(signed.statusCode, 200, signed.body);
      assert.deepEqual([(signed.json() as Json).valid, (signed.json() as Json).code], [true, 'VALID']);
      expectError(
        await signedCall('validate', named, newDeviceKey().privateKey),
        401,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      const plain = await unsignedCall('validate', { licenseKey: license.key });
      assert.equal((plain.json() as Json).code, 'VALID');
    });

    it('deactivate, license-file and consume about a machine with a key refuse unsigned calls and do signed ones', async () => {
      const license = await keyLicense({
        consumption: { max: 100, allowNegative: false, allowOverage: false, resetPeriod: 'never' },
      });
      const device = newDeviceKey();
      const activation = { licenseKey: license.key, fingerprint: 'box', deviceKey: device.publicPem };
      assert.equal((await signedCall('activate', activation, device.privateKey)).statusCode, 201);
      const named = { licenseKey: license.key, fingerprint: 'box' };
      expectError(await unsignedCall('license-file', named), 401, 'HARDWARE_KEY_REQUIRED');
      assert.equal((await signedCall('license-file', named, device.privateKey)).statusCode, 200);
      expectError(await unsignedCall('consume', { ...named, amount: 5 }), 401, 'HARDWARE_KEY_REQUIRED');
      const consumed = await signedCall('consume', { ...named, amount: 5 }, device.privateKey);
      assert.equal((consumed.json() as { used: number }).used, 5, consumed.body);
      // Metering the license without naming a machine needs no device signature.
      assert.equal(
        ((await unsignedCall('consume', { licenseKey: license.key, amount: 1 })).json() as { used: number })
          .used,
        6,
      );
      expectError(await unsignedCall('deactivate', named), 401, 'HARDWARE_KEY_REQUIRED');
      assert.equal((await machinesOf(license.id))[0]?.status, 'active');
      assert.equal((await signedCall('deactivate', named, device.privateKey)).statusCode, 204);
      assert.equal((await machinesOf(license.id))[0]?.status, 'deactivated');
    });

    it('a machine with a key keeps needing signatures after its policy stops requiring keys; activating again needs the key, and a signed one may rotate it', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const activation = { licenseKey: license.key, fingerprint: 'rotating', deviceKey: device.publicPem };
      assert.equal((await signedCall('activate', activation, device.privateKey)).statusCode, 201);
      const policyId = ((await manage('GET', `/v1/licenses/${license.id}`)).json() as { policyId: string })
        .policyId;
      assert.equal(
        (await manage('PATCH', `/v1/policies/${policyId}`, { requireDeviceKey: false })).statusCode,
        200,
      );
      const named = { licenseKey: license.key, fingerprint: 'rotating' };
      expectError(await unsignedCall('heartbeat', named), 401, 'HARDWARE_KEY_REQUIRED');
      // Someone with the license key and the fingerprint cannot take the machine over with a key of their own.
      const intruder = newDeviceKey();
      expectError(
        await signedCall('activate', { ...named, deviceKey: intruder.publicPem }, intruder.privateKey),
        401,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      const next = newDeviceKey();
      const rotated = await signedCall(
        'activate',
        { ...named, deviceKey: next.publicPem },
        device.privateKey,
      );
      assert.equal(rotated.statusCode, 200, rotated.body);
      assert.deepEqual((rotated.json() as { machine: Json }).machine.deviceKey, {
        sha256: next.sha256,
        certificateSha256: null,
      });
      expectError(
        await signedCall('heartbeat', named, device.privateKey),
        401,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      assert.equal((await signedCall('heartbeat', named, next.privateKey)).statusCode, 200);
    });

    it('a policy without requireDeviceKey activates without a key, and unsigned calls work for that machine', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 2 } });
      const res = await unsignedCall('activate', { licenseKey: license.key, fingerprint: 'keyless' });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((res.json() as { machine: Json }).machine.deviceKey, null);
      assert.equal(
        (await unsignedCall('heartbeat', { licenseKey: license.key, fingerprint: 'keyless' })).statusCode,
        200,
      );
    });

    it('a floating device-key policy: checkout needs a key, and the seat calls of its machine must be signed', async () => {
      const license = await keyLicense({
        floating: true,
        maxMachines: 2,
        allowBorrow: true,
        maxBorrowSeconds: 86_400,
      });
      const device = newDeviceKey();
      expectError(
        await unsignedCall('checkout', { licenseKey: license.key, fingerprint: 'seat' }),
        422,
        'HARDWARE_KEY_CERTIFICATE_MISSING',
      );
      const checkout = { licenseKey: license.key, fingerprint: 'seat', deviceKey: device.publicPem };
      const held = await signedCall('checkout', checkout, device.privateKey);
      assert.equal(held.statusCode, 201, held.body);
      assert.equal(
        (held.json() as { machine: { deviceKey: { sha256: string } } }).machine.deviceKey.sha256,
        device.sha256,
      );
      const named = { licenseKey: license.key, fingerprint: 'seat' };
      expectError(await unsignedCall('checkout', named), 401, 'HARDWARE_KEY_REQUIRED');
      const until = new Date(t.clock.nowMs() + 3600_000).toISOString();
      expectError(await unsignedCall('borrow', { ...named, until }), 401, 'HARDWARE_KEY_REQUIRED');
      assert.equal((await signedCall('borrow', { ...named, until }, device.privateKey)).statusCode, 200);
      expectError(await unsignedCall('release', named), 401, 'HARDWARE_KEY_REQUIRED');
      assert.equal((await signedCall('release', named, device.privateKey)).statusCode, 204);
    });

    it('device licenses: a keyless device is answered its licenses (no key, no customer) unsigned; none answers 404 DEVICE_LICENSES_NOT_FOUND', async () => {
      const first = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 2 } });
      const other = await createProduct(t, admin, { code: 'atlas', name: 'Atlas' });
      const second = await createLicense(t, admin, { product: other.id, policy: { maxMachines: 2 } });
      t.clock.advance(1000);
      await unsignedCall('activate', { licenseKey: first.key, fingerprint: 'shared-pc' });
      t.clock.advance(1000);
      await unsignedCall('activate', { licenseKey: second.key, fingerprint: 'shared-pc' });
      const machines = (
        (await manage('GET', '/v1/machines?fingerprint=shared-pc')).json() as {
          data: { id: string; licenseId: string; activatedAt: string }[];
        }
      ).data;
      const res = await unsignedCall('device-licenses', { fingerprint: 'shared-pc' });
      assert.equal(res.statusCode, 200, res.body);
      const entry = (license: { id: string }, productCode: string) => {
        const machine = machines.find((row) => row.licenseId === license.id);
        return {
          licenseId: license.id,
          productCode,
          status: 'active',
          trial: false,
          startsAt: (res.json() as { data: { startsAt: string }[] }).data[0]?.startsAt,
          expiresAt: null,
          machineId: machine?.id,
          activatedAt: machine?.activatedAt,
        };
      };
      assert.deepEqual(res.json(), { data: [entry(first, 'vault'), entry(second, 'atlas')] });
      const onlyAtlas = await unsignedCall('device-licenses', {
        fingerprint: 'shared-pc',
        productCode: 'atlas',
      });
      assert.deepEqual(
        (onlyAtlas.json() as { data: { licenseId: string }[] }).data.map((row) => row.licenseId),
        [second.id],
      );
      expectError(
        await unsignedCall('device-licenses', { fingerprint: 'shared-pc', productCode: 'nothing' }),
        404,
        'DEVICE_LICENSES_NOT_FOUND',
      );
      expectError(
        await unsignedCall('device-licenses', { fingerprint: 'never-seen' }),
        404,
        'DEVICE_LICENSES_NOT_FOUND',
      );
      await unsignedCall('deactivate', { licenseKey: first.key, fingerprint: 'shared-pc' });
      await unsignedCall('deactivate', { licenseKey: second.key, fingerprint: 'shared-pc' });
      expectError(
        await unsignedCall('device-licenses', { fingerprint: 'shared-pc' }),
        404,
        'DEVICE_LICENSES_NOT_FOUND',
      );
    });

    it('device licenses of a device with a key: unsigned 401 HARDWARE_KEY_REQUIRED, signed by a stranger 401 MISMATCH, signed by the device its licenses', async () => {
      const license = await keyLicense();
      const device = newDeviceKey();
      const activation = { licenseKey: license.key, fingerprint: 'vault-pc', deviceKey: device.publicPem };
      assert.equal((await signedCall('activate', activation, device.privateKey)).statusCode, 201);
      expectError(
        await unsignedCall('device-licenses', { fingerprint: 'vault-pc' }),
        401,
        'HARDWARE_KEY_REQUIRED',
      );
      expectError(
        await signedCall('device-licenses', { fingerprint: 'vault-pc' }, newDeviceKey().privateKey),
        401,
        'HARDWARE_KEY_SIGNATURE_MISMATCH',
      );
      const res = await signedCall('device-licenses', { fingerprint: 'vault-pc' }, device.privateKey);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        (res.json() as { data: { licenseId: string }[] }).data.map((row) => row.licenseId),
        [license.id],
      );
    });

    it('GET /v1/machines?fingerprint= lists the machines of exactly that fingerprint a credential may see; none is an empty list', async () => {
      const mine = await createProduct(t, admin, { code: 'mine', name: 'Mine' });
      const theirs = await createProduct(t, admin, { code: 'theirs', name: 'Theirs' });
      const a = await createLicense(t, admin, { product: mine.id, policy: { maxMachines: 2 } });
      const b = await createLicense(t, admin, { product: theirs.id, policy: { maxMachines: 2 } });
      await unsignedCall('activate', { licenseKey: a.key, fingerprint: 'fp-exact' });
      await unsignedCall('activate', { licenseKey: b.key, fingerprint: 'fp-exact' });
      await unsignedCall('activate', { licenseKey: a.key, fingerprint: 'fp-exact-2' });
      const all = (await manage('GET', '/v1/machines?fingerprint=fp-exact')).json() as {
        data: { licenseId: string; fingerprint: string }[];
      };
      assert.deepEqual(
        all.data.map((row) => [row.licenseId, row.fingerprint]).sort(),
        [
          [a.id, 'fp-exact'],
          [b.id, 'fp-exact'],
        ].sort(),
      );
      const restricted = (await createKey(t, ['machines:read'], { productIds: [mine.id] })).secret;
      const seen = (
        await manage('GET', '/v1/machines?fingerprint=fp-exact', undefined, restricted)
      ).json() as {
        data: { licenseId: string }[];
      };
      assert.deepEqual(
        seen.data.map((row) => row.licenseId),
        [a.id],
      );
      const none = await manage('GET', '/v1/machines?fingerprint=FP-EXACT');
      assert.equal(none.statusCode, 200);
      assert.deepEqual((none.json() as { data: unknown[] }).data, []);
      const anonymous = await t.app.inject({ method: 'GET', url: '/v1/machines?fingerprint=fp-exact' });
      expectError(anonymous, 401, 'AUTH_MISSING');
    });
  });
}
