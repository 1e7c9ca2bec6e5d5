// Randomness: the one module that draws random bytes, and the prefixed ULIDs every resource id is made of.
import { randomBytes } from 'node:crypto';

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Random bytes are drawn in blocks: one syscall serves many ids on hot paths.
const poolSize = 4096;
let pool = randomBytes(poolSize);
let poolOffset = 0;

export const secureRandomBytes = (length: number): Buffer => {
  if (length > poolSize / 4) return randomBytes(length);
  if (poolOffset + length > poolSize) {
    pool = randomBytes(poolSize);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + length));
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
};

/** A ULID (26 characters of Crockford base32: 48 bits of milliseconds, 80 random bits) for the given time. */
export const ulid = (timeMs: number): string => {
  let time = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    time = crockford.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const bytes = secureRandomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += crockford.charAt((bytes[i] ?? 0) % 32);
  return time + random;
};

export const idPrefixes = [
  'prod',
  'pol',
  'cus',
  'lic',
  'mach',
  'user',
  'feat',
  'lease',
  'ord',
  'rel',
  'key',
  'oac',
  'whe',
  'whd',
  'op',
  'srv',
  'poll',
  'inc',
  'act',
  'aud',
  'sk',
  'evt',
  'blk',
  'req',
  'ses',
  'trl',
  'den',
] as const;

export type IdPrefix = (typeof idPrefixes)[number];

export const newId = (prefix: IdPrefix, timeMs: number): string => `${prefix}_${ulid(timeMs)}`;
