// AppError: the only error type routes and services throw on purpose; the handler turns it into the envelope.
import { catalog, type ErrorCode } from './catalog.js';

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;
  /** Extra response headers the error needs (`Allow` on 405, `Retry-After` on 429/503). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    details?: ErrorDetails,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = catalog[code].status;
    this.details = details;
    this.headers = options.headers ?? {};
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;
