// pino, JSON lines on stdout. Secrets never reach a log line: request bodies and headers are not logged,
// and the paths below are redacted should an object carrying them be logged by mistake.
import pino, { type DestinationStream, type Logger } from 'pino';

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
