// Offline activation (api.md "Offline activation"): an operator uploads the request an air-gapped machine's
// client wrote and carries back the license file; the machine later proves its deactivation with an HMAC.
// Activation runs the Client API's activation (every rule and limit), marked offline.
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import { AppError } from '../../errors/app-error.js';
import { secureRandomBytes } from '../../lib/random.js';
import { activate } from '../client/activation.js';
import { type ClientDeps, findLicenseOfKey } from '../client/checks.js';
import { claimOfflineRequest, deactivateOfflineMachine } from '../machines/service.js';
import { assertProductAllowed } from '../visibility.js';
import { activationRequestSchema, deactivationProofSchema } from './schemas.js';

const base64Text = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The JSON inside an uploaded file, checked against its schema; anything else is OFFLINE_REQUEST_INVALID. */
const decodeFile = <T>(
  text: string,
  what: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown } },
): T => {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') throw new AppError('OFFLINE_REQUEST_INVALID', `The ${what} is empty`);
  let value: unknown;
  try {
    if (!base64Text.test(compact)) throw new Error('not base64');
    value = JSON.parse(
      Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64').toString(
        'utf8',
      ),
    );
  } catch {
    throw new AppError('OFFLINE_REQUEST_INVALID', `The ${what} is not base64 of JSON`);
  }
  const version = (value as { v?: unknown } | null)?.v;
  if (version !== 1)
    throw new AppError(
      'OFFLINE_REQUEST_INVALID',
      `The ${what} has version ${String(version)}; this server reads version 1`,
    );
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new AppError('OFFLINE_REQUEST_INVALID', `The ${what} is missing fields or has bad ones`);
  return parsed.data;
};

export interface OfflineActivationOptions {
  /**
   * Runs after the request is read and before anything is written, with the license of its key (undefined when no
   * license has it): a caller acting for one customer (the portal) refuses another's license here.
   */
  assertLicense?(
    license: { id: string; customerId: string | null; requireDeviceKey: boolean } | undefined,
  ): void;
}

export const activateOffline = async (
  deps: ClientDeps,
  caller: Caller,
  requestText: string,
  options: OfflineActivationOptions = {},
) => {
  const request = decodeFile(requestText, 'activation request', activationRequestSchema);
  if (options.assertLicense) {
    const found = await findLicenseOfKey(deps.db.kysely, request.licenseKey);
    options.assertLicense(
      found && {
        id: found.license.id,
        customerId: found.license.customer_id,
        requireDeviceKey: found.policy.require_device_key === 1,
      },
    );
  }
  const { created, machine, license, licenseFile } = await activate(
    deps,
    {
      licenseKey: request.licenseKey,
      fingerprint: request.fingerprint,
      ...(request.name ? { name: request.name } : {}),
      ...(request.hostname ? { hostname: request.hostname } : {}),
      ...(request.platform ? { platform: request.platform } : {}),
    },
    {
      deactivationSecret: secureRandomBytes(32).toString('base64url'),
      assertProductAllowed: (productId) => assertProductAllowed(caller.principal, productId),
      // Claimed in the activation's transaction: a refused activation leaves the request usable again.
      inTransaction: async (tx, machine, nowMs) => {
        if (!(await claimOfflineRequest(tx, request.nonce, nowMs)))
          throw new AppError(
            'OFFLINE_REQUEST_INVALID',
            'This activation request was used before; make a new one',
          );
        await recordAudit(tx, deps.clock, caller.audit, {
          action: 'machine.activate',
          target: { type: 'machine', id: machine.id },
          changes: { offline: [null, true], fingerprint: [null, machine.fingerprint] },
        });
      },
    },
  );
  return { created, body: { machine, license, response: licenseFile } };
};

export const deactivateOffline = (deps: ClientDeps, caller: Caller, proofText: string): Promise<void> =>
  deactivateOfflineMachine(
    deps,
    caller,
    decodeFile(proofText, 'deactivation proof', deactivationProofSchema),
  );
