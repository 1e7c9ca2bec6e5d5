// A typed client for Charter's Client API (fetch): errors as CharterError with the envelope's code, status,
// requestId and retryable flag; retryable failures retried with exponential backoff and full jitter, honoring
// Retry-After, up to a bound on attempts.
import {
  type DeviceKeyInput,
  type DeviceSigner,
  deviceSignatureHeaders,
  deviceSigner,
} from './device-key.js';
import { type ErrorCode, retryableCodes } from './error-codes.js';
import type { LicenseFilePayload } from './license-file.js';
import { backoffMs, retryAfterMs } from './retry.js';

export class CharterError extends Error {
  override readonly name = 'CharterError';
  constructor(
    readonly code: ErrorCode | 'NETWORK_ERROR',
    message: string,
    readonly status: number,
    readonly requestId: string | null,
    readonly retryable: boolean,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** The first backoff's ceiling, ms (default 200); it doubles each attempt. */
  baseDelayMs?: number;
  /** No wait is longer than this, Retry-After included (default 10 s). */
  maxDelayMs?: number;
}

export interface CharterClientOptions {
  /** The server, e.g. https://licenses.example.com */
  baseUrl: string;
  /** The license this client speaks for; not needed to start a trial. */
  licenseKey?: string;
  /**
   * Instead of licenseKey, on a user-based product: a license user signs in with every call, which then runs with
   * the license they hold of `productCode` (the server remembers a verified password for a while, so this costs
   * one hash per few minutes, not per call).
   */
  user?: { email: string; password: string; productCode?: string };
  /**
   * The device's key (a private key in PEM, a Node KeyObject, or a DeviceSigner for a key held in a token): activate
   * and checkout register its public key, and every call is signed with it (Charter-Device-Signature).
   */
  deviceKey?: DeviceKeyInput;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** For tests: how to wait, and the randomness of the jitter. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface ValidationResult {
  valid: boolean;
  code: string;
  message: string;
  license: Record<string, unknown> | null;
  machine: Record<string, unknown> | null;
  checkedAt: string;
  nonce?: string;
  signature?: string;
  kid?: string;
}

export interface Activation {
  machine: Record<string, unknown> & { id: string; fingerprint: string };
  license: Record<string, unknown> & { id: string };
  licenseFile: string;
}

/** A floating seat held by this machine (of the license, or of a floating feature). */
export interface Lease {
  id: string;
  licenseId: string;
  machineId: string;
  fingerprint: string;
  feature: string | null;
  status: 'active' | 'released' | 'expired';
  checkedOutAt: string;
  expiresAt: string;
  borrowedUntil: string | null;
  endedAt: string | null;
}

/** A consumption meter after a consume call. */
export interface Meter {
  feature: string | null;
  used: number;
  max: number | null;
  remaining: number | null;
  periodStartsAt: string;
  resetsAt: string | null;
}

/** A license active on this device, as POST /v1/client/device-licenses answers it (never its key). */
export interface DeviceLicense {
  licenseId: string;
  productCode: string;
  status: 'active' | 'suspended' | 'revoked' | 'expired';
  trial: boolean;
  startsAt: string;
  expiresAt: string | null;
  machineId: string;
  activatedAt: string;
}

export type { LicenseFilePayload };

/** The CharterError of a refusal: the envelope's code, message, request id and retryability. */
export const errorFromAnswer = (response: Response, parsed: unknown): CharterError => {
  const envelope = (parsed ?? {}) as {
    code?: string;
    message?: string;
    requestId?: string;
    retryable?: boolean;
    details?: unknown;
  };
  const code = (envelope.code ?? 'INTERNAL_ERROR') as ErrorCode;
  return new CharterError(
    code,
    envelope.message ?? `HTTP ${response.status}`,
    response.status,
    envelope.requestId ?? response.headers.get('x-request-id'),
    envelope.retryable ?? retryableCodes.has(code),
    envelope.details,
  );
};

export class CharterClient {
  readonly #options: CharterClientOptions;
  #signer: Promise<DeviceSigner> | undefined;
  /** Server time minus local time, learnt from a refusal of a signature's timestamp (a device with a wrong clock). */
  #clockOffsetMs = 0;

  constructor(options: CharterClientOptions) {
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  validate(input: { fingerprint?: string; productCode?: string; features?: string[]; nonce?: string } = {}) {
    return this.#post<ValidationResult>('/v1/client/validate', input);
  }

  activate(input: {
    fingerprint: string;
    name?: string;
    hostname?: string;
    platform?: string;
    cores?: number;
    isVm?: boolean;
    userEmail?: string;
    /** The product this software is: the license's, or a member of its bundle (else PRODUCT_MISMATCH). */
    productCode?: string;
  }) {
    return this.#post<Activation>('/v1/client/activate', input, { registersKey: true });
  }

  async deactivate(input: { fingerprint: string; productCode?: string }): Promise<void> {
    await this.#post<null>('/v1/client/deactivate', input);
  }

  /** Keeps the machine alive and extends every lease it holds (`lease`: a floating license's seat). */
  heartbeat(input: { fingerprint: string; productCode?: string }) {
    return this.#post<{ machine: Record<string, unknown>; lease?: Lease | null; leases: Lease[] }>(
      '/v1/client/heartbeat',
      input,
    );
  }

  /**
   * Checks out a seat of a floating license (FLOATING_NOT_AVAILABLE, retryable, when every seat is taken); the
   * license file expires with the lease. Heartbeat before `lease.expiresAt` to keep it.
   */
  checkout(input: Parameters<CharterClient['activate']>[0]) {
    return this.#post<Activation & { lease: Lease }>('/v1/client/checkout', input, { registersKey: true });
  }

  /** Keeps the held seat until `until` (ISO 8601) without heartbeats; the answer's file runs as long. */
  borrow(input: { fingerprint: string; until: string; productCode?: string }) {
    return this.#post<{ lease: Lease; licenseFile: string }>('/v1/client/borrow', input);
  }

  /** Releases the held seat (and this machine's feature seats). */
  async release(input: { fingerprint: string; productCode?: string }): Promise<void> {
    await this.#post<null>('/v1/client/release', input);
  }

  /** Checks out a seat of a floating feature. */
  checkoutFeature(code: string, input: { fingerprint: string; productCode?: string }) {
    return this.#post<{ lease: Lease }>(`/v1/client/features/${encodeURIComponent(code)}/checkout`, input);
  }

  async releaseFeature(code: string, input: { fingerprint: string; productCode?: string }): Promise<void> {
    await this.#post<null>(`/v1/client/features/${encodeURIComponent(code)}/release`, input);
  }

  /**
   * Adds `amount` to the license's meter, or a consumption feature's (a negative amount credits, where allowed).
   * Retried only when the server answered that it did nothing (429, 503): a consumption whose answer was lost on
   * the network may have counted, so NETWORK_ERROR is left to the caller.
   */
  consume(input: { amount: number; feature?: string; fingerprint?: string; productCode?: string }) {
    return this.#post<Meter>('/v1/client/consume', input, { idempotent: false });
  }

  /** Starts a trial of the product on this device: a trial license, activated here (no license key needed). */
  trial(input: { productCode: string; fingerprint: string; email?: string }) {
    return this.#post<Activation & { licenseKey: string }>('/v1/client/trial', input, {
      withLicenseKey: false,
    });
  }

  licenseFile(input: { fingerprint: string; productCode?: string }) {
    return this.#post<{ licenseFile: string }>('/v1/client/license-file', input);
  }

  /** The licenses the signed-in user (the user option) holds, of its productCode when set. */
  userLicenses() {
    return this.#post<{ data: { productCode: string; license: Record<string, unknown> }[] }>(
      '/v1/client/user-licenses',
      {},
    );
  }

  /** Changes the signed-in user's password (CHANGE_PASSWORD_NOT_ALLOWED when a policy of theirs forbids it). */
  async changePassword(newPassword: string): Promise<void> {
    await this.#post<null>('/v1/client/change-password', { newPassword }, { idempotent: false });
  }

  /**
   * The licenses active on this device, of one product when named (no license key needed; DEVICE_LICENSES_NOT_FOUND
   * when none). A device activated with a key is answered only when the call is signed with it.
   */
  async deviceLicenses(input: { fingerprint: string; productCode?: string }): Promise<DeviceLicense[]> {
    const answer = await this.#post<{ data: DeviceLicense[] }>('/v1/client/device-licenses', input, {
      withLicenseKey: false,
    });
    return answer.data;
  }

  async #post<T>(
    path: string,
    body: object,
    { withLicenseKey = true, idempotent = true, registersKey = false } = {},
  ): Promise<T> {
    const signer = this.#deviceSigner();
    const key =
      signer && registersKey && !('deviceKey' in body) ? { deviceKey: (await signer).publicKey } : {};
    const payload = withLicenseKey ? { ...this.#credentials(), ...body, ...key } : { ...body, ...key };
    // The bytes sent are the bytes signed.
    const text = JSON.stringify(payload);
    let clockCorrected = false;
    const { retry = {}, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) } = this.#options;
    const random = this.#options.random ?? Math.random;
    const maxAttempts = Math.max(1, retry.maxAttempts ?? 4);
    const baseDelayMs = retry.baseDelayMs ?? 200;
    const maxDelayMs = retry.maxDelayMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
      const headers = signer
        ? await deviceSignatureHeaders(
            await signer,
            path,
            text,
            Math.floor((Date.now() + this.#clockOffsetMs) / 1000),
          )
        : {};
      const outcome = await this.#once<T>(path, text, headers);
      if (outcome.ok) return outcome.value;
      // A timestamp outside the server's window: sign again once on the server's clock (this try does not count).
      const serverTime = (outcome.error.details as { serverTime?: unknown } | undefined)?.serverTime;
      if (
        outcome.error.code === 'HARDWARE_KEY_SIGNATURE_MISMATCH' &&
        typeof serverTime === 'number' &&
        !clockCorrected
      ) {
        clockCorrected = true;
        this.#clockOffsetMs = serverTime * 1000 - Date.now();
        attempt--;
        continue;
      }
      if (!outcome.error.retryable || attempt >= maxAttempts) throw outcome.error;
      // A call that is not idempotent is retried only when the server answered that it did nothing (429, 503);
      // a lost answer may hide work already done.
      if (!idempotent && outcome.error.code === 'NETWORK_ERROR') throw outcome.error;
      await sleep(backoffMs(attempt, { baseDelayMs, maxDelayMs }, random, outcome.retryAfterMs));
    }
  }

  #deviceSigner(): Promise<DeviceSigner> | undefined {
    if (this.#options.deviceKey === undefined) return undefined;
    this.#signer ??= deviceSigner(this.#options.deviceKey);
    return this.#signer;
  }

  /** Who a call speaks for: the license key, or a license user signing in. */
  #credentials(): Record<string, string> {
    const { licenseKey, user } = this.#options;
    if (licenseKey) return { licenseKey };
    if (user) return { ...user };
    throw new TypeError('This call needs the licenseKey or the user option of CharterClient');
  }

  async #once<T>(
    path: string,
    body: string,
    signature: Record<string, string>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: CharterError; retryAfterMs?: number | undefined }> {
    const fetcher = this.#options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetcher(`${this.#options.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...signature },
        body,
      });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      return {
        ok: false,
        error: new CharterError('NETWORK_ERROR', `No answer from the server: ${message}`, 0, null, true),
      };
    }
    if (response.status === 204) return { ok: true, value: null as T };
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return { ok: true, value: parsed as T };
    return {
      ok: false,
      error: errorFromAnswer(response, parsed),
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
}
