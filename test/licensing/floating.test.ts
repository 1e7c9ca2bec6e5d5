// Floating seats through HTTP, on both engines: checkout, extension, expiry by the clock (before any reaper), the
// reaper, heartbeats, release, borrowing, feature seat pools, management views, and exact counts under contention.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recentEvents } from '../../src/events/service.js';
import {
  activationSchema,
  checkoutSchema,
  heartbeatResultSchema,
} from '../../src/licensing/client/schemas.js';
import { reapLapsedLeases } from '../../src/licensing/floating/service.js';
import { bearer, createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { createLicense, createProduct } from '../support/factories.js';
import { dialects } from '../support/services.js';

type Lease = {
  id: string;
  licenseId: string;
  fingerprint: string;
  feature: string | null;
  status: string;
  expiresAt: string;
  borrowedUntil: string | null;
};

const decodeLicenseFile = (file: string) => {
  const body = file.split('\n').slice(1, -1).join('');
  const envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as { payload: string };
  return JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as {
    expiresAt: string;
    lease?: { id: string; expiresAt: string; borrowedUntil: string | null };
  };
};

for (const dialect of dialects()) {
  describe(`floating seats (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let product: { id: string; code: string };

    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    // The file's floating policy (two seats, ten-minute leases), which a test narrows with its own rules.
    const seats = { floating: true, maxMachines: 2, leaseSeconds: 600 };
    const checkout = async (licenseKey: string, fingerprint: string, status = 201) => {
      const res = await client('checkout', { licenseKey, fingerprint, hostname: `${fingerprint}.local` });
      assert.equal(res.statusCode, status, res.body);
      // The route writes its answer without Zod (mappedAnswerSerializer): hold it to its schema, no field beyond.
      assert.deepEqual(checkoutSchema.parse(res.json()), res.json());
      return res.json() as {
        lease: Lease;
        machine: { id: string };
        licenseFile: string;
        license: { id: string };
      };
    };
    const liveLeases = async (licenseId: string) =>
      ((await call('GET', `/v1/leases?licenseId=${licenseId}`)).json() as { data: Lease[] }).data;

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      product = await createProduct(t, admin, { code: 'cad', name: 'CAD' });
      for (const feature of [
        { code: 'render', name: 'Render', kind: 'floating', seats: 1 },
        { code: 'export', name: 'Export', kind: 'boolean' },
      ]) {
        const res = await call('POST', `/v1/products/${product.id}/features`, feature);
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(() => t.close());

    it('checkout grants seats up to the count, extends a held one, and a full pool answers FLOATING_NOT_AVAILABLE with a recorded denial', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: seats });
      const first = await checkout(license.key, 'fp-a');
      assert.equal(first.lease.licenseId, license.id);
      assert.equal(first.lease.feature, null);
      assert.equal(first.lease.status, 'active');
      assert.equal(Date.parse(first.lease.expiresAt) - t.clock.nowMs(), 600_000);
      // The license file ends with the lease.
      const payload = decodeLicenseFile(first.licenseFile);
      assert.equal(payload.expiresAt, first.lease.expiresAt);
      assert.equal(payload.lease?.id, first.lease.id);

      t.clock.advance(60_000);
      const again = await checkout(license.key, 'fp-a', 200);
      assert.equal(again.lease.id, first.lease.id);
      assert.equal(Date.parse(again.lease.expiresAt) - t.clock.nowMs(), 600_000);
      await checkout(license.key, 'fp-b');

      const denied = await client('checkout', { licenseKey: license.key, fingerprint: 'fp-c' });
      const body = expectError(denied, 422, 'FLOATING_NOT_AVAILABLE');
      assert.deepEqual(body.details, { limit: 2, used: 2, seats: 2, inUse: 2 });
      assert.equal(body.retryable, true);
      assert.equal((await liveLeases(license.id)).length, 2);

      const denials = (await call('GET', `/v1/leases/denials?licenseId=${license.id}`)).json() as {
        data: {
          licenseId: string;
          feature: string | null;
          fingerprint: string;
          seats: number;
          inUse: number;
          at: string;
        }[];
      };
      assert.equal(denials.data.length, 1);
      assert.deepEqual(
        { ...denials.data[0], id: undefined },
        {
          id: undefined,
          licenseId: license.id,
          feature: null,
          fingerprint: 'fp-c',
          seats: 2,
          inUse: 2,
          at: t.clock.now().toISOString(),
        },
      );
      const events = await recentEvents(t.db.kysely, {
        type: 'lease.denied',
        licenseId: license.id,
        limit: 10,
      });
      assert.equal(events.length, 1);
      const checkedOut = await recentEvents(t.db.kysely, {
        type: 'lease.checked_out',
        licenseId: license.id,
        limit: 10,
      });
      assert.equal(checkedOut.length, 2, 'an extension is not a new checkout');
    });

    it('a lapsed lease stops counting at once, before the reaper marks it expired and emits lease.expired', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 1 },
      });
      const held = await checkout(license.key, 'fp-old');
      await expectError(
        await client('checkout', { licenseKey: license.key, fingerprint: 'fp-new' }),
        422,
        'FLOATING_NOT_AVAILABLE',
      );
      t.clock.advance(600_000);
      // No reaper has run: the count ignores the lapsed lease all the same.
      const next = await checkout(license.key, 'fp-new');
      assert.notEqual(next.lease.id, held.lease.id);
      const old = (await call('GET', `/v1/leases/${held.lease.id}`)).json() as Lease;
      assert.equal(old.status, 'expired');

      // The old holder's heartbeat finds no seat.
      await expectError(
        await client('heartbeat', { licenseKey: license.key, fingerprint: 'fp-old' }),
        422,
        'LEASE_NOT_FOUND',
      );
      t.clock.advance(600_000);
      const reaped = await reapLapsedLeases({ db: t.db, clock: t.clock });
      assert.ok(reaped >= 2, `reaped ${reaped}`);
      const expired = await recentEvents(t.db.kysely, {
        type: 'lease.expired',
        licenseId: license.id,
        limit: 10,
      });
      assert.deepEqual(
        expired.map((event) => (event.data.object as Lease).id).sort(),
        [held.lease.id, next.lease.id].sort(),
      );
      assert.equal(await reapLapsedLeases({ db: t.db, clock: t.clock }), 0, 'each lease expires once');
      const ended = (await call('GET', `/v1/leases?licenseId=${license.id}&state=ended`)).json() as {
        data: Lease[];
      };
      assert.deepEqual(
        ended.data.map((lease) => lease.status),
        ['expired', 'expired'],
      );
      assert.deepEqual(await liveLeases(license.id), []);
    });

    it('heartbeats extend the seat; a released seat is free for another machine; release without a seat is LEASE_NOT_FOUND', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 1 },
      });
      await checkout(license.key, 'fp-1');
      t.clock.advance(500_000);
      const beat = await client('heartbeat', { licenseKey: license.key, fingerprint: 'fp-1' });
      assert.equal(beat.statusCode, 200, beat.body);
      assert.deepEqual(heartbeatResultSchema.parse(beat.json()), beat.json());
      const { lease } = beat.json() as { lease: Lease };
      assert.equal(Date.parse(lease.expiresAt) - t.clock.nowMs(), 600_000);
      t.clock.advance(500_000);
      // Still held thanks to the heartbeat.
      await expectError(
        await client('checkout', { licenseKey: license.key, fingerprint: 'fp-2' }),
        422,
        'FLOATING_NOT_AVAILABLE',
      );
      const released = await client('release', { licenseKey: license.key, fingerprint: 'fp-1' });
      assert.equal(released.statusCode, 204, released.body);
      await expectError(
        await client('release', { licenseKey: license.key, fingerprint: 'fp-1' }),
        422,
        'LEASE_NOT_FOUND',
      );
      await checkout(license.key, 'fp-2');
      const events = await recentEvents(t.db.kysely, {
        type: 'lease.released',
        licenseId: license.id,
        limit: 10,
      });
      assert.equal(events.length, 1);
    });

    it('validation of a floating machine answers LEASE_NOT_FOUND without a live seat and never MACHINE_LIMIT_EXCEEDED', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 1 },
      });
      const validate = async (fingerprint?: string) =>
        (
          await client('validate', { licenseKey: license.key, ...(fingerprint ? { fingerprint } : {}) })
        ).json() as { valid: boolean; code: string };
      assert.equal((await validate('fp-v1')).code, 'MACHINE_NOT_ACTIVATED');
      await checkout(license.key, 'fp-v1');
      assert.equal((await validate('fp-v1')).code, 'VALID');
      assert.equal(
        (await client('release', { licenseKey: license.key, fingerprint: 'fp-v1' })).statusCode,
        204,
      );
      assert.equal((await validate('fp-v1')).code, 'LEASE_NOT_FOUND');
      // Two machines have held the one seat in turn: the license is still valid (seats are the limit, not machines).
      await checkout(license.key, 'fp-v2');
      assert.equal((await validate()).code, 'VALID');
      assert.equal((await validate('fp-v2')).code, 'VALID');
    });

    it('activate on a floating license checks out a seat, so one client code path serves both kinds', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 1 },
      });
      const res = await client('activate', { licenseKey: license.key, fingerprint: 'fp-act' });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(activationSchema.parse(res.json()), res.json());
      const body = res.json() as { lease: Lease; machine: { fingerprint: string }; licenseFile: string };
      assert.equal(body.lease.fingerprint, 'fp-act');
      assert.equal(body.machine.fingerprint, 'fp-act');
      assert.equal(
        (await client('activate', { licenseKey: license.key, fingerprint: 'fp-act' })).statusCode,
        200,
      );
      await expectError(
        await client('activate', { licenseKey: license.key, fingerprint: 'fp-other' }),
        422,
        'FLOATING_NOT_AVAILABLE',
      );
    });

    it('checkout, borrow and release on a node-locked license answer NOT_FLOATING', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { code: 'locked', name: 'Locked' },
      });
      const body = { licenseKey: license.key, fingerprint: 'fp-x' };
      await expectError(await client('checkout', body), 422, 'NOT_FLOATING');
      await expectError(
        await client('borrow', { ...body, until: new Date(t.clock.nowMs() + 3600_000).toISOString() }),
        422,
        'NOT_FLOATING',
      );
      await expectError(await client('release', body), 422, 'NOT_FLOATING');
      await expectError(
        await client('checkout', { licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', fingerprint: 'x' }),
        404,
        'LICENSE_NOT_FOUND',
      );
    });

    it('borrowing keeps a seat without heartbeats until `until`, within maxBorrowSeconds; its file runs as long', async () => {
      const noBorrow = await createLicense(t, admin, { product: product.id, policy: seats });
      await checkout(noBorrow.key, 'fp-nb');
      const until = (ms: number) => new Date(t.clock.nowMs() + ms).toISOString();
      await expectError(
        await client('borrow', { licenseKey: noBorrow.key, fingerprint: 'fp-nb', until: until(3600_000) }),
        422,
        'BORROW_NOT_ALLOWED',
      );

      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 1, allowBorrow: true, maxBorrowSeconds: 7 * 86_400 },
      });
      const borrowBody = (fingerprint: string, ms: number) => ({
        licenseKey: license.key,
        fingerprint,
        until: until(ms),
      });
      await expectError(await client('borrow', borrowBody('fp-b', 3600_000)), 422, 'LEASE_NOT_FOUND');
      await checkout(license.key, 'fp-b');
      await expectError(await client('borrow', borrowBody('fp-b', -1000)), 422, 'BORROW_UNTIL_INVALID');
      const tooLong = expectError(
        await client('borrow', borrowBody('fp-b', 8 * 86_400_000)),
        422,
        'BORROW_UNTIL_INVALID',
      );
      assert.equal(tooLong.details?.maxBorrowSeconds, 7 * 86_400);
      const res = await client('borrow', borrowBody('fp-b', 3 * 86_400_000));
      assert.equal(res.statusCode, 200, res.body);
      const borrowed = res.json() as { lease: Lease; licenseFile: string };
      assert.equal(borrowed.lease.borrowedUntil, until(3 * 86_400_000));
      assert.equal(borrowed.lease.expiresAt, until(3 * 86_400_000));
      assert.equal(decodeLicenseFile(borrowed.licenseFile).expiresAt, until(3 * 86_400_000));
      // Two days without a heartbeat: the seat is still held.
      t.clock.advance(2 * 86_400_000);
      await expectError(
        await client('checkout', { licenseKey: license.key, fingerprint: 'fp-c' }),
        422,
        'FLOATING_NOT_AVAILABLE',
      );
      t.clock.advance(86_400_000);
      await checkout(license.key, 'fp-c');
    });

    it('floating features have their own seat pools; entitlement and kind are checked', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 3, features: [{ code: 'render' }, { code: 'export' }] },
      });
      const feature = (code: string, action: 'checkout' | 'release', fingerprint: string) =>
        client(`features/${code}/${action}`, { licenseKey: license.key, fingerprint });
      // The machine must hold the license first.
      await expectError(await feature('render', 'checkout', 'fp-r1'), 422, 'LEASE_NOT_FOUND');
      await checkout(license.key, 'fp-r1');
      await checkout(license.key, 'fp-r2');
      const first = await feature('render', 'checkout', 'fp-r1');
      assert.equal(first.statusCode, 201, first.body);
      assert.equal((first.json() as { lease: Lease }).lease.feature, 'render');
      assert.equal((await feature('render', 'checkout', 'fp-r1')).statusCode, 200);
      const full = expectError(await feature('render', 'checkout', 'fp-r2'), 422, 'FLOATING_NOT_AVAILABLE');
      assert.deepEqual(full.details, { limit: 1, used: 1, seats: 1, inUse: 1, feature: 'render' });
      await expectError(await feature('export', 'checkout', 'fp-r1'), 422, 'NOT_FLOATING');
      await expectError(await feature('nope', 'checkout', 'fp-r1'), 422, 'FEATURE_NOT_ENTITLED');
      await expectError(await feature('render', 'release', 'fp-r2'), 422, 'LEASE_NOT_FOUND');
      assert.equal((await feature('render', 'release', 'fp-r1')).statusCode, 204);
      assert.equal((await feature('render', 'checkout', 'fp-r2')).statusCode, 201);
      // A license's own entitlement can grant more seats than the product's default.
      await call('PATCH', `/v1/licenses/${license.id}`, { features: [{ code: 'render', seats: 2 }] });
      assert.equal((await feature('render', 'checkout', 'fp-r1')).statusCode, 201);
      // Releasing the license seat releases the holder's feature seats with it.
      assert.equal(
        (await client('release', { licenseKey: license.key, fingerprint: 'fp-r1' })).statusCode,
        204,
      );
      const live = await liveLeases(license.id);
      assert.deepEqual(live.map((lease) => [lease.fingerprint, lease.feature]).sort(), [
        ['fp-r2', null],
        ['fp-r2', 'render'],
      ]);
    });

    it('a node-locked license with a floating feature leases it to activated machines', async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { code: 'locked-render', name: 'L', maxMachines: 2, features: [{ code: 'render' }] },
      });
      await expectError(
        await client('features/render/checkout', { licenseKey: license.key, fingerprint: 'fp-n' }),
        422,
        'MACHINE_NOT_ACTIVATED',
      );
      const activated = await client('activate', { licenseKey: license.key, fingerprint: 'fp-n' });
      assert.equal(activated.statusCode, 201, activated.body);
      assert.deepEqual(activationSchema.parse(activated.json()), activated.json());
      assert.equal(
        (await client('features/render/checkout', { licenseKey: license.key, fingerprint: 'fp-n' }))
          .statusCode,
        201,
      );
      const beat = (await client('heartbeat', { licenseKey: license.key, fingerprint: 'fp-n' })).json() as {
        leases: Lease[];
        lease?: unknown;
      };
      assert.deepEqual(heartbeatResultSchema.parse(beat), beat);
      assert.deepEqual(
        beat.leases.map((lease) => lease.feature),
        ['render'],
      );
      assert.equal('lease' in beat, false);
    });

    it('operators see who holds seats and force a release; deactivating a machine frees its seats', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: seats });
      const a = await checkout(license.key, 'fp-m1');
      const b = await checkout(license.key, 'fp-m2');
      const live = await liveLeases(license.id);
      assert.deepEqual(live.map((lease) => lease.fingerprint).sort(), ['fp-m1', 'fp-m2']);
      const forced = await call('DELETE', `/v1/leases/${a.lease.id}`);
      assert.equal(forced.statusCode, 204, forced.body);
      await expectError(
        await client('heartbeat', { licenseKey: license.key, fingerprint: 'fp-m1' }),
        422,
        'LEASE_NOT_FOUND',
      );
      assert.equal(
        (await call('DELETE', `/v1/leases/${a.lease.id}`)).statusCode,
        204,
        'releasing twice changes nothing',
      );
      const audit = (await call('GET', `/v1/audit-log?targetId=${a.lease.id}`)).json() as {
        data: { action: string }[];
      };
      assert.deepEqual(
        audit.data.map((entry) => entry.action),
        ['lease.release'],
      );
      await expectError(await call('GET', '/v1/leases/lease_01JZZZZZZZZZZZZZZZZZZZZZZZ'), 404, 'NOT_FOUND');

      assert.equal((await call('DELETE', `/v1/machines/${b.machine.id}`)).statusCode, 204);
      assert.deepEqual(await liveLeases(license.id), []);
      await expectError(await call('GET', '/v1/leases?bogus=1'), 400, 'INVALID_QUERY');
    });

    it('a key restricted to another product sees none of these leases', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: seats });
      const held = await checkout(license.key, 'fp-vis');
      const other = await createProduct(t, admin, { code: 'other-prod', name: 'Other' });
      const restricted = (await createKey(t, ['licenses:read', 'licenses:write'], { productIds: [other.id] }))
        .secret;
      const list = await t.app.inject({ method: 'GET', url: '/v1/leases', headers: bearer(restricted) });
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual((list.json() as { data: unknown[] }).data, []);
      // Naming the license is the 404 of an unknown one: the filter tells it nothing about other products.
      expectError(
        await t.app.inject({
          method: 'GET',
          url: `/v1/leases?licenseId=${license.id}`,
          headers: bearer(restricted),
        }),
        404,
        'NOT_FOUND',
      );
      await expectError(
        await t.app.inject({
          method: 'DELETE',
          url: `/v1/leases/${held.lease.id}`,
          headers: bearer(restricted),
        }),
        404,
        'NOT_FOUND',
      );
    });

    it(`30 parallel checkouts on 5 seats give exactly 5 leases${dialect === 'postgres' ? ', across two app instances' : ''}`, async () => {
      const license = await createLicense(t, admin, {
        product: product.id,
        policy: { ...seats, maxMachines: 5 },
      });
      const apps = dialect === 'postgres' ? [t.app, await t.sibling()] : [t.app];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          client(
            'checkout',
            { licenseKey: license.key, fingerprint: `fp-par-${index}` },
            apps[index % apps.length],
          ),
        ),
      );
      const codes = results.map((res) => res.statusCode);
      assert.equal(codes.filter((code) => code === 201).length, 5, codes.join(','));
      assert.equal(codes.filter((code) => code === 422).length, 25);
      for (const res of results.filter((r) => r.statusCode === 422))
        expectError(res, 422, 'FLOATING_NOT_AVAILABLE');
      assert.equal((await liveLeases(license.id)).length, 5);
      const denials = (await call('GET', `/v1/leases/denials?licenseId=${license.id}&limit=200`)).json() as {
        data: unknown[];
      };
      assert.equal(denials.data.length, 25);
    });

    it('malformed seat requests answer 400 VALIDATION_ERROR', async () => {
      const license = await createLicense(t, admin, { product: product.id, policy: seats });
      await expectError(await client('checkout', { licenseKey: license.key }), 400, 'VALIDATION_ERROR');
      await expectError(
        await client('borrow', { licenseKey: license.key, fingerprint: 'x', until: 'tomorrow' }),
        400,
        'VALIDATION_ERROR',
      );
      await expectError(
        await client('features/NOT A CODE/checkout', { licenseKey: license.key, fingerprint: 'x' }),
        400,
        'VALIDATION_ERROR',
      );
    });
  });
}
