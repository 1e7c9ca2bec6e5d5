// Usage counting on the hot path: a validation or checkout adds to a map in memory (no row per request); the map
// is written every few seconds, and on close, as additions to per-hour counters. A flush that fails puts its counts
// back for the next one, so a database hiccup delays counts but does not lose them.
import type { Database } from '../../db/connection.js';
import type { UsageCountersTable } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { addToCounters } from './store.js';

export const usageMetrics = ['validations', 'activations', 'deactivations', 'checkouts', 'denials'] as const;
export type UsageMetric = (typeof usageMetrics)[number];

export interface UsageRecorder {
  count(productId: string, metric: UsageMetric, amount?: number): void;
  /** Seats in use on one pool of the product right after a checkout: the hour keeps the highest. */
  seatsInUse(productId: string, seats: number): void;
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
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const rows: UsageCountersTable[] = [];
    for (const [key, value] of batch) {
      const [hour, productId, metric] = key.split('\u0000') as [string, string, string];
      rows.push({ hour: Number(hour), product_id: productId, metric, value });
    }
    try {
      await transaction(deps.db, (tx) => addToCounters(tx, rows));
    } catch (error) {
      merge(pending, batch);
      deps.log.warn({ err: error, pending: pending.size }, 'usage counters not written; retrying next flush');
      throw error;
    }
  };

  const flush = () => {
    // Flushes run one after another, so a count is never written twice or raced.
    flushing = flushing.catch(() => {}).then(write);
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
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush().catch(() => {});
    },
  };
};
