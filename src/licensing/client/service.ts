// The Client API: validate (checks in api.md's order, answered as a result, optionally signed), activate
// (idempotent per fingerprint, limits exact under concurrency), deactivate (within the churn limit), heartbeat.
import { type KeyRing, signOffThread } from '../../access/signing-keys/service.js';
import type { Database } from '../../db/connection.js';
import type { MachinesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { WriteBatcher } from '../../db/write-batcher.js';
import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import { buildLicenseFile, licenseFileExpiry } from '../license-files/license-file.js';
import { hasValidChecksum, licenseKeyHash, normalizeLicenseKey } from '../licenses/license-key.js';
import { recordFirstActivation, toLicense } from '../licenses/service.js';
import { effectiveStatus } from '../licenses/state.js';
import {
  activeMachinesOf,
  assertDeactivationAllowed,
  findActiveMachine,
  insertMachine,
  isDead,
  toMachine,
  updateMachineRow,
} from '../machines/service.js';
import { startTrial } from '../trials/service.js';
import { assignedUserByEmail } from '../users/service.js';
import type { ActivateBody, MachineBody, ValidateBody, ValidationResult } from './schemas.js';
import { type ClientLicense, findClientLicense, readForActivation, readForValidation } from './store.js';

export interface ClientDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  keyRing: KeyRing;
  /** Activations and deactivations commit in groups on SQLite (see db/write-batcher.ts). */
  writes: WriteBatcher;
}

const liveMachineCount = (
  machines: Pick<MachinesTable, 'last_seen_at'>[],
  heartbeatSeconds: number | null,
  nowMs: number,
) =>
  machines.filter(
    (machine) => !isDead({ status: 'active', last_seen_at: machine.last_seen_at }, heartbeatSeconds, nowMs),
  ).length;

const entitledCodes = (found: ClientLicense): Set<string> =>
  new Set(
    (JSON.parse(found.license.features ?? found.policy.features) as { code: string }[]).map(
      (feature) => feature.code,
    ),
  );

const present = (deps: ClientDeps, found: ClientLicense, machinesCount: number, nowMs: number) =>
  toLicense(found.license, found.policy, { nowMs, machinesCount, sealer: deps.sealer, showKey: false });

const keyOf = (licenseKey: string) => {
  const normalized = normalizeLicenseKey(licenseKey);
  return { normalized, checksumOk: hasValidChecksum(normalized), hash: licenseKeyHash(normalized) };
};

/** The state checks every client call starts with, in api.md's order; answers the first failing code. */
const stateFailure = (
  found: ClientLicense,
  nowMs: number,
  options: { productCode?: string | undefined },
): [ErrorCode, string] | undefined => {
  const { license, policy, product } = found;
  if (license.status === 'revoked') return ['LICENSE_REVOKED', `License ${license.id} was revoked`];
  if (license.status === 'suspended') return ['LICENSE_SUSPENDED', `License ${license.id} is suspended`];
  if (product.status === 'disabled') return ['PRODUCT_DISABLED', `Product ${product.code} is disabled`];
  if (options.productCode !== undefined && options.productCode !== product.code) {
    return [
      'PRODUCT_MISMATCH',
      `License ${license.id} is for product ${product.code}, not ${options.productCode}`,
    ];
  }
  if (license.starts_at > nowMs)
    return [
      'LICENSE_NOT_STARTED',
      `License ${license.id} starts at ${new Date(license.starts_at).toISOString()}`,
    ];
  const { status } = effectiveStatus(license.status, license.expires_at, policy.expiration_strategy, nowMs);
  if (status === 'expired' && license.trial === 1) return ['TRIAL_EXPIRED', `The trial ${license.id} ended`];
  if (status === 'expired')
    return [
      'LICENSE_EXPIRED',
      `License ${license.id} expired at ${new Date(license.expires_at ?? 0).toISOString()}`,
    ];
  return undefined;
};

export const validate = async (deps: ClientDeps, body: ValidateBody): Promise<ValidationResult> => {
  const nowMs = deps.clock.nowMs();
  const result = await evaluate(deps, body, nowMs);
  const unsigned: ValidationResult = {
    ...result,
    checkedAt: new Date(nowMs).toISOString(),
    ...(body.nonce ? { nonce: body.nonce } : {}),
  };
  if (!body.nonce) return unsigned;
  const key = await deps.keyRing.active();
  const signature = await signOffThread(key, Buffer.from(canonicalJson(unsigned), 'utf8'));
  return { ...unsigned, signature: signature.toString('base64'), kid: key.kid };
};

type Evaluation = Omit<ValidationResult, 'checkedAt' | 'nonce' | 'signature' | 'kid'>;

const evaluate = async (deps: ClientDeps, body: ValidateBody, nowMs: number): Promise<Evaluation> => {
  const key = keyOf(body.licenseKey);
  const notFound: Evaluation = {
    valid: false,
    code: 'LICENSE_NOT_FOUND',
    message: 'No license has this key',
    license: null,
    machine: null,
  };
  // A mistyped key fails its checksum: refused without touching the database.
  if (!key.checksumOk) return notFound;
  const found = await readForValidation(deps.db, key.hash, nowMs, body.fingerprint);
  if (!found) return notFound;
  const license = present(deps, found, found.liveMachines, nowMs);
  const fail = (code: ErrorCode, message: string, machine: Evaluation['machine'] = null): Evaluation => ({
    valid: false,
    code,
    message,
    license,
    machine,
  });
  const state = stateFailure(found, nowMs, { productCode: body.productCode });
  if (state) return fail(...state);
  let machine: Evaluation['machine'] = null;
  if (body.fingerprint !== undefined) {
    if (found.blocked) return fail('DEVICE_BLOCKED', 'This device is blocked');
    if (!found.machine)
      return fail(
        'MACHINE_NOT_ACTIVATED',
        `This fingerprint is not activated on license ${found.license.id}`,
      );
    machine = toMachine(found.machine, found.policy.heartbeat_seconds, nowMs);
    if (machine.status === 'dead')
      return fail(
        'HEARTBEAT_DEAD',
        `Machine ${found.machine.id} missed its heartbeats; activate again`,
        machine,
      );
  }
  const limit = license.maxMachines;
  if (limit !== null && found.liveMachines > limit) {
    return fail(
      'MACHINE_LIMIT_EXCEEDED',
      `License ${found.license.id} has ${found.liveMachines} machines for a limit of ${limit}`,
      machine,
    );
  }
  if (body.features && body.features.length > 0) {
    const entitled = entitledCodes(found);
    const missing = body.features.filter((code) => !entitled.has(code));
    if (missing.length > 0)
      return fail('FEATURE_NOT_ENTITLED', `License ${found.license.id} lacks ${missing.join(', ')}`, machine);
  }
  return { valid: true, code: 'VALID', message: 'The license is valid', license, machine };
};

export const licenseFileFor = async (
  deps: ClientDeps,
  found: ClientLicense,
  machine: MachinesTable,
  nowMs: number,
) => {
  const license = found.license;
  const policy = found.policy;
  return buildLicenseFile(
    {
      license: {
        id: license.id,
        key: deps.sealer.open(license.key_sealed).toString('utf8'),
        status: effectiveStatus(license.status, license.expires_at, policy.expiration_strategy, nowMs).status,
        productCode: found.product.code,
        policy: {
          maxMachines: license.max_machines ?? policy.max_machines,
          floating: policy.floating === 1,
          durationSeconds: policy.duration_seconds,
          heartbeatSeconds: policy.heartbeat_seconds,
          expirationStrategy: policy.expiration_strategy,
        },
        features: JSON.parse(license.features ?? policy.features) as unknown[],
        startsAt: new Date(license.starts_at).toISOString(),
        expiresAt: license.expires_at === null ? null : new Date(license.expires_at).toISOString(),
      },
      machine: {
        id: machine.id,
        fingerprint: machine.fingerprint,
        // An air-gapped machine proves its deactivation with this secret (api.md "Offline activation").
        ...(machine.offline === 1 && machine.deactivation_secret !== null
          ? {
              offline: true,
              deactivationSecret: deps.sealer.open(machine.deactivation_secret).toString('utf8'),
            }
          : {}),
      },
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(
        licenseFileExpiry(
          nowMs,
          policy.license_file_ttl_seconds,
          license.expires_at,
          policy.expiration_strategy,
        ),
      ).toISOString(),
    },
    await deps.keyRing.active(),
  );
};

/** Locks and loads the license of a key inside a transaction; LICENSE_NOT_FOUND when none. */
const lockClientLicense = async (
  deps: ClientDeps,
  tx: Executor,
  licenseKey: string,
): Promise<ClientLicense> => {
  const key = keyOf(licenseKey);
  const found = key.checksumOk ? await findClientLicense(tx, key.hash, { lock: deps.db.dialect }) : undefined;
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  return found;
};

/** An activation uploaded by an operator for an air-gapped machine (POST /v1/offline/activate). */
export interface OfflineActivation {
  /** The proof secret, put in the signed license file and kept sealed on the machine row. */
  deactivationSecret: string;
  /** Refuses a license of a product the caller may not name (403 PRODUCT_NOT_ALLOWED). */
  assertProductAllowed(productId: string): void;
  /** Runs last in the activation's transaction (claims the request's nonce, audits); throwing undoes it all. */
  inTransaction(tx: Executor, machine: MachinesTable, nowMs: number): Promise<void>;
}

export const activate = async (
  deps: ClientDeps,
  body: ActivateBody,
  offline?: OfflineActivation,
): Promise<{
  created: boolean;
  machine: ReturnType<typeof toMachine>;
  license: ReturnType<typeof toLicense>;
  licenseFile: string;
}> => {
  // The signing key is made (once) outside the transaction: SQLite has one writer at a time.
  await deps.keyRing.active();
  const done = await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    // One read: the license (locked on PostgreSQL), its policy, product, customer state, this fingerprint's
    // machine, the blocklist and the live machine count.
    const key = keyOf(body.licenseKey);
    const found = key.checksumOk
      ? await readForActivation(deps.db, tx, key.hash, body.fingerprint, nowMs)
      : undefined;
    if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
    const { license, policy, product } = found;
    offline?.assertProductAllowed(product.id);
    const state = stateFailure(found, nowMs, {});
    if (state) throw new AppError(...state);
    if (offline && (policy.floating === 1 || policy.allow_offline === 0)) {
      throw new AppError(
        'OFFLINE_NOT_ALLOWED',
        policy.floating === 1
          ? `License ${license.id} is floating: its seats are leased online`
          : `The policy of license ${license.id} does not allow offline activation`,
      );
    }
    if (product.status === 'archived')
      throw new AppError('PRODUCT_ARCHIVED', `Product ${product.code} is archived`);
    if (found.customerStatus === 'inactive')
      throw new AppError('CUSTOMER_INACTIVE', `The customer of license ${license.id} is inactive`);
    if (found.blocked) throw new AppError('DEVICE_BLOCKED', 'This device is blocked');
    if (body.isVm && policy.allow_vm === 0)
      throw new AppError('VM_NOT_ALLOWED', `License ${license.id} does not run on virtual machines`);
    const heartbeat = policy.heartbeat_seconds;
    const existing = found.machine;
    const existingLive = existing !== undefined && !isDead(existing, heartbeat, nowMs);
    const userId = product.licenseModel === 'user' ? await licenseUserFor(tx, found, body) : null;
    const liveOthers = found.liveMachines - (existingLive ? 1 : 0);
    const details = {
      name: body.name ?? null,
      hostname: body.hostname ?? null,
      platform: body.platform ?? null,
      cores: body.cores ?? null,
      is_vm: body.isVm ? 1 : 0,
      offline: offline ? 1 : 0,
      deactivation_secret: offline ? deps.sealer.seal(offline.deactivationSecret) : null,
    };
    let row: MachinesTable;
    let created = true;
    if (existing && existingLive) {
      // Activating an active fingerprint again is a no-op that refreshes what the client reports.
      created = false;
      row = { ...existing, ...details, last_seen_at: nowMs };
      await updateMachineRow(tx, existing.id, { ...details, last_seen_at: nowMs });
    } else {
      if (userId !== null && policy.max_activations_per_user !== null) {
        const machines = await activeMachinesOf(tx, license.id);
        const mine = liveMachineCount(
          machines.filter((machine) => machine.user_id === userId && machine.id !== existing?.id),
          heartbeat,
          nowMs,
        );
        if (mine >= policy.max_activations_per_user) {
          throw new AppError(
            'USER_MACHINE_LIMIT_EXCEEDED',
            `User ${userId} already has ${mine} of ${policy.max_activations_per_user} machines on license ${license.id}`,
            { limit: policy.max_activations_per_user, used: mine },
          );
        }
      }
      const limit = license.max_machines ?? policy.max_machines;
      if (limit !== null && liveOthers >= limit) {
        throw new AppError(
          'MACHINE_LIMIT_EXCEEDED',
          `License ${license.id} already has ${liveOthers} of ${limit} machines activated`,
          {
            limit,
            used: liveOthers,
          },
        );
      }
      if (existing) {
        // A dead machine of the same fingerprint comes back to life rather than leaving a second row.
        row = { ...existing, ...details, activated_at: nowMs, last_seen_at: nowMs };
        await updateMachineRow(tx, existing.id, { ...details, activated_at: nowMs, last_seen_at: nowMs });
      } else {
        row = {
          id: newId('mach', nowMs),
          license_id: license.id,
          fingerprint: body.fingerprint,
          ...details,
          user_id: userId,
          status: 'active',
          activated_at: nowMs,
          last_seen_at: nowMs,
          deactivated_at: null,
        };
        await insertMachine(tx, row);
      }
    }
    // A policy counted from activation starts its term at the first activation.
    if (license.first_activated_at === null) {
      const term =
        policy.expiration_basis === 'activation' &&
        policy.duration_seconds !== null &&
        license.expires_at === null
          ? { expires_at: nowMs + policy.duration_seconds * 1000 }
          : {};
      Object.assign(license, { first_activated_at: nowMs, ...term });
      await recordFirstActivation(tx, license.id, { first_activated_at: nowMs, ...term });
    }
    await offline?.inTransaction(tx, row, nowMs);
    return { created, found, row, nowMs, machinesCount: liveOthers + 1 };
  });
  // Signing happens after the commit: the write lock is held only for the reads and writes themselves.
  return {
    created: done.created,
    machine: toMachine(done.row, done.found.policy.heartbeat_seconds, done.nowMs),
    license: present(deps, done.found, done.machinesCount, done.nowMs),
    licenseFile: await licenseFileFor(deps, done.found, done.row, done.nowMs),
  };
};

/** On a per-user product, activation names an assigned user (userEmail); answers that user's id. */
const licenseUserFor = async (tx: Executor, found: ClientLicense, body: ActivateBody): Promise<string> => {
  if (!body.userEmail) {
    throw new AppError(
      'LICENSE_USER_NOT_FOUND',
      `License ${found.license.id} is licensed per user: send the user's email in userEmail`,
    );
  }
  const user = await assignedUserByEmail(tx, found.license.id, body.userEmail);
  if (!user)
    throw new AppError(
      'LICENSE_USER_NOT_FOUND',
      `${body.userEmail} is not a user of license ${found.license.id}`,
    );
  return user.id;
};

export const deactivate = async (deps: ClientDeps, body: MachineBody): Promise<void> => {
  await deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await lockClientLicense(deps, tx, body.licenseKey);
    const machine = await findActiveMachine(tx, found.license.id, body.fingerprint);
    if (!machine)
      throw new AppError(
        'MACHINE_NOT_ACTIVATED',
        `This fingerprint is not activated on license ${found.license.id}`,
      );
    await assertDeactivationAllowed(tx, found.license.id, found.policy, nowMs);
    await updateMachineRow(tx, machine.id, { status: 'deactivated', deactivated_at: nowMs });
  });
};

/** The license of a key and this fingerprint's live machine on it, or the client error that says why not. */
const liveMachineOf = async (deps: ClientDeps, body: MachineBody, nowMs: number) => {
  const db = deps.db.kysely;
  const key = keyOf(body.licenseKey);
  const found = key.checksumOk ? await findClientLicense(db, key.hash) : undefined;
  if (!found) throw new AppError('LICENSE_NOT_FOUND', 'No license has this key');
  const row = await findActiveMachine(db, found.license.id, body.fingerprint);
  if (!row)
    throw new AppError(
      'MACHINE_NOT_ACTIVATED',
      `This fingerprint is not activated on license ${found.license.id}`,
    );
  if (isDead(row, found.policy.heartbeat_seconds, nowMs)) {
    throw new AppError('HEARTBEAT_DEAD', `Machine ${row.id} missed its heartbeats; activate again`);
  }
  return { found, row };
};

export const heartbeat = async (deps: ClientDeps, body: MachineBody) => {
  const nowMs = deps.clock.nowMs();
  const { found, row } = await liveMachineOf(deps, body, nowMs);
  await updateMachineRow(deps.db.kysely, row.id, { last_seen_at: nowMs });
  return { machine: toMachine({ ...row, last_seen_at: nowMs }, found.policy.heartbeat_seconds, nowMs) };
};

/**
 * POST /v1/client/license-file: a fresh license file for this activated machine (the one from activation
 * expires after licenseFileTtlSeconds). Refused with the license's state code when it may not run.
 */
export const licenseFile = async (deps: ClientDeps, body: MachineBody) => {
  const nowMs = deps.clock.nowMs();
  const { found, row } = await liveMachineOf(deps, body, nowMs);
  const state = stateFailure(found, nowMs, {});
  if (state) throw new AppError(...state);
  return { licenseFile: await licenseFileFor(deps, found, row, nowMs) };
};

/** POST /v1/client/trial: a trial license, activated on this device, with its license file. */
export const trial = async (
  deps: ClientDeps,
  body: { productCode: string; fingerprint: string; email?: string | undefined },
) => {
  await deps.keyRing.active();
  const started = await startTrial(deps, body);
  const found: ClientLicense = {
    license: started.license,
    policy: started.policy,
    product: {
      id: started.product.id,
      code: started.product.code,
      status: started.product.status,
      licenseModel: started.product.license_model,
    },
    customerStatus: null,
  };
  return {
    licenseKey: started.key,
    license: present(deps, found, 1, started.nowMs),
    machine: toMachine(started.machine, started.policy.heartbeat_seconds, started.nowMs),
    licenseFile: await licenseFileFor(deps, found, started.machine, started.nowMs),
  };
};
