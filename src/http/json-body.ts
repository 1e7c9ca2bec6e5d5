// The one body parser: JSON only (application/json and +json types). It refuses invalid UTF-8 and nesting
// deeper than maxJsonDepth before parsing, so hostile bodies cost a linear scan and answer INVALID_JSON.
import { isUtf8 } from 'node:buffer';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';

export const maxJsonDepth = 64;

const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;

/** True when the JSON text nests objects/arrays deeper than `limit` (strings are skipped). */
export const nestsDeeperThan = (body: Buffer, limit: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === backslash) i++;
      else if (byte === quote) inString = false;
    } else if (byte === quote) {
      inString = true;
    } else if (byte === openBrace || byte === openBracket) {
      if (++depth > limit) return true;
    } else if (byte === closeBrace || byte === closeBracket) {
      depth--;
    }
  }
  return false;
};

declare module 'fastify' {
  interface FastifyRequest {
    rawBody: Buffer | undefined;
  }
}

export const registerJsonBodyParser = (app: FastifyInstance): void => {
  app.decorateRequest('rawBody', undefined);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  const parser: FastifyBodyParser<Buffer> = (request, buffer, done) => {
    // An empty body is no body (clients send Content-Type on body-less POSTs); schemas that need one say so.
    if (buffer.length === 0) {
      done(null, undefined);
      return;
    }
    // JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset is not read as if it were.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(
        new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `JSON bodies are UTF-8; charset=${charset.slice(0, 40)} is not accepted`,
        ),
        undefined,
      );
      return;
    }
    if (!isUtf8(buffer)) {
      done(new AppError('INVALID_JSON', 'The request body is not valid UTF-8'), undefined);
      return;
    }
    if (nestsDeeperThan(buffer, maxJsonDepth)) {
      done(
        new AppError('INVALID_JSON', `The request body nests JSON deeper than ${maxJsonDepth} levels`, {
          maxDepth: maxJsonDepth,
        }),
        undefined,
      );
      return;
    }
    // Kept for request signing, which signs the body's exact bytes.
    request.rawBody = buffer;
    parseJson(request, buffer.toString('utf8'), done);
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]+\+json$/i, { parseAs: 'buffer' }, parser);
};
