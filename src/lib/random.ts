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

// The last id drawn in this process: ids drawn in one millisecond increase (ULID's monotonic mode), so rows written
// in one transaction keep their order by id. The webhook outbox relies on it to deliver a license's events in order.
let lastTime = -1;
let lastRandom: number[] = [];

const encodeTime = (timeMs: number): string => {
  let time = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    time = crockford.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return time;
};

/** Adds one to the random part; false when it is all ones (2^80 ids in one millisecond: not reachable). */
const incrementRandom = (digits: number[]): boolean => {
  for (let i = digits.length - 1; i >= 0; i--) {
    const digit = digits[i] ?? 0;
    if (digit < 31) {
      digits[i] = digit + 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
};

/**
 * A ULID (26 characters of Crockford base32: 48 bits of milliseconds, 80 random bits) for the given time. Within one
 * millisecond, each id is the previous one plus one, so ids of this process never repeat and sort in draw order.
 */
export const ulid = (timeMs: number): string => {
  if (timeMs !== lastTime || !incrementRandom(lastRandom)) {
    const bytes = secureRandomBytes(16);
    // The first digit stays below 16, leaving room to count up within the millisecond.
    lastRandom = Array.from(bytes, (byte, i) => (i === 0 ? byte % 16 : byte % 32));
    lastTime = timeMs;
  }
  let random = '';
  for (const digit of lastRandom) random += crockford.charAt(digit);
  return encodeTime(timeMs) + random;
};

/** A uniform draw in [0, 1), for jitter. */
export const randomUnit = (): number => secureRandomBytes(4).readUInt32BE(0) / 2 ** 32;

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
  'itl',
  'mail',
  'inv',
  'psn',
] as const;

export type IdPrefix = (typeof idPrefixes)[number];

export const newId = (prefix: IdPrefix, timeMs: number): string => `${prefix}_${ulid(timeMs)}`;
