// Usage history (monitor.md "API": `GET /v1/monitor/usage`): samples (one per feature per poll) are kept 30 days
// and rolled up hourly, rollups 2 years. A series is downsampled on read: buckets of 5 minutes, an hour or a
// day, each with the average and highest in use, the issued count and the denials, from the samples where they
// are still kept and from the hourly rollups before that. Every bucket of the range is answered (no data: null).
import type { Database } from '../db/connection.js';
import { transaction } from '../db/transaction.js';
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../lib/clock.js';
import { lockJobMark, setJobMark } from '../ops/events/service.js';
import { pruneHistory, rollUpHours, rollupsIn, samplesIn } from './store.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
export const sampleRetentionMs = 30 * dayMs;
export const rollupRetentionMs = 730 * dayMs;
export const bucketMs = { '5m': 300_000, hour: hourMs, day: dayMs } as const;
export type Bucket = keyof typeof bucketMs;
const maxBuckets = 2000;

/** Rolls up every complete hour since the last run, then drops what is past retention. */
export const maintainHistory = async (deps: { db: Database; clock: Clock }): Promise<void> => {
  const nowMs = deps.clock.nowMs();
  const lastCompleteHour = nowMs - (nowMs % hourMs);
  await transaction(deps.db, async (tx) => {
    // The first run rolls up every sample there is.
    const mark = await lockJobMark(tx, deps.db.dialect, 'monitor.rollup', 0);
    if (mark.at >= lastCompleteHour) return;
    await rollUpHours(tx, mark.at, lastCompleteHour);
    await setJobMark(tx, 'monitor.rollup', { at: lastCompleteHour, afterId: '' });
    await pruneHistory(tx, {
      samples: nowMs - sampleRetentionMs,
      rollups: nowMs - rollupRetentionMs,
      polls: nowMs - sampleRetentionMs,
    });
  });
};

export interface UsagePoint {
  at: string;
  inUseAvg: number | null;
  inUseMax: number | null;
  issued: number | null;
  denials: number;
}

export const usageSeries = async (
  deps: { db: Database; clock: Clock },
  query: {
    serverId: string;
    feature?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    bucket?: Bucket | undefined;
  },
): Promise<{ bucket: Bucket; data: UsagePoint[] }> => {
  const nowMs = deps.clock.nowMs();
  const to = query.to ? Date.parse(query.to) : nowMs;
  const from = query.from ? Date.parse(query.from) : to - dayMs;
  if (!(from < to)) throw new AppError('INVALID_QUERY', 'from must be before to', { location: 'query' });
  const bucket: Bucket =
    query.bucket ?? (to - from <= 2 * dayMs ? '5m' : to - from <= 62 * dayMs ? 'hour' : 'day');
  const size = bucketMs[bucket];
  const start = from - (from % size);
  if ((to - start) / size > maxBuckets) {
    throw new AppError(
      'INVALID_QUERY',
      `At most ${maxBuckets} buckets: choose a larger bucket or a shorter range`,
      {
        location: 'query',
      },
    );
  }
  // Where raw samples are still kept they are read; before that, the hourly rollups.
  const horizon = Math.max(nowMs - sampleRetentionMs, start);
  const [samples, rollups] = await Promise.all([
    samplesIn(deps.db.kysely, { serverId: query.serverId, feature: query.feature, from: horizon, to }),
    horizon > start
      ? rollupsIn(deps.db.kysely, {
          serverId: query.serverId,
          feature: query.feature,
          from: start,
          to: horizon,
        })
      : Promise.resolve([]),
  ]);
  const buckets = new Map<
    number,
    { weight: number; sum: number; max: number | null; issued: number | null; denials: number }
  >();
  const add = (
    at: number,
    point: { weight: number; sum: number; max: number; issued: number | null; denials: number },
  ) => {
    const key = at - (at % size);
    const entry = buckets.get(key) ?? { weight: 0, sum: 0, max: null, issued: null, denials: 0 };
    entry.weight += point.weight;
    entry.sum += point.sum;
    entry.max = Math.max(entry.max ?? 0, point.max);
    entry.issued = point.issued === null ? entry.issued : Math.max(entry.issued ?? 0, point.issued);
    entry.denials += point.denials;
    buckets.set(key, entry);
  };
  for (const sample of samples)
    add(sample.at, {
      weight: 1,
      sum: sample.inUse,
      max: sample.inUse,
      issued: sample.issued,
      denials: sample.denials,
    });
  for (const rollup of rollups)
    add(rollup.hour, {
      weight: rollup.samples,
      sum: (rollup.inUseSum / Math.max(1, rollup.samples)) * rollup.samples,
      max: rollup.inUseMax,
      issued: rollup.issued,
      denials: rollup.denials,
    });
  const data: UsagePoint[] = [];
  for (let at = start; at < to; at += size) {
    const entry = buckets.get(at);
    data.push({
      at: new Date(at).toISOString(),
      inUseAvg: entry && entry.weight > 0 ? Math.round((entry.sum / entry.weight) * 100) / 100 : null,
      inUseMax: entry?.max ?? null,
      issued: entry?.issued ?? null,
      denials: entry?.denials ?? 0,
    });
  }
  return { bucket, data };
};
