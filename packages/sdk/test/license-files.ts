// Test support: an Ed25519 key pair made here, its public key listed as the server lists it, and license files
// signed with it as the server writes them (armored base64 JSON envelope, base64url payload and signature).
import { generateKeyPairSync, sign } from 'node:crypto';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');

export { privateKey };

export const keys = {
  data: [
    {
      kid: 'sk_TEST',
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      status: 'active',
    },
  ],
};

/** Issued 2026-11-22 10:00Z for a week, bound to fp-1, of a perpetual license. */
export const payload = {
  license: {
    id: 'lic_1',
    key: 'K',
    status: 'active',
    productCode: 'p',
    policy: {},
    features: [],
    startsAt: '2026-01-01T00:00:00.000Z',
    expiresAt: null,
  },
  machine: { id: 'mach_1', fingerprint: 'fp-1' },
  issuedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2026-11-29T10:00:00.000Z',
};

export const armor = (envelope: object) => {
  const body = Buffer.from(JSON.stringify(envelope)).toString('base64');
  return [
    '-----BEGIN CHARTER LICENSE FILE-----',
    ...(body.match(/.{1,64}/g) ?? []),
    '-----END CHARTER LICENSE FILE-----',
  ].join('\n');
};

export const fileFor = (value: object, kid = 'sk_TEST') => {
  const bytes = Buffer.from(JSON.stringify(value));
  return armor({
    v: 1,
    alg: 'Ed25519',
    kid,
    payload: bytes.toString('base64url'),
    sig: sign(null, bytes, privateKey).toString('base64url'),
  });
};
