// AppError: the only error type routes and services throw on purpose; the handler turns it into the envelope.
import { catalog, type ErrorCode } from './catalog.js';

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;
  /** Extra response headers the error needs (`Allow` on 405, `Retry-After` on 429/503). */
  readonly headers: Record<string, string>;
  /**
   * Fields beside the envelope's own: only POST /v1/oauth/token uses them (RFC 6749's `error` and
   * `error_description`, which OAuth client libraries read).
   */
  readonly extra: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: ErrorDetails,
    options: { headers?: Record<string, string>; cause?: unknown; extra?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = catalog[code].status;
    this.details = details;
    this.headers = options.headers ?? {};
    this.extra = options.extra;
  }
}
