// pino, JSON lines on stdout. Secrets never reach a log line: request bodies and headers are not logged,
// and the paths below are redacted should an object carrying them be logged by mistake.
import pino, { type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino';

export const redactedPaths = [
  'password',
  'secret',
  'licenseKey',
  'token',
  'clientSecret',
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

/**
 * pino's isoTime, with the text made once per millisecond: under load many lines share one (new Date() and
 * toISOString were ~4 µs of every line).
 */
let isoTimeMs = -1;
let isoTimeText = '';
const isoTime = (): string => {
  const now = Date.now();
  if (now !== isoTimeMs) {
    isoTimeMs = now;
    isoTimeText = `,"time":"${new Date(now).toISOString()}"`;
  }
  return isoTimeText;
};

const options = (level: string) => ({ level, base: { service: 'charter' }, timestamp: isoTime });

const requestLineLoggers = new WeakMap<Logger, Logger>();

export const createLogger = (level: string, destination?: DestinationStream): Logger => {
  // pino's own default destination, made here so the request-line logger below writes to the same one.
  const stream = destination ?? pino.destination({ fd: process.stdout.fd || 1 });
  const logger = pino({ ...options(level), redact: { paths: redactedPaths, censor: '[redacted]' } }, stream);
  requestLineLoggers.set(logger, pino(options(level), stream));
  return logger;
};

/**
 * The logger of the one line per request (app.ts): the same stream, level and fields as `logger`, without the
 * redaction. That line has fixed fields of primitive values (method, route, path, status, latency, actor and
 * request ids, code), none named like a secret, so the redaction — which acts by field name — has nothing to act
 * on there; with the wildcard paths above it still ran over every top-level value of the line: ~15 µs of each
 * request at the default level. A logger not made by createLogger answers itself.
 */
export const requestLineLogger = (logger: Logger): Logger => requestLineLoggers.get(logger) ?? logger;

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
): Logger | RequestLogger => {
  // Called for every request: asks for any key without building the list of them (Fastify passes `{}`).
  for (const _option in options) return logger.child(bindings, options);
  return new RequestLogger(logger, bindings);
};
