// GET /v1/usage: the per-hour counters summed (peaks: the highest) into hour or day buckets, dense from `from` to
// `to`, so a chart needs no gap filling, and the seats held now. This process's pending counts are written first:
// what it counted is seen.
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import type { Executor } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { seatsInUse } from '../floating/service.js';
import { resolveProductId } from '../products/service.js';
import { visibleProducts } from '../visibility.js';
import { type UsageMetric, type UsageRecorder, usageMetrics } from './recorder.js';
import { maxRangeMs, type UsageQuery, type UsageReport } from './schemas.js';
import { countersBetween, licensesByDevicesSince, pruneAttempts } from './store.js';

const hourMs = 3_600_000;
const isCountMetric = (metric: string): metric is UsageMetric =>
  (usageMetrics as readonly string[]).includes(metric);
const bucketMs = { hour: hourMs, day: 24 * hourMs } as const;

export const usageReport = async (
  deps: { db: Database; clock: Clock; usage: UsageRecorder },
  caller: Caller,
  query: UsageQuery,
): Promise<UsageReport> => {
  const size = bucketMs[query.bucket];
  const to = query.to ? Date.parse(query.to) : deps.clock.nowMs();
  const defaultSpan = query.bucket === 'day' ? 7 * size : 24 * size;
  const from = query.from ? Date.parse(query.from) : to - Math.min(defaultSpan, maxRangeMs[query.bucket]);
  const first = Math.floor(from / size) * size;
  const end = Math.ceil(to / size) * size;
  const productIds = query.productId
    ? [await resolveProductId(deps.db.kysely, caller.principal, query.productId)]
    : visibleProducts(caller.principal);
  await deps.usage.flush().catch(() => {});
  const rows = await countersBetween(deps.db.kysely, { productIds, fromHour: first, toHour: end });
  const buckets = new Map<number, UsageReport['data'][number]>();
  for (let start = first; start < end; start += size) {
    buckets.set(start, {
      start: new Date(start).toISOString(),
      end: new Date(start + size).toISOString(),
      validations: 0,
      activations: 0,
      deactivations: 0,
      checkouts: 0,
      denials: 0,
      peakSeats: 0,
    });
  }
  for (const row of rows) {
    const bucket = buckets.get(Math.floor(Number(row.hour) / size) * size);
    if (!bucket) continue;
    const value = Number(row.value);
    if (row.metric === 'peak_seats') bucket.peakSeats = Math.max(bucket.peakSeats, value);
    else if (isCountMetric(row.metric)) bucket[row.metric] += value;
  }
  return {
    productId: query.productId ? (productIds?.[0] ?? null) : null,
    bucket: query.bucket,
    from: new Date(first).toISOString(),
    to: new Date(end).toISOString(),
    data: [...buckets.values()],
    seatsInUse: await seatsInUse(deps.db.kysely, { nowMs: deps.clock.nowMs(), productIds }),
  };
};

/**
 * Licenses that more than `minDevices` distinct devices tried to activate (activated or refused) in the hours since
 * `sinceMs`, with their device counts: what the key-sharing rule reads. Attempts older than `keepSinceMs` go.
 */
export const licensesTriedByManyDevices = async (
  db: Executor,
  sinceMs: number,
  minDevices: number,
  keepSinceMs: number,
) => {
  await pruneAttempts(db, keepSinceMs);
  return licensesByDevicesSince(db, sinceMs, minDevices);
};
