// License keys: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX in Crockford base32. The first four groups are 100 random bits;
// the last group is 25 bits of SHA-256 over the first four, so a mistyped key is refused without a database
// read. Lookups use the SHA-256 of the normalized key.
import { hash } from 'node:crypto';
import { secureRandomBytes } from '../../lib/random.js';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const charterKeyPattern = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;

/** 5-bit groups of `bytes` as Crockford characters. */
const base32 = (bytes: Buffer, characters: number): string => {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < characters) {
      out += alphabet.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
};

/**
 * The checksum group: the first 25 bits of SHA-256(data) as five Crockford characters. Read from the hex digest
 * (crypto.hash, one-shot: the cheapest digest Node has), since every validation checks one.
 */
const checksumOf = (data: string): string => {
  const top25 = Number.parseInt(hash('sha256', data, 'hex').slice(0, 8), 16) >>> 7;
  let out = '';
  for (let shift = 20; shift >= 0; shift -= 5) out += alphabet.charAt((top25 >>> shift) & 31);
  return out;
};

const group = (text: string) => text.match(/.{5}/g)?.join('-') ?? text;

export const generateLicenseKey = (): string => {
  const data = base32(secureRandomBytes(13), 20);
  return group(data + checksumOf(data));
};

/**
 * The canonical form: trimmed and upper-cased; for keys shaped like Charter's, the letters Crockford reads as
 * digits (O → 0, I and L → 1) are mapped, so a key read aloud or typed from print still matches.
 */
export const normalizeLicenseKey = (key: string): string => {
  const upper = key.trim().toUpperCase();
  const crockford = upper.replace(/O/g, '0').replace(/[IL]/g, '1');
  return charterKeyPattern.test(crockford) ? crockford : upper;
};

export const isCharterShaped = (normalized: string): boolean => charterKeyPattern.test(normalized);

/** For a Charter-shaped key, whether its checksum group matches; other keys (supplied by vendors) pass. */
export const hasValidChecksum = (normalized: string): boolean => {
  if (!isCharterShaped(normalized)) return true;
  const data = normalized.replace(/-/g, '');
  return checksumOf(data.slice(0, 20)) === data.slice(20);
};

export const licenseKeyHash = (normalized: string): string => hash('sha256', normalized, 'hex');

/** The first group, shown where the full key may not be (api.md keyPrefix). */
export const licenseKeyPrefix = (normalized: string): string =>
  normalized.split('-')[0]?.slice(0, 8) ?? normalized.slice(0, 5);
