// POST /v1/client/validate: the checks in api.md's order, answered as a result (valid, code), signed when the
// request carries a nonce. One read (store.ts readForValidation, or what validation-cache.ts remembers of it), no
// write.
import { signOffThread } from '../../access/signing-keys/service.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import { entitledCodes } from '../licenses/entitlements.js';
import { assertDeviceSigned, type DeviceSignature } from '../machines/device-keys.js';
import { toMachine } from '../machines/machine.js';
import { type ClientDeps, keyOf, present, stateFailure } from './checks.js';
import type { ValidateBody, ValidationResult } from './schemas.js';
import { readForValidation } from './store.js';

export const validate = async (
  deps: ClientDeps,
  body: ValidateBody,
  signed: DeviceSignature,
): Promise<ValidationResult> => {
  const nowMs = deps.clock.nowMs();
  const result = await evaluate(deps, body, nowMs, signed);
  deps.onValidation?.(result.code);
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

const evaluate = async (
  deps: ClientDeps,
  body: ValidateBody,
  nowMs: number,
  signed: DeviceSignature,
): Promise<Evaluation> => {
  const key = keyOf(body.licenseKey);
  // A mistyped key fails its checksum: refused without touching the database. What the cache holds was read for a
  // key that passed, so the checksum is asked only before a read.
  const read = async () =>
    key.checksumOk ? readForValidation(deps.db, key.hash, nowMs, body.fingerprint) : undefined;
  const found = deps.validations
    ? await deps.validations.read(key.hash, body.fingerprint, nowMs, read)
    : await read();
  if (!found)
    return {
      valid: false,
      code: 'LICENSE_NOT_FOUND',
      message: 'No license has this key',
      license: null,
      machine: null,
    };
  deps.usage.count(found.license.product_id, 'validations');
  // A machine with a device key is named only by a signed call: refused as an authentication failure (401), before
  // any check answers anything about the license.
  if (body.fingerprint !== undefined) assertDeviceSigned(found.machine, signed, nowMs);
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
    const leased = found.leaseExpiresAt !== null && found.leaseExpiresAt > nowMs;
    if (found.policy.floating === 1 && !leased)
      return fail(
        'LEASE_NOT_FOUND',
        `This machine holds no seat of license ${found.license.id}; check out first`,
        machine,
      );
    if (machine.status === 'dead')
      return fail(
        'HEARTBEAT_DEAD',
        `Machine ${found.machine.id} missed its heartbeats; activate again`,
        machine,
      );
  }
  // A floating license limits seats (leases), not machines: machines are the devices that held seats.
  const limit = found.policy.floating === 1 ? null : license.maxMachines;
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
