// Offline verification of a Charter license file (api.md "License file"): the armored envelope, its Ed25519
// signature over the payload bytes, the machine it is bound to, and its own expiry. No network.
import { type Bytes, fromBase64, fromUtf8 } from './bytes.js';
import { findKey, type PublicKeys, verifyEd25519 } from './keys.js';

export interface LicenseFilePayload {
  license: {
    id: string;
    key: string;
    status: string;
    productCode: string;
    policy: Record<string, unknown>;
    features: unknown[];
    startsAt: string;
    expiresAt: string | null;
  };
  machine: { id: string; fingerprint: string; offline?: boolean; deactivationSecret?: string } | null;
  issuedAt: string;
  expiresAt: string;
}

export type LicenseFileFailure =
  | 'MALFORMED'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'FINGERPRINT_MISMATCH';

export type LicenseFileVerification =
  | { valid: true; kid: string; payload: LicenseFilePayload }
  | { valid: false; reason: LicenseFileFailure; message: string };

const begin = '-----BEGIN CHARTER LICENSE FILE-----';
const end = '-----END CHARTER LICENSE FILE-----';

const fail = (reason: LicenseFileFailure, message: string): LicenseFileVerification => ({
  valid: false,
  reason,
  message,
});

interface Envelope {
  v: number;
  alg: string;
  kid: string;
  payload: string;
  sig: string;
}

const readEnvelope = (file: string): Envelope | undefined => {
  const text = file.trim();
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start !== 0 || stop < 0 || stop + end.length !== text.length) return undefined;
  try {
    const envelope = JSON.parse(fromUtf8(fromBase64(text.slice(begin.length, stop)))) as Partial<Envelope>;
    return envelope.v === 1 &&
      envelope.alg === 'Ed25519' &&
      typeof envelope.kid === 'string' &&
      typeof envelope.payload === 'string' &&
      typeof envelope.sig === 'string'
      ? (envelope as Envelope)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Verifies a license file offline against the server's public keys (GET /v1/public-keys, stored with the
 * application). With `fingerprint`, the file must be bound to this machine; `now` defaults to the clock.
 */
export const verifyLicenseFile = async (
  file: string,
  publicKeys: PublicKeys,
  options: { fingerprint?: string; now?: Date } = {},
): Promise<LicenseFileVerification> => {
  const envelope = readEnvelope(file);
  if (!envelope) return fail('MALFORMED', 'This is not a Charter license file');
  const key = findKey(publicKeys, envelope.kid);
  if (!key) return fail('UNKNOWN_KEY', `No usable public key ${envelope.kid}`);
  let payloadBytes: Bytes;
  let signature: Bytes;
  try {
    payloadBytes = fromBase64(envelope.payload);
    signature = fromBase64(envelope.sig);
  } catch {
    return fail('MALFORMED', 'The payload or signature is not base64url');
  }
  if (!(await verifyEd25519(key, signature, payloadBytes)))
    return fail('BAD_SIGNATURE', 'The signature does not match the payload: the file was altered');
  let payload: LicenseFilePayload;
  try {
    payload = JSON.parse(fromUtf8(payloadBytes)) as LicenseFilePayload;
  } catch {
    return fail('MALFORMED', 'The signed payload is not JSON');
  }
  const now = (options.now ?? new Date()).getTime();
  if (Date.parse(payload.issuedAt) > now + 5 * 60_000)
    return fail('NOT_YET_VALID', `The file was issued at ${payload.issuedAt}, after this machine's clock`);
  if (!(Date.parse(payload.expiresAt) > now))
    return fail('EXPIRED', `The file expired at ${payload.expiresAt}`);
  if (options.fingerprint !== undefined && payload.machine?.fingerprint !== options.fingerprint)
    return fail('FINGERPRINT_MISMATCH', 'The file is bound to another machine');
  return { valid: true, kid: envelope.kid, payload };
};
