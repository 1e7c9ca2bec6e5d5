// Reading and checking a license file on the server's side (charter verify, support staff): the same checks
// as the client SDK's verifyLicenseFile, with node:crypto. A key given as PEM or bare SPKI has no kid: it is
// tried whatever kid the file names.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { LicenseFilePayload } from './license-file.js';

export interface VerifyingKey {
  kid: string | null;
  key: KeyObject;
}

export type LicenseFileCheck =
  | {
      genuine: true;
      kid: string;
      payload: LicenseFilePayload;
      problem: null | 'EXPIRED' | 'FINGERPRINT_MISMATCH';
    }
  | { genuine: false; problem: 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' };

const begin = '-----BEGIN CHARTER LICENSE FILE-----';
const end = '-----END CHARTER LICENSE FILE-----';

/** Keys from GET /v1/public-keys JSON (retired ones left out), or one PEM / base64 SPKI public key. */
export const parseVerifyingKeys = (text: string): VerifyingKey[] => {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = JSON.parse(trimmed) as
      | { data: { kid: string; publicKey: string; status?: string }[] }
      | { kid: string; publicKey: string; status?: string }[];
    const entries = Array.isArray(parsed) ? parsed : parsed.data;
    return entries
      .filter((entry) => entry.status !== 'retired')
      .map((entry) => ({
        kid: entry.kid,
        key: createPublicKey({ key: Buffer.from(entry.publicKey, 'base64'), format: 'der', type: 'spki' }),
      }));
  }
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) return [{ kid: null, key: createPublicKey(trimmed) }];
  return [
    { kid: null, key: createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' }) },
  ];
};

export const checkLicenseFile = (
  file: string,
  keys: readonly VerifyingKey[],
  options: { fingerprint?: string | undefined; nowMs: number },
): LicenseFileCheck => {
  const text = file.trim();
  if (!text.startsWith(begin) || !text.endsWith(end)) return { genuine: false, problem: 'MALFORMED' };
  let envelope: { v?: unknown; alg?: unknown; kid?: unknown; payload?: unknown; sig?: unknown };
  try {
    envelope = JSON.parse(Buffer.from(text.slice(begin.length, -end.length), 'base64').toString('utf8'));
  } catch {
    return { genuine: false, problem: 'MALFORMED' };
  }
  const { kid, payload, sig } = envelope;
  if (
    envelope.v !== 1 ||
    envelope.alg !== 'Ed25519' ||
    typeof kid !== 'string' ||
    typeof payload !== 'string' ||
    typeof sig !== 'string'
  )
    return { genuine: false, problem: 'MALFORMED' };
  const candidates = keys.filter((key) => key.kid === null || key.kid === kid);
  if (candidates.length === 0) return { genuine: false, problem: 'UNKNOWN_KEY' };
  const payloadBytes = Buffer.from(payload, 'base64url');
  const signature = Buffer.from(sig, 'base64url');
  if (!candidates.some((candidate) => verify(null, payloadBytes, candidate.key, signature)))
    return { genuine: false, problem: 'BAD_SIGNATURE' };
  const decoded = JSON.parse(payloadBytes.toString('utf8')) as LicenseFilePayload;
  const problem =
    Date.parse(decoded.expiresAt) <= options.nowMs
      ? 'EXPIRED'
      : options.fingerprint !== undefined && decoded.machine?.fingerprint !== options.fingerprint
        ? 'FINGERPRINT_MISMATCH'
        : null;
  return { genuine: true, kid, payload: decoded, problem };
};
