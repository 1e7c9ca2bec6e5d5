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
    // An AppError is an answer, not a fault: its stack is never shown or logged (an unexpected error keeps its
    // own as the cause), and capturing one costs more than the rest of a refused request's error path.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'AppError';
    this.code = code;
    this.status = catalog[code].status;
    this.details = details;
    this.headers = options.headers ?? {};
    this.extra = options.extra;
  }
}
