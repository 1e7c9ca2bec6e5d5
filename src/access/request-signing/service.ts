// Request signing for keys with requireSignature (api.md): X-Charter-Timestamp, X-Charter-Nonce and
// X-Charter-Signature: v1=<hex HMAC-SHA256(secret, timestamp \n nonce \n METHOD \n pathWithQuery \n sha256hex(body))>.
// Timestamps count within ±300 s; nonces are remembered for 10 minutes in the database, shared by every process.
import { createHash, createHmac } from 'node:crypto';
import type { Database } from '../../db/connection.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { safeEqual } from '../../lib/secrets.js';
import { forgetExpiredNonces, rememberNonce as insertNonce } from './store.js';

export const signatureHeaders = ['x-charter-timestamp', 'x-charter-nonce', 'x-charter-signature'] as const;
export const signatureSkewSeconds = 300;
export const nonceLifetimeMs = 10 * 60_000;
const noncePattern = /^[\x21-\x7e]{8,128}$/;

export interface SignedParts {
  timestamp: string;
  nonce: string;
  signature: string;
}

/** The three signature headers, or SIGNATURE_REQUIRED naming the missing ones. */
export const readSignatureHeaders = (headers: Record<string, string | string[] | undefined>): SignedParts => {
  const missing = signatureHeaders.filter(
    (name) => typeof headers[name] !== 'string' || headers[name] === '',
  );
  if (missing.length > 0) {
    throw new AppError('SIGNATURE_REQUIRED', `This key signs every request; missing ${missing.join(', ')}`, {
      missing,
    });
  }
  return {
    timestamp: headers['x-charter-timestamp'] as string,
    nonce: headers['x-charter-nonce'] as string,
    signature: headers['x-charter-signature'] as string,
  };
};

export const canonicalRequest = (parts: {
  timestamp: string;
  nonce: string;
  method: string;
  pathWithQuery: string;
  body: Buffer;
}) =>
  [
    parts.timestamp,
    parts.nonce,
    parts.method.toUpperCase(),
    parts.pathWithQuery,
    createHash('sha256').update(parts.body).digest('hex'),
  ].join('\n');

export const signRequest = (secret: string | Buffer, canonical: string): string =>
  `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`;

const mismatch = (message: string) => new AppError('SIGNATURE_MISMATCH', message);

/** Verifies a signed request and records its nonce; every refusal is SIGNATURE_MISMATCH. */
export const verifySignedRequest = async (
  { db, clock }: { db: Database; clock: Clock },
  request: {
    keyId: string;
    secret: Buffer;
    parts: SignedParts;
    method: string;
    pathWithQuery: string;
    body: Buffer;
  },
): Promise<void> => {
  const { timestamp, nonce, signature } = request.parts;
  if (!/^\d{1,12}$/.test(timestamp)) throw mismatch('X-Charter-Timestamp must be unix seconds');
  if (Math.abs(clock.nowMs() / 1000 - Number(timestamp)) > signatureSkewSeconds) {
    throw mismatch(`X-Charter-Timestamp is more than ${signatureSkewSeconds} s from the server's clock`);
  }
  if (!noncePattern.test(nonce)) throw mismatch('X-Charter-Nonce must be 8–128 visible ASCII characters');
  const expected = signRequest(
    request.secret,
    canonicalRequest({
      timestamp,
      nonce,
      method: request.method,
      pathWithQuery: request.pathWithQuery,
      body: request.body,
    }),
  );
  if (!safeEqual(signature, expected)) throw mismatch('The request signature does not match');
  const now = clock.nowMs();
  if (!(await insertNonce(db.kysely, `${request.keyId}:${nonce}`, now + nonceLifetimeMs))) {
    throw mismatch('This nonce was already used');
  }
};

/** Deletes nonces past their lifetime, every `intervalMs`. */
export const startNonceSweeper = ({ db, clock }: { db: Database; clock: Clock }, intervalMs = 60_000) => {
  const timer = setInterval(() => {
    background('nonce sweep', () => forgetExpiredNonces(db.kysely, clock.nowMs())).catch(() => {});
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};

/** Nonces of other one-time messages (offline activation requests and deactivation proofs) share the table. */
/** Claims a one-time value until `expiresAt`: false when it was claimed before (a replay). */
export const rememberNonce = (db: Executor, key: string, expiresAt: number): Promise<boolean> =>
  insertNonce(db, key, expiresAt);
