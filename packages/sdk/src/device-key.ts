// Device keys (docs/licensing.md "Device keys"): an Ed25519 key the device registers at activation, then signs
// every Client API call with: Charter-Device-Timestamp (unix seconds) and Charter-Device-Signature (base64 Ed25519
// over `${timestamp}\n${path}\n` followed by the body's bytes). WebCrypto only: a software key made here, a private
// key in PEM (PKCS#8) or a Node KeyObject, or any signer (a key held in a token) through DeviceSigner.
import { type Bytes, fromBase64, toBase64, utf8 } from './bytes.js';

/** A key that signs without giving its private half away (a hardware token, a platform key store). */
export interface DeviceSigner {
  /** What activation registers: the Ed25519 public key as SPKI PEM, or an X.509 certificate (PEM) carrying it. */
  publicKey: string;
  /** The Ed25519 signature (64 bytes) of `data`. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A Node KeyObject (node:crypto), recognized by its shape so this module needs no Node import. */
interface KeyObjectLike {
  type: string;
  asymmetricKeyType?: string | undefined;
  export(options: { format: 'der'; type: 'pkcs8' }): Uint8Array;
}

/** The device key option: a private key in PEM (PKCS#8), a Node KeyObject, or a signer. */
export type DeviceKeyInput = string | KeyObjectLike | DeviceSigner;

const pemBody = (pem: string, label: string): Bytes => {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new TypeError(`deviceKey: expected a PEM ${label}`);
  return fromBase64(match[1]);
};

const toPem = (label: string, der: ArrayBuffer): string => {
  const lines = toBase64(new Uint8Array(der)).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
};

/** WebCrypto's key type, named without the DOM library (Node's types give it through crypto.subtle). */
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The public half of an extractable Ed25519 private key, as SPKI PEM (a private JWK holds `x`, the public key). */
const publicPemOf = async (privateKey: WebCryptoKey): Promise<string> => {
  const { x } = await crypto.subtle.exportKey('jwk', privateKey);
  if (!x) throw new TypeError('deviceKey: the private key does not give its public half');
  const publicKey = await crypto.subtle.importKey('raw', fromBase64(x), 'Ed25519', true, ['verify']);
  return toPem('PUBLIC KEY', await crypto.subtle.exportKey('spki', publicKey));
};

const signerOfPkcs8 = async (der: Bytes): Promise<DeviceSigner> => {
  const privateKey = await crypto.subtle.importKey('pkcs8', der, 'Ed25519', true, ['sign']);
  return {
    publicKey: await publicPemOf(privateKey),
    sign: async (data) =>
      new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, data as Uint8Array<ArrayBuffer>)),
  };
};

const isSigner = (input: DeviceKeyInput): input is DeviceSigner =>
  typeof input === 'object' && typeof (input as DeviceSigner).sign === 'function';

/** The signer of a device key option. */
export const deviceSigner = async (input: DeviceKeyInput): Promise<DeviceSigner> => {
  if (typeof input === 'string') return signerOfPkcs8(pemBody(input, 'PRIVATE KEY'));
  if (isSigner(input)) return input;
  if (input.type !== 'private' || input.asymmetricKeyType !== 'ed25519')
    throw new TypeError('deviceKey: expected an Ed25519 private key');
  return signerOfPkcs8(new Uint8Array(input.export({ format: 'der', type: 'pkcs8' })));
};

/**
 * A new software device key: keep `privateKey` (PKCS#8 PEM) on the device, as the application keeps its other
 * secrets, and give it to CharterClient as `deviceKey`; `publicKey` (SPKI PEM) is what activation registers.
 */
export const generateDeviceKey = async (): Promise<{ privateKey: string; publicKey: string }> => {
  const pair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as {
    privateKey: WebCryptoKey;
    publicKey: WebCryptoKey;
  };
  return {
    privateKey: toPem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
    publicKey: toPem('PUBLIC KEY', await crypto.subtle.exportKey('spki', pair.publicKey)),
  };
};

/** The two headers of a call to `path` with this body, signed at `unixSeconds`. */
export const deviceSignatureHeaders = async (
  signer: DeviceSigner,
  path: string,
  body: string,
  unixSeconds: number,
): Promise<Record<string, string>> => {
  const timestamp = String(unixSeconds);
  const head = utf8(`${timestamp}\n${path}\n`);
  const bytes = utf8(body);
  const data = new Uint8Array(head.length + bytes.length);
  data.set(head);
  data.set(bytes, head.length);
  return {
    'charter-device-timestamp': timestamp,
    'charter-device-signature': toBase64(await signer.sign(data)),
  };
};
