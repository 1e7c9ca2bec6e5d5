// Rate limits and quotas, counted by rate-limiter-flexible: in memory for one process (SQLite), in Redis when
// REDIS_URL is set, else in PostgreSQL, so several processes share one count. When the shared store fails, a
// per-process memory limiter stands in (insurance) rather than failing the request.

import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Database } from '../db/connection.js';
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../lib/clock.js';

export type CounterStore = 'memory' | 'redis' | 'postgres';

export interface RateDecision {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  allowed: boolean;
}

export interface RateLimiter {
  readonly store: CounterStore;
  /** Counts one request for `key` against `limit` per `windowSeconds` in the named bucket. */
  consume(bucket: string, key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export const createRateLimiter = async (options: {
  db: Database;
  redisUrl: string | undefined;
  log: { warn(object: object, message: string): void };
}): Promise<RateLimiter> => {
  let redis: Redis | undefined;
  let store: CounterStore = 'memory';
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    redis.on('error', (error: Error) => options.log.warn({ err: error }, 'redis: connection problem'));
    await redis
      .connect()
      .catch((error: unknown) => options.log.warn({ err: error }, 'redis: not reachable at start'));
    store = 'redis';
  } else if (options.db.dialect === 'postgres' && options.db.pgPool) {
    store = 'postgres';
  }

  const limiters = new Map<string, RateLimiterAbstract>();
  // One limiter per bucket and limit; the window is given with each call, so quota periods need no new limiter.
  const limiterFor = (bucket: string, limit: number, windowSeconds: number): RateLimiterAbstract => {
    const id = `${bucket}:${limit}`;
    let limiter = limiters.get(id);
    if (limiter) return limiter;
    const common = { points: limit, duration: windowSeconds, keyPrefix: `charter:${bucket}:${limit}` };
    const insuranceLimiter = new RateLimiterMemory(common);
    if (store === 'redis' && redis) {
      limiter = new RateLimiterRedis({ ...common, storeClient: redis, insuranceLimiter });
    } else if (store === 'postgres' && options.db.pgPool) {
      limiter = new RateLimiterPostgres({
        ...common,
        storeClient: options.db.pgPool,
        tableName: 'rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        insuranceLimiter,
        ...(options.db.schema ? { schemaName: options.db.schema } : {}),
      });
    } else {
      limiter = insuranceLimiter;
    }
    limiters.set(id, limiter);
    return limiter;
  };

  return {
    store,
    consume: async (bucket, key, limit, windowSeconds) => {
      try {
        const result = await limiterFor(bucket, limit, windowSeconds).consume(key, 1, {
          customDuration: windowSeconds,
        });
        return {
          limit,
          remaining: result.remainingPoints,
          resetSeconds: Math.ceil(result.msBeforeNext / 1000),
          allowed: true,
        };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return {
            limit,
            remaining: 0,
            resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
            allowed: false,
          };
        }
        throw new AppError('UPSTREAM_ERROR', 'The rate-limit store did not answer', undefined, {
          cause: rejection,
        });
      }
    },
    close: async () => {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
};

/** The 429 answer for a refused request: details per errors.md, Retry-After in seconds. */
export const limitExceeded = (
  code: 'RATE_LIMIT_EXCEEDED' | 'QUOTA_EXCEEDED',
  message: string,
  decision: RateDecision,
  scope: string,
  resetAtMs: number,
): AppError =>
  new AppError(
    code,
    message,
    {
      limit: decision.limit,
      remaining: 0,
      resetAt: new Date(resetAtMs).toISOString(),
      retryAfter: decision.resetSeconds,
      scope,
    },
    { headers: { 'retry-after': String(decision.resetSeconds) } },
  );

const setRateHeaders = (reply: FastifyReply, decision: RateDecision) => {
  const current = Number(reply.getHeader('ratelimit-remaining') ?? Number.POSITIVE_INFINITY);
  if (decision.remaining > current) return; // the most restrictive limit is the one to report
  reply.header('ratelimit-limit', String(decision.limit));
  reply.header('ratelimit-remaining', String(decision.remaining));
  reply.header('ratelimit-reset', String(decision.resetSeconds));
};

export interface LimitCheck {
  bucket: string;
  key: string;
  limit: number;
  windowSeconds: number;
  /** Named in the 429's details: `ip`, `license_key`, the principal type, or `quota_daily|monthly`. */
  scope: string;
  /** A quota's calendar period end: Retry-After and resetAt point at it exactly. */
  quotaEndsAt?: number;
}

/**
 * Counts one request against a limit, sets the RateLimit-* headers (the most restrictive limit wins) and refuses
 * with 429 RATE_LIMIT_EXCEEDED, or QUOTA_EXCEEDED for a calendar quota, when it is used up.
 */
export const enforceLimit = async (
  deps: { limiter: RateLimiter; clock: Clock },
  reply: FastifyReply,
  check: LimitCheck,
): Promise<void> => {
  const counted = await deps.limiter.consume(check.bucket, check.key, check.limit, check.windowSeconds);
  const nowMs = deps.clock.nowMs();
  const decision =
    check.quotaEndsAt === undefined
      ? counted
      : { ...counted, resetSeconds: Math.max(1, Math.ceil((check.quotaEndsAt - nowMs) / 1000)) };
  setRateHeaders(reply, decision);
  if (decision.allowed) return;
  if (check.quotaEndsAt !== undefined) {
    const period = check.scope.replace('quota_', '');
    throw limitExceeded(
      'QUOTA_EXCEEDED',
      `The ${period} quota of this key is used up`,
      decision,
      check.scope,
      check.quotaEndsAt,
    );
  }
  throw limitExceeded(
    'RATE_LIMIT_EXCEEDED',
    'Too many requests; retry after the window resets',
    decision,
    check.scope,
    nowMs + decision.resetSeconds * 1000,
  );
};
