// License files (api.md "License file"): an armored, base64 JSON envelope { v, alg, kid, payload, sig } whose
// payload (base64url JSON) is signed with the server's Ed25519 key, for verification offline.
import { type SigningKey, signOffThread } from '../../access/signing-keys/service.js';

export interface LicenseFilePayload {
  license: {
    id: string;
    /** Absent from the files of a license user signed in by password (they never hold the key). */
    key?: string;
    status: string;
    productCode: string;
    /** A bundle's license: the product codes it covers, the bundle's first (licensing.md "Bundles"). */
    products?: string[];
    policy: {
      maxMachines: number | null;
      floating: boolean;
      durationSeconds: number | null;
      heartbeatSeconds: number | null;
      expirationStrategy: string;
    };
    features: unknown[];
    startsAt: string;
    expiresAt: string | null;
  };
  machine: { id: string; fingerprint: string; offline?: boolean; deactivationSecret?: string } | null;
  /** A floating seat: the file lives as long as the lease (a borrowed seat's file runs to the borrow's end). */
  lease?: { id: string; feature: string | null; expiresAt: string; borrowedUntil: string | null };
  issuedAt: string;
  expiresAt: string;
}

const begin = '-----BEGIN CHARTER LICENSE FILE-----';
const end = '-----END CHARTER LICENSE FILE-----';

/** The file's own expiry: issuedAt + ttl, never after the license's end under `restrict`. */
export const licenseFileExpiry = (
  issuedAtMs: number,
  ttlSeconds: number,
  licenseExpiresAt: number | null,
  strategy: string,
): number => {
  const ttlEnd = issuedAtMs + ttlSeconds * 1000;
  return strategy === 'restrict' && licenseExpiresAt !== null ? Math.min(ttlEnd, licenseExpiresAt) : ttlEnd;
};

export const buildLicenseFile = async (payload: LicenseFilePayload, key: SigningKey): Promise<string> => {
  const payloadBytes = Buffer.from(JSON.stringify(payload), 'utf8');
  const envelope = {
    v: 1,
    alg: 'Ed25519',
    kid: key.kid,
    payload: payloadBytes.toString('base64url'),
    sig: (await signOffThread(key, payloadBytes)).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64');
  const lines = body.match(/.{1,64}/g) ?? [];
  return [begin, ...lines, end].join('\n');
};
