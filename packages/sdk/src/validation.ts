// A signed validation result (api.md "Validation result"): Ed25519 over the canonical JSON of the result
// without its signature and kid. Lets a client trust a result that came through a proxy; the nonce it sent
// stops replays.
import { fromBase64, utf8 } from './bytes.js';
import { canonicalJson } from './canonical-json.js';
import type { ValidationResult } from './client.js';
import { findKey, type PublicKeys, verifyEd25519 } from './keys.js';

export interface SignedResult {
  signature?: string;
  kid?: string;
  nonce?: string;
  [field: string]: unknown;
}

/**
 * True when the result is signed by a listed, unretired key (and, with `nonce`, echoes that nonce). Takes what
 * CharterClient.validate answers, or any result object as received.
 */
export const verifyValidation = async (
  result: ValidationResult | SignedResult,
  publicKeys: PublicKeys,
  options: { nonce?: string } = {},
): Promise<boolean> => {
  const { signature, kid, ...unsigned } = result;
  if (typeof signature !== 'string' || typeof kid !== 'string') return false;
  if (options.nonce !== undefined && result.nonce !== options.nonce) return false;
  const key = findKey(publicKeys, kid);
  if (!key) return false;
  try {
    return await verifyEd25519(key, fromBase64(signature), utf8(canonicalJson(unsigned)));
  } catch {
    return false;
  }
};
