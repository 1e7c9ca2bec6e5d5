// Device keys (hardware keys): an Ed25519 key a device registers at activation (SPKI PEM, or an X.509 certificate
// carrying it, as a key held in a token has), and the signature every later Client API call about that machine
// carries. What is signed binds the time and the call, not only the body (docs/licensing.md "Device keys"):
//   Charter-Device-Timestamp: unix seconds, within ±300 s of the server's clock
//   Charter-Device-Signature: base64 Ed25519 over `${timestamp}\n${path}\n` followed by the body's exact bytes
// so a heartbeat's body cannot be replayed to /v1/client/deactivate, nor any call past the window. A machine
// without a key costs one property read.
import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import type { MachinesTable, PoliciesTable } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';

/** The device signature of one Client API call, as the HTTP face read it (headers absent: undefined). */
export interface DeviceSignature {
  /** Charter-Device-Signature: base64 Ed25519. */
  signature: string | undefined;
  /** Charter-Device-Timestamp: unix seconds. */
  timestamp: string | undefined;
  /** The request's path without its query, e.g. /v1/client/heartbeat. */
  path: string;
  /** The request body's exact bytes (empty without a body). */
  body: Buffer;
}

/** A call that carries no device signature (no headers). */
export const unsigned: DeviceSignature = {
  signature: undefined,
  timestamp: undefined,
  path: '',
  body: Buffer.alloc(0),
};

export const deviceSignatureHeader = 'charter-device-signature';
export const deviceTimestampHeader = 'charter-device-timestamp';
export const deviceSignatureSkewSeconds = 300;

/** What a machine row keeps of its device key. */
export type DeviceKeyColumns = Pick<
  MachinesTable,
  'device_public_key' | 'device_key_sha256' | 'device_certificate_sha256'
>;

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const invalidKey = (message: string) =>
  new AppError('VALIDATION_ERROR', `The request body fails validation: deviceKey ${message}`, {
    location: 'body',
    issues: [{ path: ['deviceKey'], message, code: 'custom' }],
  });

/**
 * A registered key's PEM: a public key (SPKI) or an X.509 certificate whose key is Ed25519. A private key is
 * refused (node would derive its public half, but a device that sends its private key has leaked it). The
 * certificate is not checked against any authority: its key is what signs; its SHA-256 is kept for the vendor's
 * inventory.
 */
export const parseDeviceKey = (pem: string): { key: KeyObject; columns: DeviceKeyColumns } => {
  const text = pem.trim();
  let key: KeyObject;
  let certificateSha256: string | null = null;
  try {
    if (/^-----BEGIN CERTIFICATE-----/.test(text)) {
      const certificate = new X509Certificate(text);
      key = certificate.publicKey;
      certificateSha256 = sha256Hex(certificate.raw);
    } else if (/^-----BEGIN PUBLIC KEY-----/.test(text)) {
      key = createPublicKey({ key: text, format: 'pem' });
    } else {
      throw invalidKey('must be a PEM public key (SPKI) or X.509 certificate');
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalidKey('is not a readable PEM public key or certificate');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw invalidKey(`must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`);
  const spki = key.export({ type: 'spki', format: 'der' });
  return {
    key,
    columns: {
      device_public_key: key.export({ type: 'spki', format: 'pem' }).toString(),
      device_key_sha256: sha256Hex(spki),
      device_certificate_sha256: certificateSha256,
    },
  };
};

const base64Signature = /^[A-Za-z0-9+/]{86}==$/;
const timestampPattern = /^\d{1,12}$/;

/** What the signature covers: the timestamp and the path, then the body's bytes. */
export const signedBytes = (signed: Pick<DeviceSignature, 'path' | 'body'>, timestamp: string): Buffer =>
  Buffer.concat([Buffer.from(`${timestamp}\n${signed.path}\n`, 'utf8'), signed.body]);

/**
 * HARDWARE_KEY_REQUIRED when either header is absent; HARDWARE_KEY_SIGNATURE_MISMATCH when the timestamp is not
 * within the window (details.serverTime lets a client with a wrong clock correct it). Answers the timestamp.
 */
const signatureHeadersOrThrow = (signed: DeviceSignature, nowMs: number, whose: string): string => {
  const missing = [
    ...(signed.signature ? [] : ['Charter-Device-Signature']),
    ...(signed.timestamp ? [] : ['Charter-Device-Timestamp']),
  ];
  if (missing.length > 0)
    throw new AppError(
      'HARDWARE_KEY_REQUIRED',
      `${whose.charAt(0).toUpperCase()}${whose.slice(1)} signs every call with its device key; missing ${missing.join(', ')}`,
      { missing },
    );
  const timestamp = signed.timestamp as string;
  const serverTime = Math.floor(nowMs / 1000);
  if (!timestampPattern.test(timestamp))
    throw new AppError('HARDWARE_KEY_SIGNATURE_MISMATCH', 'Charter-Device-Timestamp must be unix seconds', {
      serverTime,
    });
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > deviceSignatureSkewSeconds)
    throw new AppError(
      'HARDWARE_KEY_SIGNATURE_MISMATCH',
      `Charter-Device-Timestamp is more than ${deviceSignatureSkewSeconds} s from the server's clock`,
      { serverTime },
    );
  return timestamp;
};

/** Whether the signature (headers already checked) verifies with this key. */
const signatureVerifies = (key: KeyObject | string, signed: DeviceSignature, timestamp: string): boolean => {
  const signature = signed.signature ?? '';
  if (!base64Signature.test(signature)) return false;
  try {
    return verify(null, signedBytes(signed, timestamp), key, Buffer.from(signature, 'base64'));
  } catch {
    // A stored key node cannot read verifies nothing.
    return false;
  }
};

const verifyDeviceSignature = (
  key: KeyObject | string,
  signed: DeviceSignature,
  nowMs: number,
  whose: string,
): void => {
  const timestamp = signatureHeadersOrThrow(signed, nowMs, whose);
  if (!signatureVerifies(key, signed, timestamp))
    throw new AppError(
      'HARDWARE_KEY_SIGNATURE_MISMATCH',
      `The Charter-Device-Signature does not verify with the device key of ${whose}`,
    );
};

/**
 * A call about this machine (validate with its fingerprint, heartbeat, deactivate, license file, seats, consume):
 * signed with its device key when it has one. A machine activated without a key is not asked, whatever its policy
 * says now (the policy's rule applies at activation).
 */
export const assertDeviceSigned = (
  machine: Pick<MachinesTable, 'id' | 'device_public_key'> | undefined,
  signed: DeviceSignature,
  nowMs: number,
): void => {
  if (!machine || machine.device_public_key === null) return;
  verifyDeviceSignature(machine.device_public_key, signed, nowMs, `machine ${machine.id}`);
};

/**
 * The device key an activation (or a floating checkout) leaves on the machine; undefined: nothing to write.
 * - A machine that has a key (alive or dead) activates again only signed with it; a deviceKey sent then
 *   replaces the key (rotation, proven by the old one).
 * - Otherwise a deviceKey is registered when the call is signed with it (proof of possession), and a policy
 *   with requireDeviceKey refuses an activation without one (HARDWARE_KEY_CERTIFICATE_MISSING).
 */
export const deviceKeyOfActivation = (
  policy: Pick<PoliciesTable, 'id' | 'require_device_key'>,
  existing: Pick<MachinesTable, 'id' | 'device_public_key'> | undefined,
  deviceKey: string | undefined,
  signed: DeviceSignature,
  nowMs: number,
): DeviceKeyColumns | undefined => {
  if (existing && existing.device_public_key !== null) {
    verifyDeviceSignature(existing.device_public_key, signed, nowMs, `machine ${existing.id}`);
    return deviceKey === undefined ? undefined : parseDeviceKey(deviceKey).columns;
  }
  if (deviceKey === undefined) {
    if (policy.require_device_key === 1)
      throw new AppError(
        'HARDWARE_KEY_CERTIFICATE_MISSING',
        `Policy ${policy.id} requires a device key: send deviceKey (an Ed25519 public key or certificate, PEM)`,
      );
    return undefined;
  }
  const parsed = parseDeviceKey(deviceKey);
  verifyDeviceSignature(parsed.key, signed, nowMs, 'this device');
  return parsed.columns;
};

/**
 * The machines among these (of one fingerprint) this call may speak for: those without a device key, and those
 * whose key verifies the signature. HARDWARE_KEY_REQUIRED when one has a key and the call is unsigned;
 * HARDWARE_KEY_SIGNATURE_MISMATCH when the signature verifies with none and every machine has a key.
 */
export const machinesSignedFor = <M extends Pick<MachinesTable, 'id' | 'device_public_key'>>(
  machines: readonly M[],
  signed: DeviceSignature,
  nowMs: number,
): M[] => {
  if (machines.every((machine) => machine.device_public_key === null)) return [...machines];
  const timestamp = signatureHeadersOrThrow(signed, nowMs, 'a device with a device key');
  const shown = machines.filter(
    (machine) =>
      machine.device_public_key === null || signatureVerifies(machine.device_public_key, signed, timestamp),
  );
  if (shown.length === 0)
    throw new AppError(
      'HARDWARE_KEY_SIGNATURE_MISMATCH',
      "The Charter-Device-Signature verifies with none of this fingerprint's device keys",
    );
  return shown;
};
