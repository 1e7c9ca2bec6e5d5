// Actions under four eyes through HTTP, on both engines: an activation anomaly proposes suspend_license, a second
// operator approves and the license is suspended in the same transaction; approving again is 409, the proposer
// approving is 403, an expired proposal cannot be approved, a failing execution keeps the decision, and
// CHARTER_REQUIRE_APPROVAL closes the direct routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ruleAuditContext } from '../../src/access/audit/service.js';
import type { Action } from '../../src/ops/actions/schemas.js';
import { proposeActionIn } from '../../src/ops/actions/service.js';
import { evaluateRule } from '../../src/ops/incidents/engine.js';
import { activationAnomalyRule } from '../../src/ops/incidents/rules/activation-anomaly.js';
import type { Incident } from '../../src/ops/incidents/schemas.js';
import { bearer, createKey, operatorSession, type SignedIn, signIn } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { activateMachine, createLicense } from '../support/factories.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`actions and approvals (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let owner: SignedIn;
    let otherAdmin: SignedIn;
    let operator: SignedIn;
    let viewer: SignedIn;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const as = (who: SignedIn, method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { cookie: who.cookie, ...(method === 'POST' ? { 'x-csrf-token': who.csrfToken } : {}) },
        ...(payload ? { payload } : {}),
      });
    const actionDeps = () => ({ db: t.db, clock: t.clock, sealer: t.sealer, ttlMs: 72 * 3_600_000 });
    const licenseStatus = async (id: string) =>
      ((await call('GET', `/v1/licenses/${id}`)).json() as { status: string }).status;

    before(async () => {
      t = await withApp({
        dialect,
        config: { CHARTER_RATE_LIMIT_CLIENT_KEY: 0, CHARTER_RATE_LIMIT_CLIENT_IP: 0 },
      });
      admin = (await createKey(t, ['admin'])).secret;
      owner = await operatorSession(t, 'owner');
      otherAdmin = await operatorSession(t, 'admin');
      operator = await operatorSession(t, 'operator');
      viewer = await operatorSession(t, 'viewer');
    });
    after(() => t.close());

    it('an activation anomaly opens an incident proposing suspend_license; a second operator approves and the license is suspended', async () => {
      const license = await createLicense(t, admin, { policy: { maxMachines: 1 } });
      await activateMachine(t, license.key, 'owner-laptop');
      // Seven devices try the one-machine key within a day: more than 3 × its limit.
      for (let index = 0; index < 6; index++)
        expectError(
          await client('activate', { licenseKey: license.key, fingerprint: `shared-${index}` }),
          422,
          'MACHINE_LIMIT_EXCEEDED',
        );
      await t.app.close().catch(() => {}); // flushes the usage recorder (attempts are written every few seconds)
      t = { ...t, app: await t.sibling() };
      const rule = activationAnomalyRule(3, (tx, proposal) =>
        proposeActionIn(actionDeps(), tx, ruleAuditContext('activation_anomaly'), proposal),
      );
      const first = await evaluateRule({ db: t.db, clock: t.clock }, rule);
      assert.equal(first.opened, 1);
      assert.equal((await evaluateRule({ db: t.db, clock: t.clock }, rule)).opened, 0);
      const [incident] = (
        (await call('GET', `/v1/incidents?kind=activation_anomaly&subject=${license.id}`)).json() as {
          data: Incident[];
        }
      ).data;
      assert.ok(incident);
      assert.equal(incident.details.devices, 7);
      assert.deepEqual(
        incident.timeline.map((entry) => entry.type),
        ['opened', 'action_proposed'],
      );
      const [proposed] = (
        (await as(viewer, 'GET', `/v1/actions?incidentId=${incident.id}`)).json() as {
          data: Action[];
        }
      ).data;
      assert.ok(proposed);
      assert.deepEqual(
        [proposed.kind, proposed.params, proposed.status, proposed.proposedBy.type],
        ['suspend_license', { licenseId: license.id }, 'pending', 'rule'],
      );
      // A viewer reads but may not decide; an operator may propose but not approve.
      expectError(await as(viewer, 'POST', `/v1/actions/${proposed.id}/approve`), 403, 'AUTH_INSUFFICIENT');
      expectError(await as(operator, 'POST', `/v1/actions/${proposed.id}/approve`), 403, 'AUTH_INSUFFICIENT');

      const approved = await as(owner, 'POST', `/v1/actions/${proposed.id}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      const done = approved.json() as Action;
      assert.deepEqual(
        [done.status, done.decidedBy?.type, done.decidedBy?.id],
        ['executed', 'operator', owner.operatorId],
      );
      assert.equal((done.result as { status: string }).status, 'suspended');
      assert.equal(await licenseStatus(license.id), 'suspended');
      // The suspension is the approver's change, in the audit trail beside the decision.
      const audit = await t.db.kysely
        .selectFrom('audit_log')
        .select(['action', 'actor_id'])
        .orderBy('id')
        .execute();
      assert.ok(
        audit.some((entry) => entry.action === 'license.suspend' && entry.actor_id === owner.operatorId),
      );
      assert.ok(
        audit.some((entry) => entry.action === 'action.approve' && entry.actor_id === owner.operatorId),
      );
      const events = (
        await t.db.kysely.selectFrom('events').select('type').where('subject_id', '=', proposed.id).execute()
      ).map((event) => event.type);
      assert.deepEqual(events, ['action.proposed', 'action.approved', 'action.executed']);

      // Key sharing is an operator's to resolve: a day later, with no attempts left in the window, it stays open.
      t.clock.advance(25 * 3_600_000);
      assert.equal((await evaluateRule({ db: t.db, clock: t.clock }, rule)).resolved, 0);
      assert.equal(((await call('GET', `/v1/incidents/${incident.id}`)).json() as Incident).status, 'open');
      owner = await signIn(t, owner.email);
      otherAdmin = await signIn(t, otherAdmin.email);
      operator = await signIn(t, operator.email);
      viewer = await signIn(t, viewer.email);

      const again = expectError(
        await as(otherAdmin, 'POST', `/v1/actions/${proposed.id}/approve`),
        409,
        'INVALID_TRANSITION',
      );
      assert.equal(again.message, 'Action is not pending approval (current status: executed)');
    });

    it('the proposer approving their own action answers 403 SELF_APPROVAL_FORBIDDEN; someone else rejects it', async () => {
      const license = await createLicense(t, admin);
      const proposed = await as(owner, 'POST', '/v1/actions', {
        kind: 'revoke_license',
        params: { licenseId: license.id },
        reason: 'chargeback',
      });
      assert.equal(proposed.statusCode, 201, proposed.body);
      const action = proposed.json() as Action;
      assert.equal(proposed.headers.location, `/v1/actions/${action.id}`);
      expectError(
        await as(owner, 'POST', `/v1/actions/${action.id}/approve`),
        403,
        'SELF_APPROVAL_FORBIDDEN',
      );
      expectError(
        await as(otherAdmin, 'POST', `/v1/actions/${action.id}/reject`, { reason: '' }),
        400,
        'VALIDATION_ERROR',
      );
      const rejected = await as(otherAdmin, 'POST', `/v1/actions/${action.id}/reject`, {
        reason: 'refund instead',
      });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.deepEqual(
        [(rejected.json() as Action).status, (rejected.json() as Action).decisionReason],
        ['rejected', 'refund instead'],
      );
      assert.equal(await licenseStatus(license.id), 'active');
      expectError(
        await as(otherAdmin, 'POST', `/v1/actions/${action.id}/approve`),
        409,
        'INVALID_TRANSITION',
      );
    });

    it('a proposal past its end shows expired and cannot be approved', async () => {
      const license = await createLicense(t, admin, {
        license: { expiresAt: new Date(t.clock.nowMs() + 86_400_000).toISOString() },
      });
      const action = (
        await as(operator, 'POST', '/v1/actions', {
          kind: 'extend_license',
          params: { licenseId: license.id, seconds: 86_400 },
          reason: 'goodwill',
        })
      ).json() as Action;
      t.clock.advance(73 * 3_600_000);
      // Sessions end after 12 hours: sign in again.
      owner = await signIn(t, owner.email);
      operator = await signIn(t, operator.email);
      otherAdmin = await signIn(t, otherAdmin.email);
      assert.equal(((await as(owner, 'GET', `/v1/actions/${action.id}`)).json() as Action).status, 'expired');
      const refused = expectError(
        await as(owner, 'POST', `/v1/actions/${action.id}/approve`),
        409,
        'INVALID_TRANSITION',
      );
      assert.equal(refused.message, 'Action is not pending approval (current status: expired)');
      const expired = (await as(owner, 'GET', '/v1/actions?status=expired')).json() as { data: Action[] };
      assert.ok(expired.data.some((listed) => listed.id === action.id));
    });

    it('an execution that fails answers failed with its error; the decision is kept and nothing else changes', async () => {
      const license = await createLicense(t, admin);
      await call('POST', `/v1/licenses/${license.id}/revoke`);
      const action = (
        await as(operator, 'POST', '/v1/actions', {
          kind: 'suspend_license',
          params: { licenseId: license.id },
          reason: 'abuse',
        })
      ).json() as Action;
      const res = await as(owner, 'POST', `/v1/actions/${action.id}/approve`);
      assert.equal(res.statusCode, 200, res.body);
      const failed = res.json() as Action;
      assert.deepEqual(
        [failed.status, failed.error?.code, failed.decidedBy?.id],
        ['failed', 'INVALID_TRANSITION', owner.operatorId],
      );
      assert.equal(await licenseStatus(license.id), 'revoked');
    });

    it('every kind executes what its direct route does', async () => {
      const license = await createLicense(t, admin, {
        policy: { maxMachines: 3, floating: false },
        license: { expiresAt: new Date(t.clock.nowMs() + 10 * 86_400_000).toISOString() },
      });
      const machine = (await activateMachine(t, license.key, 'act-1')).machine;
      const floating = await createLicense(t, admin, {
        policy: { floating: true, maxMachines: 1, leaseSeconds: 3600 },
      });
      const lease = (
        (await client('checkout', { licenseKey: floating.key, fingerprint: 'act-seat' })).json() as {
          lease: { id: string };
        }
      ).lease;
      const run = async (kind: string, params: object) => {
        const action = (
          await as(operator, 'POST', '/v1/actions', { kind, params, reason: 'test' })
        ).json() as Action;
        const done = (await as(owner, 'POST', `/v1/actions/${action.id}/approve`)).json() as Action;
        assert.equal(done.status, 'executed', `${kind}: ${JSON.stringify(done.error)}`);
        return done.result as Record<string, unknown>;
      };
      const before = ((await call('GET', `/v1/licenses/${license.id}`)).json() as { expiresAt: string })
        .expiresAt;
      const extended = await run('extend_license', { licenseId: license.id, seconds: 86_400 });
      assert.equal(Date.parse(extended.expiresAt as string) - Date.parse(before), 86_400_000);
      assert.equal((await run('set_max_machines', { licenseId: license.id, maxMachines: 5 })).maxMachines, 5);
      assert.deepEqual(await run('deactivate_machine', { machineId: machine.id }), {
        machineId: machine.id,
        deactivated: true,
      });
      assert.deepEqual(await run('release_lease', { leaseId: lease.id }), {
        leaseId: lease.id,
        released: true,
      });
      assert.equal(
        (await run('block_device', { fingerprint: 'stolen-device' })).fingerprint,
        'stolen-device',
      );
      assert.equal((await run('suspend_license', { licenseId: license.id })).status, 'suspended');
      assert.equal((await run('reinstate_license', { licenseId: license.id })).status, 'active');
      assert.equal((await run('revoke_license', { licenseId: license.id })).status, 'revoked');
      expectError(
        await as(operator, 'POST', '/v1/actions', {
          kind: 'extend_license',
          params: { licenseId: license.id },
          reason: 'x',
        }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await as(operator, 'POST', '/v1/actions', {
          kind: 'suspend_license',
          params: { licenseId: license.id },
          reason: 'x',
          incidentId: 'inc_missing',
        }),
        400,
        'VALIDATION_ERROR',
      );
    });
  });

  describe(`CHARTER_REQUIRE_APPROVAL (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await withApp({ dialect, config: { CHARTER_REQUIRE_APPROVAL: 'revoke_license,set_max_machines' } });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(() => t.close());

    it('a listed kind answers 403 FORBIDDEN on its direct route, naming /v1/actions; the rest stay direct', async () => {
      const license = await createLicense(t, admin);
      const call = managementCalls(
        () => t,
        () => admin,
      );
      const revoke = expectError(await call('POST', `/v1/licenses/${license.id}/revoke`), 403, 'FORBIDDEN');
      assert.match(revoke.message, /POST \/v1\/actions/);
      assert.deepEqual(revoke.details, { kind: 'revoke_license', route: '/v1/actions' });
      expectError(await call('PATCH', `/v1/licenses/${license.id}`, { maxMachines: 9 }), 403, 'FORBIDDEN');
      assert.equal(
        (await call('PATCH', `/v1/licenses/${license.id}`, { metadata: { a: 1 } })).statusCode,
        200,
      );
      assert.equal((await call('POST', `/v1/licenses/${license.id}/suspend`)).statusCode, 200);
      const rows = await t.db.kysely
        .selectFrom('licenses')
        .select('status')
        .where('id', '=', license.id)
        .execute();
      assert.deepEqual(rows, [{ status: 'suspended' }]);
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/actions',
        headers: bearer(admin),
        payload: {
          kind: 'revoke_license',
          params: { licenseId: license.id },
          reason: 'through the approval route',
        },
      });
      assert.equal(res.statusCode, 201, res.body);
    });

    it('an unknown kind in CHARTER_REQUIRE_APPROVAL stops the app from building, naming it', async () => {
      await assert.rejects(
        withApp({ dialect, config: { CHARTER_REQUIRE_APPROVAL: 'revoke_licence' } }),
        /revoke_licence/,
      );
    });
  });
}
