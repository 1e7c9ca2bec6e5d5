// The error envelope: its Zod schema (published as the OpenAPI `Error` component) and the builder every error goes through.
import { z } from 'zod';
import type { AppError } from './app-error.js';
import { catalog, docsLink, errorCodes } from './catalog.js';

export const errorEnvelopeSchema = z
  .strictObject({
    code: z.enum(errorCodes as [string, ...string[]]).describe('Catalog code; clients branch on it'),
    message: z.string().describe('One human sentence naming the thing concerned'),
    status: z.number().int().min(400).max(599).describe('Equals the HTTP status'),
    details: z.record(z.string(), z.unknown()).optional().describe('Structured context, shape per code'),
    retryable: z.boolean().describe('The same request may succeed later unchanged'),
    requestId: z.string().describe('Equals the X-Request-ID response header'),
    timestamp: z.string().describe('ISO 8601 UTC with milliseconds'),
    docs: z.string().describe('Link to the code in the served error reference'),
  })
  .meta({ title: 'Error', description: 'The envelope of every error response' });

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** The envelope of POST /v1/oauth/token: RFC 6749's error fields beside the usual ones. */
export const oauthErrorEnvelopeSchema = errorEnvelopeSchema
  .extend({
    error: z.enum([
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
      'server_error',
      'temporarily_unavailable',
    ]),
    error_description: z.string(),
  })
  .meta({
    title: 'OAuthError',
    description: 'The error envelope of POST /v1/oauth/token, with RFC 6749 error fields',
  });

export const toEnvelope = (error: AppError, requestId: string, now: Date): ErrorEnvelope => {
  const envelope: ErrorEnvelope = {
    code: error.code,
    message: error.message,
    status: error.status,
    retryable: catalog[error.code].retryable,
    requestId,
    timestamp: now.toISOString(),
    docs: docsLink(error.code),
  };
  if (error.details !== undefined) envelope.details = error.details;
  return error.extra ? { ...error.extra, ...envelope } : envelope;
};
