// Secrets: generation, hashing for lookup, constant-time comparison, and password hashing with scrypt.
import { createHash, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { secureRandomBytes } from './random.js';

/** `prefix` + base64url of `bytes` random bytes (32 bytes → 43 characters). */
export const newSecret = (prefix: string, bytes = 32): string =>
  `${prefix}${secureRandomBytes(bytes).toString('base64url')}`;

/** SHA-256 in hex: the lookup hash of high-entropy secrets (API keys, session tokens). */
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Constant-time string comparison (lengths are compared through digests, so length leaks nothing either). */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

// scrypt: N=2^15, r=8, p=1 (about 32 MiB and tens of milliseconds per hash); parameters are stored with the hash.
const scryptParams = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const keyLength = 32;

const scrypt = (password: string, salt: Buffer, params: { N: number; r: number; p: number }) =>
  new Promise<Buffer>((resolve, reject) => {
    scryptCallback(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { ...params, maxmem: scryptParams.maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });

export const hashPassword = async (password: string): Promise<string> => {
  const salt = secureRandomBytes(16);
  const key = await scrypt(password, salt, scryptParams);
  return `scrypt$${scryptParams.N}$${scryptParams.r}$${scryptParams.p}$${salt.toString('base64')}$${key.toString('base64')}`;
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const derived = await scrypt(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  const expected = Buffer.from(key, 'base64');
  return derived.length === expected.length && timingSafeEqual(derived, expected);
};

let unmatchable: Promise<string> | undefined;

/** A hash no password matches, verified against when an email is unknown so both answers take as long. */
export const unmatchableHash = (): Promise<string> => {
  unmatchable ??= hashPassword(newSecret('', 24));
  return unmatchable;
};
