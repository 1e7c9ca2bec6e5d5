// expectError(res, status, code): the whole envelope of spec/errors.md, checked against its strict schema.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { catalog, type ErrorCode } from '../../src/errors/catalog.js';
import { type ErrorEnvelope, errorEnvelopeSchema } from '../../src/errors/envelope.js';

export interface ResponseLike {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

export const expectError = (
  res: ResponseLike | LightMyRequestResponse,
  status: number,
  code: ErrorCode,
): ErrorEnvelope => {
  assert.equal(res.statusCode, status, `expected ${status} ${code}, got ${res.statusCode}: ${res.body}`);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  const body = errorEnvelopeSchema.parse(JSON.parse(res.body));
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(body.retryable, catalog[code].retryable);
  assert.equal(body.requestId, res.headers['x-request-id']);
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(body.docs, `/docs/errors#${code}`);
  assert.ok(body.message.length > 0);
  assert.doesNotMatch(body.message, /\n\s+at |SELECT |INSERT |node_modules|\/src\//);
  return body;
};

/** The `details.issues` of a VALIDATION_ERROR or INVALID_QUERY envelope. */
export const issuesOf = (
  body: ErrorEnvelope,
): { path: (string | number)[]; message: string; code: string }[] =>
  (body.details?.issues ?? []) as { path: (string | number)[]; message: string; code: string }[];
