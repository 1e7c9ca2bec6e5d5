// The Client API through HTTP, on both engines: a vendor's day end to end, every validation code in its order,
// signed results, license files, heartbeats, churn limits, and exact limits under concurrent activation.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { canonicalJson } from '../../src/lib/canonical-json.js';
import { validationResultSchema } from '../../src/licensing/client/schemas.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { expectError } from '../support/expect-error.js';
import { activateMachine, createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type Result = {
  valid: boolean;
  code: string;
  license: { id: string; status: string; machinesCount: number } | null;
  machine: { id: string; status: string } | null;
};

for (const dialect of dialects()) {
  describe(`Client API (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string; code: string };

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: bearer(admin),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const client = (route: string, payload: Record<string, unknown>, app = t.app) =>
      app.inject({ method: 'POST', url: `/v1/client/${route}`, payload });
    const validate = async (payload: Record<string, unknown>) => {
      const res = await client('validate', payload);
      assert.equal(res.statusCode, 200, res.body);
      // The route writes its answer without Zod: hold every answer to the schema, with no field beyond it.
      const raw = res.json() as Record<string, unknown>;
      assert.deepEqual(validationResultSchema.parse(raw), raw);
      return raw as unknown as Result;
    };

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'studio', name: 'Studio' });
      await call('POST', `/v1/products/${product.id}/features`, {
        code: 'export',
        name: 'Export',
        kind: 'boolean',
      });
    });
    after(() => t.close());

    it("a vendor's day: issue, validate, activate to the limit and past it, deactivate, suspend, revoke, expire, delete", async () => {
      const customer = (await call('POST', '/v1/customers', { email: 'day@example.com' })).json() as {
        id: string;
      };
      const license = await createLicense(t, admin, {
        product: 'studio',
        policy: { code: 'day', name: 'Day', maxMachines: 2, durationSeconds: 30 * 86_400 },
        license: { customerId: customer.id },
      });

      assert.equal(
        (await validate({ licenseKey: 'NOPEX-NOPEX-NOPEX-NOPEX-NOPEX' })).code,
        'LICENSE_NOT_FOUND',
      );
      const plain = await validate({ licenseKey: license.key });
      assert.deepEqual([plain.valid, plain.code, plain.license?.id], [true, 'VALID', license.id]);
      assert.equal(
        (await validate({ licenseKey: license.key, fingerprint: 'laptop' })).code,
        'MACHINE_NOT_ACTIVATED',
      );

      const first = await client('activate', {
        licenseKey: license.key,
        fingerprint: 'laptop',
        hostname: 'dana-mbp',
        platform: 'macos',
      });
      assert.equal(first.statusCode, 201, first.body);
      const activation = first.json() as {
        machine: { id: string; fingerprint: string; status: string };
        license: { machinesCount: number };
        licenseFile: string;
      };
      assert.deepEqual(
        [activation.machine.fingerprint, activation.machine.status, activation.license.machinesCount],
        ['laptop', 'active', 1],
      );
      assert.match(activation.licenseFile, /^-----BEGIN CHARTER LICENSE FILE-----\n/);
      const again = await client('activate', { licenseKey: license.key, fingerprint: 'laptop' });
      assert.equal(again.statusCode, 200, 'activating an active fingerprint again is idempotent');
      assert.equal((again.json() as { machine: { id: string } }).machine.id, activation.machine.id);
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'desktop' })).statusCode,
        201,
      );
      const over = expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'tablet' }),
        422,
        'MACHINE_LIMIT_EXCEEDED',
      );
      assert.deepEqual(over.details, { limit: 2, used: 2 });
      const valid = await validate({ licenseKey: license.key, fingerprint: 'laptop' });
      assert.deepEqual(
        [valid.code, valid.machine?.id, valid.license?.machinesCount],
        ['VALID', activation.machine.id, 2],
      );

      assert.equal(
        (await client('deactivate', { licenseKey: license.key, fingerprint: 'desktop' })).statusCode,
        204,
      );
      expectError(
        await client('deactivate', { licenseKey: license.key, fingerprint: 'desktop' }),
        422,
        'MACHINE_NOT_ACTIVATED',
      );
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'tablet' })).statusCode,
        201,
      );
      const machines = (await call('GET', `/v1/machines?licenseId=${license.id}`)).json() as {
        data: { fingerprint: string; status: string }[];
      };
      assert.deepEqual(machines.data.map((machine) => `${machine.fingerprint}:${machine.status}`).sort(), [
        'desktop:deactivated',
        'laptop:active',
        'tablet:active',
      ]);

      await call('POST', `/v1/licenses/${license.id}/suspend`);
      assert.equal((await validate({ licenseKey: license.key })).code, 'LICENSE_SUSPENDED');
      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'laptop' }),
        422,
        'LICENSE_SUSPENDED',
      );
      await call('POST', `/v1/licenses/${license.id}/reinstate`);
      assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');

      t.clock.advance(31 * 86_400_000);
      const expired = await validate({ licenseKey: license.key });
      assert.deepEqual([expired.code, expired.license?.status], ['LICENSE_EXPIRED', 'expired']);
      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'laptop' }),
        422,
        'LICENSE_EXPIRED',
      );
      await call('POST', `/v1/licenses/${license.id}/renew`);
      assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');

      await call('POST', `/v1/licenses/${license.id}/revoke`);
      assert.equal((await validate({ licenseKey: license.key })).code, 'LICENSE_REVOKED');
      assert.equal((await call('DELETE', `/v1/licenses/${license.id}`)).statusCode, 204);
      assert.equal((await validate({ licenseKey: license.key })).code, 'LICENSE_NOT_FOUND');
    });

    it('a key with a wrong checksum group is LICENSE_NOT_FOUND', async () => {
      const license = await createLicense(t, admin, { product: product.id });
      const typo = `${license.key.slice(0, -1)}${license.key.endsWith('A') ? 'B' : 'A'}`;
      assert.equal((await validate({ licenseKey: typo })).code, 'LICENSE_NOT_FOUND');
      assert.equal((await validate({ licenseKey: license.key.toLowerCase() })).code, 'VALID');
    });

    it('validation answers PRODUCT_DISABLED, PRODUCT_MISMATCH, LICENSE_NOT_STARTED, TRIAL_EXPIRED and FEATURE_NOT_ENTITLED', async () => {
      const future = await createLicense(t, admin, {
        product: product.id,
        license: { startsAt: new Date(t.clock.nowMs() + 86_400_000).toISOString() },
      });
      assert.equal((await validate({ licenseKey: future.key })).code, 'LICENSE_NOT_STARTED');
      const trial = await createLicense(t, admin, {
        product: product.id,
        license: { trial: true, expiresAt: new Date(t.clock.nowMs() + 1000).toISOString() },
      });
      t.clock.advance(2000);
      assert.equal((await validate({ licenseKey: trial.key })).code, 'TRIAL_EXPIRED');
      const featured = await createLicense(t, admin, {
        product: product.id,
        policy: { features: [{ code: 'export' }] },
      });
      assert.equal((await validate({ licenseKey: featured.key, features: ['export'] })).code, 'VALID');
      assert.equal(
        (await validate({ licenseKey: featured.key, features: ['export', 'render'] })).code,
        'FEATURE_NOT_ENTITLED',
      );
      assert.equal(
        (await validate({ licenseKey: featured.key, productCode: 'other' })).code,
        'PRODUCT_MISMATCH',
      );
      assert.equal((await validate({ licenseKey: featured.key, productCode: 'studio' })).code, 'VALID');
      const other = await createProduct(t, admin, { code: 'paused', name: 'Paused' });
      const paused = await createLicense(t, admin, { product: other.id });
      await call('PATCH', `/v1/products/${other.id}`, { status: 'disabled' });
      assert.equal((await validate({ licenseKey: paused.key })).code, 'PRODUCT_DISABLED');
      expectError(
        await client('activate', { licenseKey: paused.key, fingerprint: 'x' }),
        422,
        'PRODUCT_DISABLED',
      );
    });

    it('a maintenance-strategy license stays VALID after its end, with maintenanceExpired', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { expirationStrategy: 'maintenance' },
        license: { expiresAt: new Date(t.clock.nowMs() + 1000).toISOString() },
      });
      t.clock.advance(2000);
      const result = (await client('validate', { licenseKey: license.key })).json() as {
        code: string;
        license: { maintenanceExpired: boolean };
      };
      assert.deepEqual([result.code, result.license.maintenanceExpired], ['VALID', true]);
    });

    it('blocked devices, virtual machines and inactive customers are refused at activation', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { allowVm: false, maxMachines: 5 },
      });
      await call('POST', '/v1/blocklist', {
        fingerprint: 'stolen',
        productId: product.id,
        reason: 'chargeback',
      });
      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'stolen' }),
        422,
        'DEVICE_BLOCKED',
      );
      assert.equal(
        (await validate({ licenseKey: license.key, fingerprint: 'stolen' })).code,
        'DEVICE_BLOCKED',
      );
      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'vm-1', isVm: true }),
        422,
        'VM_NOT_ALLOWED',
      );
      const customer = (
        await call('POST', '/v1/customers', { email: 'gone@example.com', status: 'inactive' })
      ).json() as { id: string };
      const owned = await createLicense(t, admin, {
        product: product.id,
        license: { customerId: customer.id },
      });
      expectError(
        await client('activate', { licenseKey: owned.key, fingerprint: 'pc' }),
        422,
        'CUSTOMER_INACTIVE',
      );
    });

    it('heartbeats keep a machine alive; silent past 2× heartbeatSeconds it is dead, freed, and must activate again', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { heartbeatSeconds: 60, maxMachines: 1 },
      });
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'node-a' })).statusCode,
        201,
      );
      t.clock.advance(100_000);
      const beat = await client('heartbeat', { licenseKey: license.key, fingerprint: 'node-a' });
      assert.equal(beat.statusCode, 200, beat.body);
      t.clock.advance(119_000);
      assert.equal((await validate({ licenseKey: license.key, fingerprint: 'node-a' })).code, 'VALID');
      t.clock.advance(2000);
      const dead = await validate({ licenseKey: license.key, fingerprint: 'node-a' });
      assert.deepEqual(
        [dead.code, dead.machine?.status, dead.license?.machinesCount],
        ['HEARTBEAT_DEAD', 'dead', 0],
      );
      expectError(
        await client('heartbeat', { licenseKey: license.key, fingerprint: 'node-a' }),
        422,
        'HEARTBEAT_DEAD',
      );
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'node-b' })).statusCode,
        201,
        'the dead machine no longer counts',
      );
      expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'node-a' }),
        422,
        'MACHINE_LIMIT_EXCEEDED',
      );
      expectError(
        await client('heartbeat', { licenseKey: license.key, fingerprint: 'node-z' }),
        422,
        'MACHINE_NOT_ACTIVATED',
      );
    });

    it('lowering maxMachines below the active count makes validation answer MACHINE_LIMIT_EXCEEDED', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 3 } });
      for (const fingerprint of ['a1', 'a2', 'a3']) await activateMachine(t, license.key, fingerprint);
      await call('PATCH', `/v1/licenses/${license.id}`, { maxMachines: 2 });
      assert.equal(
        (await validate({ licenseKey: license.key, fingerprint: 'a1' })).code,
        'MACHINE_LIMIT_EXCEEDED',
      );
    });

    it('maxDeactivations stops activate/deactivate churn (client and management alike)', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { maxMachines: 1, maxDeactivations: { count: 2, periodSeconds: 86_400 } },
      });
      for (const fingerprint of ['c1', 'c2']) {
        await client('activate', { licenseKey: license.key, fingerprint });
        assert.equal((await client('deactivate', { licenseKey: license.key, fingerprint })).statusCode, 204);
      }
      await client('activate', { licenseKey: license.key, fingerprint: 'c3' });
      const body = expectError(
        await client('deactivate', { licenseKey: license.key, fingerprint: 'c3' }),
        422,
        'DEACTIVATION_LIMIT_EXCEEDED',
      );
      assert.deepEqual(body.details, { limit: 2, used: 2 });
      const machines = (await call('GET', `/v1/machines?licenseId=${license.id}&status=active`)).json() as {
        data: { id: string }[];
      };
      expectError(
        await call('DELETE', `/v1/machines/${machines.data[0]?.id}`),
        422,
        'DEACTIVATION_LIMIT_EXCEEDED',
      );
      t.clock.advance(86_400_000);
      assert.equal(
        (await client('deactivate', { licenseKey: license.key, fingerprint: 'c3' })).statusCode,
        204,
      );
    });

    it('an activation-based policy starts the term at the first activation', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { expirationBasis: 'activation', durationSeconds: 3600 },
      });
      const before = (await call('GET', `/v1/licenses/${license.id}`)).json() as { expiresAt: string | null };
      assert.equal(before.expiresAt, null);
      t.clock.advance(5000);
      await client('activate', { licenseKey: license.key, fingerprint: 'first' });
      const afterActivation = (await call('GET', `/v1/licenses/${license.id}`)).json() as {
        expiresAt: string;
      };
      assert.equal(afterActivation.expiresAt, new Date(t.clock.nowMs() + 3600_000).toISOString());
    });

    it('a nonce makes a signed result that verifies against the public key over the canonical JSON', async () => {
      const license = await createLicense(t, admin, { product: product.id });
      const res = await client('validate', { licenseKey: license.key, nonce: 'nonce-12345678' });
      const body = res.json() as Record<string, unknown> & { signature: string; kid: string; nonce: string };
      assert.equal(body.nonce, 'nonce-12345678');
      const { signature, kid, ...signed } = body;
      const row = await t.db.kysely
        .selectFrom('signing_keys')
        .selectAll()
        .where('id', '=', kid)
        .executeTakeFirstOrThrow();
      const publicKey = createPublicKey({
        key: Buffer.from(row.public_key, 'base64'),
        format: 'der',
        type: 'spki',
      });
      assert.ok(
        verify(null, Buffer.from(canonicalJson(signed)), publicKey, Buffer.from(signature, 'base64')),
      );
      assert.ok(
        !verify(
          null,
          Buffer.from(canonicalJson({ ...signed, valid: false })),
          publicKey,
          Buffer.from(signature, 'base64'),
        ),
      );
      const unsigned = (await client('validate', { licenseKey: license.key })).json() as Record<
        string,
        unknown
      >;
      assert.equal(unsigned.signature, undefined);
    });

    if (dialect === 'sqlite') {
      it('validation reads what another process committed at once: a license suspended by the CLI', async () => {
        const license = await createLicense(t, admin, { product: product.id });
        assert.equal((await validate({ licenseKey: license.key })).code, 'VALID');
        const cli = await runCli(['licenses', 'suspend', license.id, '--json'], {
          CHARTER_DATA_DIR: t.config.dataDir,
        });
        assert.equal(cli.code, 0, cli.stderr);
        const after = await validate({ licenseKey: license.key });
        assert.deepEqual(
          [after.valid, after.code, after.license?.status],
          [false, 'LICENSE_SUSPENDED', 'suspended'],
        );
      });
    }

    it('the license file carries the signed payload for this machine', async () => {
      const license = await createLicense(t, admin, { product: product.id });
      const res = await client('activate', { licenseKey: license.key, fingerprint: 'filed' });
      const { licenseFile } = res.json() as { licenseFile: string };
      const lines = licenseFile.split('\n');
      assert.equal(lines.at(-1), '-----END CHARTER LICENSE FILE-----');
      assert.ok(lines.slice(1, -1).every((line) => line.length <= 64));
      const envelope = JSON.parse(
        Buffer.from(lines.slice(1, -1).join(''), 'base64').toString('utf8'),
      ) as Record<string, string>;
      assert.deepEqual([envelope.v, envelope.alg], [1, 'Ed25519']);
      const payloadBytes = Buffer.from(envelope.payload ?? '', 'base64url');
      const row = await t.db.kysely
        .selectFrom('signing_keys')
        .selectAll()
        .where('id', '=', envelope.kid ?? '')
        .executeTakeFirstOrThrow();
      const publicKey = createPublicKey({
        key: Buffer.from(row.public_key, 'base64'),
        format: 'der',
        type: 'spki',
      });
      assert.ok(verify(null, payloadBytes, publicKey, Buffer.from(envelope.sig ?? '', 'base64url')));
      const payload = JSON.parse(payloadBytes.toString('utf8')) as {
        license: { key: string; productCode: string };
        machine: { fingerprint: string };
      };
      assert.deepEqual(
        [payload.license.key, payload.license.productCode, payload.machine.fingerprint],
        [license.key, 'studio', 'filed'],
      );
    });

    it('license-file answers a fresh signed file for an activated machine, and refuses one that may not run', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { licenseFileTtlSeconds: 3600 },
      });
      await activateMachine(t, license.key, 'refresh');
      t.clock.advance(60_000);
      const res = await client('license-file', { licenseKey: license.key, fingerprint: 'refresh' });
      assert.equal(res.statusCode, 200, res.body);
      const { licenseFile } = res.json() as { licenseFile: string };
      const lines = licenseFile.split('\n');
      assert.equal(lines[0], '-----BEGIN CHARTER LICENSE FILE-----');
      const envelope = JSON.parse(Buffer.from(lines.slice(1, -1).join(''), 'base64').toString('utf8')) as {
        payload: string;
      };
      const payload = JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as {
        machine: { fingerprint: string };
        issuedAt: string;
        expiresAt: string;
      };
      assert.equal(payload.machine.fingerprint, 'refresh');
      assert.equal(payload.issuedAt, t.clock.now().toISOString());
      assert.equal(Date.parse(payload.expiresAt) - Date.parse(payload.issuedAt), 3_600_000);

      await expectError(
        await client('license-file', { licenseKey: license.key, fingerprint: 'elsewhere' }),
        422,
        'MACHINE_NOT_ACTIVATED',
      );
      await expectError(
        await client('license-file', { licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', fingerprint: 'refresh' }),
        404,
        'LICENSE_NOT_FOUND',
      );
      await call('POST', `/v1/licenses/${license.id}/suspend`);
      await expectError(
        await client('license-file', { licenseKey: license.key, fingerprint: 'refresh' }),
        422,
        'LICENSE_SUSPENDED',
      );
    });

    it('malformed client requests answer 400 VALIDATION_ERROR', async () => {
      for (const [route, payload] of [
        ['validate', {}],
        ['validate', { licenseKey: '' }],
        ['activate', { licenseKey: 'X' }],
        ['activate', { licenseKey: 'X', fingerprint: 'f'.repeat(256) }],
        ['deactivate', { fingerprint: 'x' }],
      ] as const) {
        expectError(await client(route, payload), 400, 'VALIDATION_ERROR');
      }
      expectError(
        await client('activate', { licenseKey: 'NOPEX-NOPEX-NOPEX-NOPEX-NOPEX', fingerprint: 'x' }),
        404,
        'LICENSE_NOT_FOUND',
      );
    });

    it(`40 parallel activations of distinct fingerprints against maxMachines 7 give exactly 7 machines${dialect === 'postgres' ? ', across two app instances' : ''}`, async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: { maxMachines: 7 } });
      const second = dialect === 'postgres' ? await t.sibling() : t.app;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          client(
            'activate',
            { licenseKey: license.key, fingerprint: `fp-${index}` },
            index % 2 ? second : t.app,
          ),
        ),
      );
      const statuses = results.map((res) => res.statusCode);
      assert.equal(statuses.filter((status) => status === 201).length, 7, JSON.stringify(statuses));
      assert.equal(statuses.filter((status) => status === 422).length, 33);
      const rows = await t.db.kysely
        .selectFrom('machines')
        .select('id')
        .where('license_id', '=', license.id)
        .where('status', '=', 'active')
        .execute();
      assert.equal(rows.length, 7);
    });
  });
}
