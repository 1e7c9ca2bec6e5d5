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
export const findUnstorableText = (value: unknown): (string | number)[] | undefined => {
  // One path, pushed and popped on the way down: copied only for the answer.
  const path: (string | number)[] = [];
  const walk = (item: unknown, depth: number): boolean => {
    if (typeof item === 'string') return unstorable(item);
    if (item === null || typeof item !== 'object' || depth > 128) return false;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        path.push(i);
        if (walk(item[i], depth + 1)) return true;
        path.pop();
      }
      return false;
    }
    for (const key in item) {
      if (!Object.hasOwn(item, key)) continue;
      path.push(key);
      if (unstorable(key) || walk((item as Record<string, unknown>)[key], depth + 1)) return true;
      path.pop();
    }
    return false;
  };
  return walk(value, 0) ? [...path] : undefined;
};

/**
 * Whether a parsed JSON body can hold unstorable text at all: its text needs a \u escape for either, since
 * JSON.parse refuses raw control characters in strings and the body was checked to be UTF-8 (json-body.ts), which
 * has no form for a lone surrogate. Most bodies have no escape and skip the walk.
 */
const mayHoldUnstorable = (rawBody: Buffer | undefined): boolean =>
  rawBody === undefined || rawBody.includes('\\u');

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
      if (location === 'body' && !mayHoldUnstorable(request.rawBody)) continue;
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
