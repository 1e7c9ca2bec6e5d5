// Usage counting on the hot path: a validation or checkout adds to a map in memory (no row per request); the map
// is written every few seconds, and on close, as additions to per-hour counters. A flush that fails puts its counts
// back for the next one, so a database hiccup delays counts but does not lose them. Activation attempts (which
// devices tried to activate each license, hour by hour, refused or not) are kept the same way, for the key-sharing
// rule.
import type { Database } from '../../db/connection.js';
import type { UsageCountersTable } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { sha256Hex } from '../../lib/secrets.js';
import { addToCounters, recordAttempts } from './store.js';

export const usageMetrics = ['validations', 'activations', 'deactivations', 'checkouts', 'denials'] as const;
export type UsageMetric = (typeof usageMetrics)[number];

export interface UsageRecorder {
  count(productId: string, metric: UsageMetric, amount?: number): void;
  /** Seats in use on one pool of the product right after a checkout: the hour keeps the highest. */
  seatsInUse(productId: string, seats: number): void;
  /** A device tried to activate a license (activated or refused). */
  attempt(licenseId: string, fingerprint: string): void;
  /** Writes what is pending now. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is pending (graceful shutdown). */
  stop(): Promise<void>;
}

const hourMs = 3_600_000;

export const createUsageRecorder = (
  deps: { db: Database; clock: Clock; log: { warn(object: object, message: string): void } },
  flushMs: number,
): UsageRecorder => {
  // key: `${hour}\u0000${productId}\u0000${metric}`
  let pending = new Map<string, number>();
  // key: `${licenseId}\u0000${hour}\u0000${fingerprint digest}`
  let attempts = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();

  const keyOf = (productId: string, metric: string) =>
    `${Math.floor(deps.clock.nowMs() / hourMs) * hourMs}\u0000${productId}\u0000${metric}`;

  const merge = (into: Map<string, number>, from: Map<string, number>) => {
    for (const [key, value] of from) {
      const isPeak = key.endsWith('\u0000peak_seats');
      const current = into.get(key);
      into.set(key, current === undefined ? value : isPeak ? Math.max(current, value) : current + value);
    }
  };

  const write = async () => {
    if (pending.size === 0 && attempts.size === 0) return;
    const batch = pending;
    pending = new Map();
    const tried = attempts;
    attempts = new Set();
    const rows: UsageCountersTable[] = [];
    for (const [key, value] of batch) {
      const [hour, productId, metric] = key.split('\u0000') as [string, string, string];
      rows.push({ hour: Number(hour), product_id: productId, metric, value });
    }
    const attemptRows = [...tried].map((key) => {
      const [licenseId, hour, fingerprint] = key.split('\u0000') as [string, string, string];
      return { license_id: licenseId, hour: Number(hour), fingerprint };
    });
    try {
      await transaction(deps.db, async (tx) => {
        await addToCounters(tx, rows);
        await recordAttempts(tx, attemptRows);
      });
    } catch (error) {
      merge(pending, batch);
      for (const key of tried) attempts.add(key);
      deps.log.warn({ err: error, pending: pending.size }, 'usage counters not written; retrying next flush');
      throw error;
    }
  };

  const flush = () => {
    // Flushes run one after another, so a count is never written twice or raced.
    flushing = flushing.catch(() => {}).then(() => background('usage flush', write));
    return flushing;
  };

  const timer = setInterval(() => {
    flush().catch(() => {});
  }, flushMs);
  timer.unref();

  return {
    count: (productId, metric, amount = 1) => {
      const key = keyOf(productId, metric);
      pending.set(key, (pending.get(key) ?? 0) + amount);
    },
    seatsInUse: (productId, seats) => {
      const key = keyOf(productId, 'peak_seats');
      pending.set(key, Math.max(pending.get(key) ?? 0, seats));
    },
    attempt: (licenseId, fingerprint) => {
      const hour = Math.floor(deps.clock.nowMs() / hourMs) * hourMs;
      attempts.add(`${licenseId}\u0000${hour}\u0000${sha256Hex(fingerprint).slice(0, 32)}`);
    },
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush().catch(() => {});
    },
  };
};
