// Sealing secrets at rest with AES-256-GCM under the server secret key: CHARTER_SECRET_KEY, or a key file
// generated once in the data dir (0600). Sealed values carry a version so the scheme can change.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { secureRandomBytes } from './random.js';

export interface Sealer {
  seal(plaintext: string | Buffer): string;
  open(sealed: string): Buffer;
}

export class SealError extends Error {
  override name = 'SealError';
}

const parseKey = (value: string): Buffer => {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new SealError('The secret key must be 32 bytes (64 hex characters or base64)');
  return key;
};

/** The server secret key: from configuration, else the data dir's key file, created on first use. */
/** Where the secret key comes from: CHARTER_SECRET_KEY, the key file in the data dir, or nowhere yet. */
export const secretKeySource = (options: { secretKey: string | undefined; dataDir: string }) =>
  options.secretKey ? 'environment' : existsSync(path.join(options.dataDir, 'secret.key')) ? 'file' : 'none';

export const loadSecretKey = (options: { secretKey: string | undefined; dataDir: string }): Buffer => {
  if (options.secretKey) return parseKey(options.secretKey);
  const file = path.join(options.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    // wx: never overwrite a key another process wrote first.
    try {
      writeFileSync(file, `${secureRandomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parseKey(readFileSync(file, 'utf8'));
};

export const createSealer = (key: Buffer): Sealer => ({
  seal: (plaintext) => {
    const iv = secureRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [
      'v1',
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  },
  open: (sealed) => {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== 'v1' || !iv || body === undefined || !tag)
      throw new SealError('Unknown sealed value format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    } catch {
      throw new SealError(
        'A sealed value does not open with this secret key (was CHARTER_SECRET_KEY changed?)',
      );
    }
  },
});
