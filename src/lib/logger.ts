// pino, JSON lines on stdout. Secrets never reach a log line: request bodies and headers are not logged,
// and the paths below are redacted should an object carrying them be logged by mistake.
import pino, { type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino';

export const redactedPaths = [
  'password',
  'secret',
  'licenseKey',
  'token',
  '*.password',
  '*.secret',
  '*.licenseKey',
  '*.token',
  '*.clientSecret',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
];

export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino(
    {
      level,
      base: { service: 'charter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    destination,
  );

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Write = (...args: unknown[]) => void;

/**
 * A request's logger, bound to its id, made into a pino child only when a line is written. Fastify asks for a child
 * logger on every request; pino's child() serializes its bindings through the redaction above and copies the
 * logger's state, ~2 µs and several objects per request — for a logger most requests never write to (the one
 * request line goes through the parent: see app.ts). Lines it writes are the child's, byte for byte.
 */
export class RequestLogger {
  #child: Logger | undefined;
  readonly #parent: Logger;
  readonly #bindings: Record<string, unknown>;

  constructor(parent: Logger, bindings: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  get #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  get msgPrefix(): string | undefined {
    return (this.#child ?? this.#parent).msgPrefix;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }

  #write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const logger = this.#logger;
    (logger[level] as Write).apply(logger, args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Record<string, unknown>, options?: ChildLoggerOptions): Logger {
    return this.#logger.child(bindings, options);
  }
}

/**
 * Fastify's childLoggerFactory: a RequestLogger, or pino's own child when a route asks for its own level or
 * serializers.
 */
export const requestLoggerFactory = (
  logger: Logger,
  bindings: Record<string, unknown>,
  options: ChildLoggerOptions,
): Logger | RequestLogger =>
  Object.keys(options).length > 0 ? logger.child(bindings, options) : new RequestLogger(logger, bindings);
