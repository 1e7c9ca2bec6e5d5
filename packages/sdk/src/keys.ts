// Public keys as GET /v1/public-keys lists them, imported for WebCrypto Ed25519 verification.
import { type Bytes, fromBase64 } from './bytes.js';

export interface PublicKeyEntry {
  kid: string;
  algorithm?: string;
  /** base64 of the SPKI DER public key. */
  publicKey: string;
  status?: 'active' | 'verify_only' | 'retired' | string;
}

/** A list as the server answers it (`{ data: [...] }`), or its entries. */
export type PublicKeys = readonly PublicKeyEntry[] | { data: readonly PublicKeyEntry[] };

const entriesOf = (keys: PublicKeys): readonly PublicKeyEntry[] => ('data' in keys ? keys.data : keys);

/** The key for `kid`, when listed and not retired (what a retired key signed is refused). */
export const findKey = (keys: PublicKeys, kid: string): PublicKeyEntry | undefined =>
  entriesOf(keys).find((entry) => entry.kid === kid && entry.status !== 'retired');

export const verifyEd25519 = async (
  entry: PublicKeyEntry,
  signature: Bytes,
  data: Bytes,
): Promise<boolean> => {
  try {
    const key = await crypto.subtle.importKey(
      'spki',
      fromBase64(entry.publicKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, data);
  } catch {
    return false;
  }
};
