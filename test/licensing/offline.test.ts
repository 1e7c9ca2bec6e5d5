// Offline activation through HTTP, on both engines: the request file in, a signed license file out with the
// machine's deactivation secret, the proof back, and every refusal of api.md's "Offline and signing" table.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

interface FilePayload {
  license: { id: string; key: string };
  machine: { id: string; fingerprint: string; offline?: boolean; deactivationSecret?: string };
}

for (const dialect of dialects()) {
  describe(`offline activation (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let productId: string;
    let nonceCount = 0;

    const call = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: bearer(admin), payload });
    const request = (licenseKey: string, fingerprint: string, extra: Record<string, unknown> = {}) =>
      encode({
        v: 1,
        licenseKey,
        fingerprint,
        name: 'lab-7',
        hostname: 'lab-7.local',
        nonce: `request-nonce-${++nonceCount}`,
        createdAt: '2026-11-22T10:00:00.000Z',
        ...extra,
      });
    const readFile = async (licenseFile: string): Promise<FilePayload> => {
      const lines = licenseFile.split('\n');
      const envelope = JSON.parse(Buffer.from(lines.slice(1, -1).join(''), 'base64').toString('utf8')) as {
        kid: string;
        payload: string;
        sig: string;
      };
      const keys = (await t.app.inject({ method: 'GET', url: '/v1/public-keys' })).json() as {
        data: { kid: string; publicKey: string }[];
      };
      const key = keys.data.find((candidate) => candidate.kid === envelope.kid);
      const payloadBytes = Buffer.from(envelope.payload, 'base64url');
      const publicKey = createPublicKey({
        key: Buffer.from(key?.publicKey ?? '', 'base64'),
        format: 'der',
        type: 'spki',
      });
      assert.ok(
        verify(null, payloadBytes, publicKey, Buffer.from(envelope.sig, 'base64url')),
        'the file verifies',
      );
      return JSON.parse(payloadBytes.toString('utf8')) as FilePayload;
    };
    const proof = (
      machineId: string,
      fingerprint: string,
      secret: string,
      nonce = `proof-nonce-${++nonceCount}`,
    ) =>
      encode({
        v: 1,
        machineId,
        fingerprint,
        nonce,
        hmac: createHmac('sha256', secret).update(`${machineId}${fingerprint}${nonce}`).digest('hex'),
      });
    const machineStatus = async (id: string) =>
      (await t.db.kysely.selectFrom('machines').select('status').where('id', '=', id).executeTakeFirst())
        ?.status;

    before(async () => {
      t = await withApp({ dialect });
      admin = (await createKey(t, ['admin'])).secret;
      productId = (await createProduct(t, admin, { code: 'plant', name: 'Plant' })).id;
    });
    after(() => t.close());

    it('activates from the request file, answers a signed file with the deactivation secret, and deactivates once with the proof', async () => {
      const license = await createLicense(t, admin, {
        product: productId,
        policy: { allowOffline: true, maxMachines: 2 },
      });
      const res = await call('/v1/offline/activate', { request: request(license.key, 'air-gapped-1') });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as {
        machine: { id: string; fingerprint: string; offline: boolean; hostname: string; status: string };
        license: { id: string; machinesCount: number };
        response: string;
      };
      assert.deepEqual(
        [body.machine.fingerprint, body.machine.offline, body.machine.hostname, body.machine.status],
        ['air-gapped-1', true, 'lab-7.local', 'active'],
      );
      assert.deepEqual([body.license.id, body.license.machinesCount], [license.id, 1]);
      const payload = await readFile(body.response);
      assert.deepEqual(
        [payload.license.key, payload.machine.id, payload.machine.fingerprint, payload.machine.offline],
        [license.key, body.machine.id, 'air-gapped-1', true],
      );
      const secret = payload.machine.deactivationSecret ?? '';
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      const row = await t.db.kysely
        .selectFrom('machines')
        .select(['offline', 'deactivation_secret'])
        .where('id', '=', body.machine.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.offline, 1);
      assert.ok(
        row.deactivation_secret && !row.deactivation_secret.includes(secret),
        'the secret is sealed at rest',
      );
      const audit = await t.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', body.machine.id)
        .execute();
      assert.deepEqual(audit, [{ action: 'machine.activate' }]);

      const signed = proof(body.machine.id, 'air-gapped-1', secret);
      const done = await call('/v1/offline/deactivate', { proof: signed });
      assert.equal(done.statusCode, 204, done.body);
      assert.equal(await machineStatus(body.machine.id), 'deactivated');
      await expectError(
        await call('/v1/offline/deactivate', { proof: signed }),
        422,
        'MACHINE_NOT_ACTIVATED',
      );
    });

    it('deactivating by proof releases the seats the machine holds, as every other deactivation does', async () => {
      assert.equal(
        (
          await call(`/v1/products/${productId}/features`, {
            code: 'solver',
            name: 'Solver',
            kind: 'floating',
            seats: 1,
          })
        ).statusCode,
        201,
      );
      const license = await createLicense(t, admin, {
        product: productId,
        policy: { allowOffline: true, features: [{ code: 'solver' }] },
      });
      const activated = (
        await call('/v1/offline/activate', { request: request(license.key, 'lab-seat') })
      ).json() as { machine: { id: string }; response: string };
      const secret = (await readFile(activated.response)).machine.deactivationSecret ?? '';
      // The machine was on the network once: it took the feature's only seat.
      const seat = { licenseKey: license.key, fingerprint: 'lab-seat' };
      const taken = await t.app.inject({
        method: 'POST',
        url: '/v1/client/features/solver/checkout',
        payload: seat,
      });
      assert.equal(taken.statusCode, 201, taken.body);
      const done = await call('/v1/offline/deactivate', {
        proof: proof(activated.machine.id, 'lab-seat', secret),
      });
      assert.equal(done.statusCode, 204, done.body);
      const leases = await t.db.kysely
        .selectFrom('leases')
        .select('status')
        .where('license_id', '=', license.id)
        .execute();
      assert.deepEqual(leases, [{ status: 'released' }]);
    });

    it('a proof that does not verify answers 401 OFFLINE_SIGNATURE_MISMATCH and leaves the machine active', async () => {
      const license = await createLicense(t, admin, { product: productId, policy: { allowOffline: true } });
      const body = (
        await call('/v1/offline/activate', { request: request(license.key, 'air-gapped-2') })
      ).json() as {
        machine: { id: string };
        response: string;
      };
      const secret = (await readFile(body.response)).machine.deactivationSecret ?? '';
      for (const bad of [
        proof(body.machine.id, 'air-gapped-2', 'not-the-secret'),
        proof(body.machine.id, 'another-fingerprint', secret),
      ]) {
        await expectError(
          await call('/v1/offline/deactivate', { proof: bad }),
          401,
          'OFFLINE_SIGNATURE_MISMATCH',
        );
      }
      assert.equal(await machineStatus(body.machine.id), 'active');
      await expectError(
        await call('/v1/offline/deactivate', {
          proof: proof('mach_01KAJ6ZQ4M9H3XG0C6V7T8W2YB', 'x', secret),
        }),
        422,
        'MACHINE_NOT_ACTIVATED',
      );
    });

    it('an empty, undecodable, unknown-version or reused request answers 400 OFFLINE_REQUEST_INVALID', async () => {
      const license = await createLicense(t, admin, {
        product: productId,
        policy: { allowOffline: true, maxMachines: 5 },
      });
      for (const bad of [
        '',
        '   ',
        '%%% not base64 %%%',
        encode('a string'),
        request(license.key, 'v2', { v: 2 }),
        encode({ v: 1 }),
      ]) {
        await expectError(
          await call('/v1/offline/activate', { request: bad }),
          400,
          'OFFLINE_REQUEST_INVALID',
        );
      }
      await expectError(await call('/v1/offline/deactivate', { proof: '' }), 400, 'OFFLINE_REQUEST_INVALID');
      const once = request(license.key, 'used-twice');
      assert.equal((await call('/v1/offline/activate', { request: once })).statusCode, 201);
      await expectError(
        await call('/v1/offline/activate', { request: once }),
        400,
        'OFFLINE_REQUEST_INVALID',
      );
    });

    it('a refused activation leaves its request usable: a machine limit freed, the same file activates', async () => {
      const license = await createLicense(t, admin, {
        product: productId,
        policy: { allowOffline: true, maxMachines: 1 },
      });
      const first = (
        await call('/v1/offline/activate', { request: request(license.key, 'first') })
      ).json() as {
        machine: { id: string };
      };
      const second = request(license.key, 'second');
      await expectError(
        await call('/v1/offline/activate', { request: second }),
        422,
        'MACHINE_LIMIT_EXCEEDED',
      );
      await t.app.inject({
        method: 'DELETE',
        url: `/v1/machines/${first.machine.id}`,
        headers: bearer(admin),
      });
      assert.equal((await call('/v1/offline/activate', { request: second })).statusCode, 201);
    });

    it('a policy without offline, and any floating policy, answer 422 OFFLINE_NOT_ALLOWED', async () => {
      const online = await createLicense(t, admin, { product: productId });
      await expectError(
        await call('/v1/offline/activate', { request: request(online.key, 'nope') }),
        422,
        'OFFLINE_NOT_ALLOWED',
      );
      const floating = await createLicense(t, admin, {
        product: productId,
        policy: { floating: true, maxMachines: 5 },
      });
      await expectError(
        await call('/v1/offline/activate', { request: request(floating.key, 'nope') }),
        422,
        'OFFLINE_NOT_ALLOWED',
      );
      await expectError(
        await call('/v1/offline/activate', { request: request('AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', 'nope') }),
        404,
        'LICENSE_NOT_FOUND',
      );
    });

    it('a key restricted to another product answers 403 PRODUCT_NOT_ALLOWED', async () => {
      const license = await createLicense(t, admin, { product: productId, policy: { allowOffline: true } });
      const other = (await createProduct(t, admin, { code: 'other', name: 'Other' })).id;
      const restricted = (await createKey(t, ['machines:write'], { productIds: [other] })).secret;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/offline/activate',
        headers: bearer(restricted),
        payload: { request: request(license.key, 'restricted') },
      });
      await expectError(res, 403, 'PRODUCT_NOT_ALLOWED');
    });
  });
}
