// Turns every thrown thing into the error envelope: AppErrors as they are, Fastify's own errors mapped
// to their catalog codes, storage failures to DATABASE_ERROR, everything else to INTERNAL_ERROR (logged with its stack).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';
import { isStorageError } from '../db/errors.js';
import { AppError } from '../errors/app-error.js';
import { toEnvelope } from '../errors/envelope.js';
import { isZodError, maxIssues, toValidationIssues } from '../errors/validation-issues.js';
import type { Clock } from '../lib/clock.js';
import { invalidQueryMarker } from './pagination.js';

const validationLocations: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

const singleIssue = (message: string, code = 'custom', path: (string | number)[] = []) => ({
  issues: [{ path, message, code }],
});

/** Fastify's own error codes, mapped to the catalog. */
const fromFastifyCode = (error: FastifyError, bodyLimit: number): AppError | undefined => {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON sent as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', `The request body is over the limit of ${bodyLimit} bytes`, {
        limit: bodyLimit,
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('INVALID_JSON', 'The request declares a JSON body but sends none');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('INVALID_JSON', 'The request body is not parseable JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(
        'VALIDATION_ERROR',
        'The request body length does not match its Content-Length header',
        singleIssue('does not match the body length', 'custom', ['content-length']),
      );
    case 'FST_ERR_BAD_URL':
      return new AppError(
        'VALIDATION_ERROR',
        'The request path is not valid percent-encoding',
        singleIssue('invalid URL encoding', 'invalid_format'),
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('NOT_FOUND', 'No resource has an id that long');
    default:
      return undefined;
  }
};

/**
 * A schema failure: VALIDATION_ERROR in general; MISSING_HEADER when a required header is absent;
 * INVALID_QUERY for an unknown query parameter or a cursor this server did not issue.
 */
const fromValidation = (error: ZodError, request: FastifyRequest | undefined): AppError => {
  const context = (error as { validationContext?: string }).validationContext;
  const location = context ? (validationLocations[context] ?? context) : 'body';
  const issues = toValidationIssues(error);
  // Past maxIssues the details keep the first ones and say how many there were.
  const counted = error.issues.length > maxIssues ? { issueCount: error.issues.length } : {};
  if (location === 'headers' && request) {
    const missing = issues
      .map((issue) => String(issue.path[0] ?? ''))
      .filter((name) => name !== '' && request.headers[name.toLowerCase()] === undefined);
    if (missing.length > 0) {
      return new AppError('MISSING_HEADER', `The request lacks the required header ${missing.join(', ')}`, {
        headers: missing,
      });
    }
  }
  if (location === 'query' && error.issues.some(isQueryShapeIssue)) {
    return new AppError('INVALID_QUERY', `The query is malformed: ${shorten(describeQueryIssues(error))}`, {
      location,
      issues,
      ...counted,
    });
  }
  const fields = issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
  return new AppError('VALIDATION_ERROR', `The request ${location} fails validation: ${shorten(fields)}`, {
    location,
    issues,
    ...counted,
  });
};

const shorten = (text: string) => (text.length > 500 ? `${text.slice(0, 499)}…` : text);

const isQueryShapeIssue = (issue: ZodError['issues'][number]) =>
  issue.code === 'unrecognized_keys' ||
  (issue.code === 'custom' &&
    (issue.params as { catalogCode?: string } | undefined)?.catalogCode === invalidQueryMarker);

const describeQueryIssues = (error: ZodError) =>
  error.issues
    .filter(isQueryShapeIssue)
    .map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.join(', ')}`
        : `${issue.path.join('.')} ${issue.message}`,
    )
    .join('; ');

export const toAppError = (
  error: unknown,
  bodyLimit: number,
  request?: FastifyRequest,
): { appError: AppError; unexpected: boolean } => {
  if (error instanceof AppError) return { appError: error, unexpected: false };
  if (isZodError(error)) return { appError: fromValidation(error, request), unexpected: false };
  const fastifyError = error as FastifyError;
  if (fastifyError?.code) {
    const mapped = fromFastifyCode(fastifyError, bodyLimit);
    if (mapped) return { appError: mapped, unexpected: false };
  }
  if (isStorageError(error)) {
    return {
      appError: new AppError(
        'DATABASE_ERROR',
        'The database did not complete the request; retry shortly',
        undefined,
        {
          headers: { 'retry-after': '1' },
        },
      ),
      unexpected: true,
    };
  }
  if (fastifyError?.validation) {
    return {
      appError: new AppError('VALIDATION_ERROR', 'The request fails validation', {
        issues: fastifyError.validation.map((item) => ({
          path: item.instancePath.split('/').filter(Boolean),
          message: item.message ?? 'is invalid',
          code: item.keyword,
        })),
      }),
      unexpected: false,
    };
  }
  return {
    appError: new AppError(
      'INTERNAL_ERROR',
      'An unexpected error occurred; it was logged with the request id',
    ),
    unexpected: true,
  };
};

export const sendError = (reply: FastifyReply, appError: AppError, clock: Clock): FastifyReply => {
  const request = reply.request;
  request.errorCode = appError.code;
  // Set here too: framework errors (a bad URL) are answered before the onRequest hook that sets it.
  const headers: Record<string, string> = { ...appError.headers, 'x-request-id': request.id };
  if ((appError.status === 503 || appError.status === 429) && headers['retry-after'] === undefined) {
    headers['retry-after'] = '5';
  }
  return reply
    .code(appError.status)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(toEnvelope(appError, request.id, clock.now()));
};

export const errorHandler =
  (clock: Clock, bodyLimit: number) =>
  (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { appError, unexpected } = toAppError(error, bodyLimit, request);
    if (unexpected) {
      request.log.error({ err: error, code: appError.code }, 'request failed unexpectedly');
    }
    return sendError(reply, appError, clock);
  };
