// Machines of the Management API: reading and listing them, deactivation by id and by an air-gapped machine's
// proof. Activation and deactivation themselves are one path each (activation.ts, deactivation.ts); the limits
// are limits.ts; a machine as answered and its liveness, machine.ts.
import { createHmac } from 'node:crypto';
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import { rememberNonce } from '../../access/request-signing/service.js';
import { readPage } from '../../db/pagination.js';
import type { MachinesTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Sealer } from '../../lib/sealing.js';
import { safeEqual } from '../../lib/secrets.js';
import { getLicenseRowOrThrow } from '../licenses/service.js';
import { policyRowsByIds } from '../policies/service.js';
import type { CatalogDeps } from '../products/service.js';
import { canSeeProduct, visibleProducts } from '../visibility.js';
import { deactivateMachine } from './deactivation.js';
import { toMachine } from './machine.js';
import type { Machine } from './schemas.js';
import {
  activeMachinesWhere,
  findActiveMachine,
  findMachine,
  licensesOfMachines,
  listMachines,
  touchMachine,
} from './store.js';

const visibleMachineOrThrow = async (db: Executor, caller: Caller, id: string) => {
  const row = await findMachine(db, id);
  const [license] = row ? await licensesOfMachines(db, [row.license_id]) : [];
  if (!row || !license || !canSeeProduct(caller.principal, license.product_id))
    throw new AppError('NOT_FOUND', `No machine ${id}`);
  const policy = (await policyRowsByIds(db, [license.policy_id])).get(license.policy_id);
  if (!policy) throw new Error(`License ${license.id} names a policy that does not exist`);
  return { row, policy };
};

/** Machines as answered: each with the heartbeat rule of its license's policy (for its derived status). */
const presentMachines = async (db: Executor, rows: MachinesTable[], nowMs: number): Promise<Machine[]> => {
  const licenses = await licensesOfMachines(db, [...new Set(rows.map((row) => row.license_id))]);
  const policies = await policyRowsByIds(
    db,
    licenses.map((license) => license.policy_id),
  );
  const heartbeatOf = new Map(
    licenses.map((license) => [license.id, policies.get(license.policy_id)?.heartbeat_seconds ?? null]),
  );
  return rows.map((row) => toMachine(row, heartbeatOf.get(row.license_id) ?? null, nowMs));
};

export const getMachine = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
): Promise<Machine> => {
  const { row, policy } = await visibleMachineOrThrow(db.kysely, caller, id);
  return toMachine(row, policy.heartbeat_seconds, clock.nowMs());
};

export const machinePage = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  query: {
    limit: number;
    cursor?: string | undefined;
    licenseId?: string | undefined;
    status?: Machine['status'] | undefined;
    fingerprint?: string | undefined;
  },
) => {
  // A filter naming a license that does not exist (or that the caller may not see) is 404, never an empty list.
  if (query.licenseId !== undefined) await getLicenseRowOrThrow(db.kysely, caller.principal, query.licenseId);
  const nowMs = clock.nowMs();
  const page = await readPage(
    query,
    (window) =>
      listMachines(db.kysely, {
        after: window.after,
        licenseId: query.licenseId,
        productIds: visibleProducts(caller.principal),
        status: query.status,
        fingerprint: query.fingerprint,
        limit: window.limit,
      }),
    (rows) => presentMachines(db.kysely, rows, nowMs),
  );
  // `active` and `dead` share a stored status; the derived one decides.
  return query.status === 'active' || query.status === 'dead'
    ? { ...page, data: page.data.filter((machine) => machine.status === query.status) }
    : page;
};

/**
 * The portal's machines: those a license user activated, or those of a customer's licenses (active and dead,
 * at most 1,000), with the license each belongs to.
 */
export const portalMachines = async (
  { db, clock }: CatalogDeps,
  filter: { userId: string } | { customerId: string },
): Promise<Machine[]> => {
  return presentMachines(db.kysely, await activeMachinesWhere(db.kysely, filter), clock.nowMs());
};

/** DELETE /v1/machines/{id}: deactivates (frees the slot), within the policy's churn limit. */
export const deactivateMachineById = async (
  { db, clock }: CatalogDeps,
  caller: Caller,
  id: string,
): Promise<void> => {
  await transaction(db, (tx) => deactivateMachineByIdIn({ clock }, tx, caller, id));
};

/** deactivateMachineById inside the caller's transaction (an approved action); false when already deactivated. */
export const deactivateMachineByIdIn = async (
  { clock }: Pick<CatalogDeps, 'clock'>,
  tx: Executor,
  caller: Caller,
  id: string,
): Promise<boolean> => {
  const { row, policy } = await visibleMachineOrThrow(tx, caller, id);
  if (row.status === 'deactivated') return false;
  await deactivateMachine(tx, row, policy, clock.nowMs());
  await recordAudit(tx, clock, caller.audit, {
    action: 'machine.deactivate',
    target: { type: 'machine', id },
  });
  return true;
};

/** A deactivation proof of an air-gapped machine (api.md "Offline activation"), decoded. */
export interface DeactivationProof {
  machineId: string;
  fingerprint: string;
  nonce: string;
  hmac: string;
}

/** The proof's HMAC: hex HMAC-SHA256(deactivationSecret, machineId + fingerprint + nonce). */
export const deactivationProofHmac = (secret: string, proof: Omit<DeactivationProof, 'hmac'>): string =>
  createHmac('sha256', secret).update(`${proof.machineId}${proof.fingerprint}${proof.nonce}`).digest('hex');

/** Offline nonces are kept this long: a proof or request is refused as a replay for a year. */
const offlineNonceLifetimeMs = 366 * 24 * 3600_000;

/**
 * POST /v1/offline/deactivate: a machine activated offline deactivates with the proof its client made. A machine
 * that is not active (a replayed proof included) answers MACHINE_NOT_ACTIVATED; a proof that does not verify,
 * OFFLINE_SIGNATURE_MISMATCH.
 */
export const deactivateOfflineMachine = async (
  { db, clock, sealer }: CatalogDeps & { sealer: Sealer },
  caller: Caller,
  proof: DeactivationProof,
): Promise<void> => {
  await transaction(db, async (tx) => {
    const notActive = () => new AppError('MACHINE_NOT_ACTIVATED', `Machine ${proof.machineId} is not active`);
    const { row, policy } = await visibleMachineOrThrow(tx, caller, proof.machineId).catch((error) => {
      throw error instanceof AppError && error.code === 'NOT_FOUND' ? notActive() : error;
    });
    if (row.status !== 'active') throw notActive();
    const expected =
      row.deactivation_secret === null || row.fingerprint !== proof.fingerprint
        ? undefined
        : deactivationProofHmac(sealer.open(row.deactivation_secret).toString('utf8'), proof);
    if (expected === undefined || !safeEqual(expected, proof.hmac.toLowerCase())) {
      throw new AppError(
        'OFFLINE_SIGNATURE_MISMATCH',
        `The deactivation proof for machine ${row.id} does not verify`,
      );
    }
    const now = clock.nowMs();
    if (
      !(await rememberNonce(tx, `offline-deactivate:${row.id}:${proof.nonce}`, now + offlineNonceLifetimeMs))
    )
      throw notActive();
    await deactivateMachine(tx, row, policy, now);
    await recordAudit(tx, clock, caller.audit, {
      action: 'machine.deactivate',
      target: { type: 'machine', id: row.id },
      changes: { offline: [null, true] },
    });
  });
};

/** Claims an offline activation request's nonce; false when it was used before. */
export const claimOfflineRequest = (db: Executor, nonce: string, nowMs: number): Promise<boolean> =>
  rememberNonce(db, `offline-activate:${nonce}`, nowMs + offlineNonceLifetimeMs);

/** This fingerprint's active machine on a license (alive or dead: a dead one is still an active row). */
export const activeMachineOf = (db: Executor, licenseId: string, fingerprint: string) =>
  findActiveMachine(db, licenseId, fingerprint);

/** A heartbeat: the machine was seen now. */
export const recordHeartbeat = (db: Executor, machineId: string, nowMs: number) =>
  touchMachine(db, machineId, nowMs);
