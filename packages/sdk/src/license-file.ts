// Offline verification of a Charter license file (api.md "License file"): the armored envelope, its Ed25519
// signature over the payload bytes, the machine it is bound to, and its own expiry with an optional grace
// period; against a clock checked for tampering. No network.
import { type Bytes, fromBase64, fromUtf8 } from './bytes.js';
import { checkClock, defaultClockToleranceSeconds } from './clock-tamper.js';
import { findKey, type PublicKeys, verifyEd25519 } from './keys.js';

export interface LicenseFilePayload {
  license: {
    id: string;
    /** Absent from the files of a license user signed in by email and password (they never hold the key). */
    key?: string;
    status: string;
    productCode: string;
    /** A bundle's license: the product codes it covers, the bundle's own first, then its members'. */
    products?: string[];
    policy: Record<string, unknown>;
    features: unknown[];
    startsAt: string;
    expiresAt: string | null;
  };
  machine: { id: string; fingerprint: string; offline?: boolean; deactivationSecret?: string } | null;
  /** A floating seat: the file lives as long as the lease (a borrowed seat's file runs to the borrow's end). */
  lease?: { id: string; feature: string | null; expiresAt: string; borrowedUntil: string | null };
  issuedAt: string;
  expiresAt: string;
}

/**
 * Why a license file was refused. These are the SDK's own offline reasons, not codes of the server's error
 * catalog (`ErrorCode`): no server ever answers them.
 * - MALFORMED: not a Charter license file, or its signed payload is not JSON
 * - UNKNOWN_KEY: signed by a key not in the public keys, or by a retired one
 * - BAD_SIGNATURE: the file was altered
 * - CLOCK_TAMPERED: the clock is behind `lastSeenAt` beyond the tolerance (set back), or `lastSeenAt` is not a date
 * - NOT_YET_VALID: issued more than 5 minutes after this machine's time (its clock is behind)
 * - EXPIRED: past the file's `expiresAt`, and past the grace period when one was given
 * - FINGERPRINT_MISMATCH: bound to another machine
 */
export type LicenseFileFailure =
  | 'MALFORMED'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'CLOCK_TAMPERED'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'FINGERPRINT_MISMATCH';

export interface LicenseFileOptions {
  /** The file must be bound to this machine. */
  fingerprint?: string | undefined;
  /** The time to check at; defaults to the clock. */
  now?: Date | undefined;
  /**
   * Seconds past the file's `expiresAt` that it still verifies, reported as `inGrace`: for an application that
   * could not reach the server to refresh the file. Never past the license's own end under `restrict`, nor a
   * floating seat's lease (a refresh could not extend those either). Default 0.
   */
  graceSeconds?: number | undefined;
  /** The latest time this application has seen: the `lastSeenAt` of the previous valid result, persisted. */
  lastSeenAt?: Date | string | undefined;
  /** How far the clock may be behind `lastSeenAt` before CLOCK_TAMPERED (default 300 s). */
  clockToleranceSeconds?: number | undefined;
}

export type LicenseFileVerification =
  | {
      valid: true;
      kid: string;
      payload: LicenseFilePayload;
      /** Past the file's `expiresAt` and inside the grace period: refresh the file while you can. */
      inGrace: boolean;
      /** When the grace period ends (ISO 8601), while `inGrace`; else null. */
      graceEndsAt: string | null;
      /** Whole seconds of grace left, while `inGrace`; else null. */
      graceRemainingSeconds: number | null;
      /** The latest time seen, this check included (ISO 8601): persist it, pass it as `lastSeenAt` next time. */
      lastSeenAt: string;
    }
  | { valid: false; reason: LicenseFileFailure; message: string };

type Failure = Extract<LicenseFileVerification, { valid: false }>;

const begin = '-----BEGIN CHARTER LICENSE FILE-----';
const end = '-----END CHARTER LICENSE FILE-----';

const fail = (reason: LicenseFileFailure, message: string): Failure => ({ valid: false, reason, message });

interface Envelope {
  v: number;
  alg: string;
  kid: string;
  payload: string;
  sig: string;
}

const readEnvelope = (file: string): Envelope | undefined => {
  const text = file.trim();
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start !== 0 || stop < 0 || stop + end.length !== text.length) return undefined;
  try {
    const envelope = JSON.parse(fromUtf8(fromBase64(text.slice(begin.length, stop)))) as Partial<Envelope>;
    return envelope.v === 1 &&
      envelope.alg === 'Ed25519' &&
      typeof envelope.kid === 'string' &&
      typeof envelope.payload === 'string' &&
      typeof envelope.sig === 'string'
      ? (envelope as Envelope)
      : undefined;
  } catch {
    return undefined;
  }
};

/** The payload, when the file is well formed and signed by a listed, unretired key. */
const readSignedPayload = async (
  file: string,
  publicKeys: PublicKeys,
): Promise<{ kid: string; payload: LicenseFilePayload } | Failure> => {
  const envelope = readEnvelope(file);
  if (!envelope) return fail('MALFORMED', 'This is not a Charter license file');
  const key = findKey(publicKeys, envelope.kid);
  if (!key) return fail('UNKNOWN_KEY', `No usable public key ${envelope.kid}`);
  let payloadBytes: Bytes;
  let signature: Bytes;
  try {
    payloadBytes = fromBase64(envelope.payload);
    signature = fromBase64(envelope.sig);
  } catch {
    return fail('MALFORMED', 'The payload or signature is not base64url');
  }
  if (!(await verifyEd25519(key, signature, payloadBytes)))
    return fail('BAD_SIGNATURE', 'The signature does not match the payload: the file was altered');
  try {
    return { kid: envelope.kid, payload: JSON.parse(fromUtf8(payloadBytes)) as LicenseFilePayload };
  } catch {
    return fail('MALFORMED', 'The signed payload is not JSON');
  }
};

const secondsOption = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a finite number of seconds, 0 or more (got ${value})`);
  return value;
};

/** Where grace must stop whatever graceSeconds says: what a refresh could not extend either. */
const graceLimitMs = (payload: LicenseFilePayload): number => {
  const limits = [Number.POSITIVE_INFINITY];
  if (payload.lease) limits.push(Date.parse(payload.lease.expiresAt));
  if (payload.license.expiresAt !== null && payload.license.policy.expirationStrategy === 'restrict')
    limits.push(Date.parse(payload.license.expiresAt));
  return Math.min(...limits);
};

/**
 * Verifies a license file offline against the server's public keys (GET /v1/public-keys, stored with the
 * application). With `fingerprint`, the file must be bound to this machine; `now` defaults to the clock. With
 * `graceSeconds`, an expired file verifies for that long, `inGrace`; with `lastSeenAt`, a clock set back before
 * it fails with CLOCK_TAMPERED. A valid result's `lastSeenAt` is the value to persist for the next check.
 */
export const verifyLicenseFile = async (
  file: string,
  publicKeys: PublicKeys,
  options: LicenseFileOptions = {},
): Promise<LicenseFileVerification> => {
  const graceMs = secondsOption('graceSeconds', options.graceSeconds, 0) * 1000;
  const toleranceSeconds = secondsOption(
    'clockToleranceSeconds',
    options.clockToleranceSeconds,
    defaultClockToleranceSeconds,
  );
  const signed = await readSignedPayload(file, publicKeys);
  if ('valid' in signed) return signed;
  const { kid, payload } = signed;
  const now = (options.now ?? new Date()).getTime();
  // A set-back clock first: every time check after it would be answered against a lie.
  const clock = checkClock(now, options.lastSeenAt, toleranceSeconds);
  if (!clock.ok) return fail('CLOCK_TAMPERED', clock.message);
  if (Date.parse(payload.issuedAt) > now + 5 * 60_000)
    return fail('NOT_YET_VALID', `The file was issued at ${payload.issuedAt}, after this machine's clock`);
  const expiresAt = Date.parse(payload.expiresAt);
  const graceEndsAt = Math.min(expiresAt + graceMs, Math.max(expiresAt, graceLimitMs(payload)));
  if (!(graceEndsAt > now)) {
    const grace =
      graceEndsAt > expiresAt
        ? `, and its grace period ended at ${new Date(graceEndsAt).toISOString()}`
        : graceMs > 0
          ? "; no grace runs past the license's end or a seat's lease"
          : '';
    return fail('EXPIRED', `The file expired at ${payload.expiresAt}${grace}`);
  }
  if (options.fingerprint !== undefined && payload.machine?.fingerprint !== options.fingerprint)
    return fail('FINGERPRINT_MISMATCH', 'The file is bound to another machine');
  const inGrace = !(expiresAt > now);
  return {
    valid: true,
    kid,
    payload,
    inGrace,
    graceEndsAt: inGrace ? new Date(graceEndsAt).toISOString() : null,
    graceRemainingSeconds: inGrace ? Math.floor((graceEndsAt - now) / 1000) : null,
    lastSeenAt: new Date(clock.lastSeenAtMs).toISOString(),
  };
};
