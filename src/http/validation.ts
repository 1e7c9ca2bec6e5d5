// Zod as Fastify's validator: a failing schema hands the ZodError itself to the error handler,
// which lists every issue with its path as an array (errors/validation-issues.ts).
// Before any schema, one rule for every route: text that storage cannot hold (a NUL character, which PostgreSQL
// refuses in text, or a lone UTF-16 surrogate, which has no UTF-8 form) is refused at the edge, alike on both
// engines: 404 in a path id, 400 VALIDATION_ERROR in a query or a body.
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { ZodType } from 'zod';
import { AppError } from '../errors/app-error.js';
import { cutText } from '../errors/validation-issues.js';

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  };

/** Text storage cannot hold: a NUL, or a string that is not well-formed UTF-16 (a lone surrogate). */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (text: string) => text.includes('\u0000') || loneSurrogate.test(text);

/** The path of the first unstorable string (a value or a key) in parsed input, or undefined. */
export const findUnstorableText = (
  value: unknown,
  path: (string | number)[] = [],
  depth = 0,
): (string | number)[] | undefined => {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 128) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (unstorable(key)) return [...path, key];
    const found = findUnstorableText(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
};

const unstorableIssue = (path: (string | number)[]) => ({
  path,
  message: 'contains a NUL character or a lone surrogate, which is not text this server stores',
  code: 'invalid_format',
});

/** Runs on every route once the body is parsed, before its schemas: params, then query, then body. */
export const registerTextGuard = (app: FastifyInstance): void => {
  app.addHook('preValidation', async (request) => {
    if (findUnstorableText(request.params)) throw new AppError('NOT_FOUND', 'No resource has such an id');
    for (const [location, value] of [
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      const path = findUnstorableText(value);
      if (path) {
        throw new AppError(
          'VALIDATION_ERROR',
          `The request ${location} fails validation: ${cutText(path.join('.') || '(root)')}`,
          { location, issues: [unstorableIssue(path)] },
        );
      }
    }
  });
};
