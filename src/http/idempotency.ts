// Idempotency-Key on mutating Management routes (api.md "Conventions"): the first request with a key claims it and
// its answer is kept 24 h; the same key with the same request replays that answer (status, body, Location,
// X-Request-ID, and Idempotent-Replayed: true) without
// doing the work again, and with another request answers 409 IDEMPOTENCY_KEY_REUSED. Keys are per credential. A
// second request arriving while the first runs waits for its answer (every process sees the claim: it is a row).
// A 5xx answer is not kept, so a retry does the work.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/connection.js';
import { AppError } from '../errors/app-error.js';
import { background } from '../lib/background.js';
import { canonicalJson } from '../lib/canonical-json.js';
import type { Clock } from '../lib/clock.js';
import type { Sealer } from '../lib/sealing.js';
import { sha256Hex } from '../lib/secrets.js';
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  forgetExpiredIdempotencyKeys,
  forgetIdempotencyKey,
  recordIdempotentAnswer,
} from './idempotency-store.js';

export const idempotencyHeader = 'idempotency-key';
const lifetimeMs = 24 * 3600_000;
/** How long a request waits for the first one with its key before answering CONFLICT (retryable). */
const maxWaitMs = 10_000;
const waitStepMs = 25;
/** A claim this old without an answer was abandoned (its process stopped mid-request): the key is free again. */
const abandonedAfterMs = 60_000;
// The first request's X-Request-ID comes back too: it is the one in the replayed body, and the one whose work it was.
const replayedHeaders = ['content-type', 'location', 'x-request-id'] as const;
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request claimed: its answer is kept when sent. */
    idempotencyClaim: { scope: string; key: string } | undefined;
  }
}

const keyOf = (header: string | string[] | undefined): string | undefined => {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header.length < 1 || header.length > 255) {
    throw new AppError('VALIDATION_ERROR', 'The Idempotency-Key header must be 1–255 characters, sent once', {
      location: 'headers',
      issues: [{ path: [idempotencyHeader], message: 'must be 1–255 characters', code: 'custom' }],
    });
  }
  return header;
};

export const registerIdempotency = (
  app: FastifyInstance,
  deps: { db: Database; clock: Clock; sealer: Sealer },
) => {
  const db = deps.db.kysely;
  app.decorateRequest('idempotencyClaim', undefined);

  // After authentication and body validation: only a valid request of a known credential claims a key.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.auth?.kind !== 'scope' || !unsafe.has(request.method)) return;
    const key = keyOf(request.headers[idempotencyHeader]);
    const principal = request.principal;
    if (key === undefined || !principal) return;
    const scope = `${principal.type}:${principal.id}`;
    const requestHash = sha256Hex(
      `${request.method}\n${request.url}\n${request.body === undefined ? '' : canonicalJson(request.body)}`,
    );
    const started = performance.now();
    for (;;) {
      const nowMs = deps.clock.nowMs();
      const claimed = await claimIdempotencyKey(db, {
        scope,
        key,
        request_hash: requestHash,
        response_status: null,
        response_body: null,
        response_headers: null,
        created_at: nowMs,
        expires_at: nowMs + lifetimeMs,
      });
      if (claimed) {
        request.idempotencyClaim = { scope, key };
        return;
      }
      const existing = await findIdempotencyKey(db, scope, key);
      if (!existing) continue; // the first request failed (5xx) and let the key go: claim it again
      if (existing.expires_at <= nowMs) {
        await forgetIdempotencyKey(db, scope, key, { expiredBy: nowMs });
        continue;
      }
      if (existing.response_status === null && existing.created_at + abandonedAfterMs <= nowMs) {
        await forgetIdempotencyKey(db, scope, key, { claimedBefore: existing.created_at + 1 });
        continue;
      }
      if (existing.request_hash !== requestHash) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used for a different request in the last 24 hours',
          { key },
        );
      }
      if (existing.response_status !== null) {
        const headers = JSON.parse(existing.response_headers ?? '{}') as Record<string, string>;
        return reply
          .code(existing.response_status)
          .headers({ ...headers, 'idempotent-replayed': 'true' })
          .send(
            existing.response_body === null
              ? null
              : deps.sealer.open(existing.response_body).toString('utf8'),
          );
      }
      if (performance.now() - started > maxWaitMs) {
        throw new AppError(
          'CONFLICT',
          'A request with this Idempotency-Key is still running; retry shortly',
          { key },
          { headers: { 'retry-after': '1' } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, waitStepMs));
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    if (reply.statusCode >= 500) {
      await forgetIdempotencyKey(db, claim.scope, claim.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of replayedHeaders) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await recordIdempotentAnswer(db, claim.scope, claim.key, {
      response_status: reply.statusCode,
      // Sealed like license keys: a kept answer may hold a license key or a secret shown once.
      response_body: payload === null || payload === undefined ? null : deps.sealer.seal(String(payload)),
      response_headers: JSON.stringify(headers),
    });
    return payload;
  });

  const sweeper = setInterval(() => {
    background('idempotency sweep', () => forgetExpiredIdempotencyKeys(db, deps.clock.nowMs())).catch(
      () => {},
    );
  }, 3600_000);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));
};
