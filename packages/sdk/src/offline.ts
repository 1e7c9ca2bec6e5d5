// The files an air-gapped machine gives its operator (api.md "Offline activation"): the activation request,
// and later the deactivation proof, an HMAC with the secret from its license file.
import { toBase64, toHex, utf8 } from './bytes.js';

const randomNonce = (): string => toHex(crypto.getRandomValues(new Uint8Array(16)));

const encode = (value: unknown): string => toBase64(utf8(JSON.stringify(value)));

export const createOfflineActivationRequest = (input: {
  licenseKey: string;
  fingerprint: string;
  name?: string;
  hostname?: string;
  now?: Date;
}): string =>
  encode({
    v: 1,
    licenseKey: input.licenseKey,
    fingerprint: input.fingerprint,
    name: input.name ?? null,
    hostname: input.hostname ?? null,
    nonce: randomNonce(),
    createdAt: (input.now ?? new Date()).toISOString(),
  });

/** hex HMAC-SHA256(deactivationSecret, machineId + fingerprint + nonce), in the proof's base64 JSON. */
export const createDeactivationProof = async (input: {
  machineId: string;
  fingerprint: string;
  deactivationSecret: string;
}): Promise<string> => {
  const nonce = randomNonce();
  const key = await crypto.subtle.importKey(
    'raw',
    utf8(input.deactivationSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, utf8(`${input.machineId}${input.fingerprint}${nonce}`));
  return encode({
    v: 1,
    machineId: input.machineId,
    fingerprint: input.fingerprint,
    nonce,
    hmac: toHex(new Uint8Array(mac)),
  });
};
