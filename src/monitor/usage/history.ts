// Usage history (monitor.md "API": `GET /v1/monitor/usage`): samples (one per feature per poll) are kept 30 days
// and rolled up hourly, rollups 2 years. A series is downsampled on read: buckets of 5 minutes, an hour or a
// day, each with the average and highest in use, the issued count and the denials, from the samples where they
// are still kept and from the hourly rollups before that. Averages divide by the server's successful polls in the
// bucket (a feature a poll did not list had none in use). Every bucket of the range is answered (not polled: null).
import type { Database } from '../../db/connection.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { lockJobMark, setJobMark } from '../../events/service.js';
import type { Clock } from '../../lib/clock.js';
import { pruneSeatDenials } from '../../licensing/floating/pools.js';
import { okPollsPerBucket, pruneHistory, rollUpHours, rollupsIn, samplesIn } from './history-store.js';

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
    await pruneSeatDenials(tx, nowMs);
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
  // Where raw samples are still kept they are read; before that, the hourly rollups. The boundary is a whole hour,
  // so no hour is read from both.
  const oldestKept = nowMs - sampleRetentionMs;
  const horizon = Math.max(oldestKept + ((hourMs - (oldestKept % hourMs)) % hourMs), start);
  const [samples, polls, rollups] = await Promise.all([
    samplesIn(deps.db.kysely, { serverId: query.serverId, feature: query.feature, from: horizon, to }),
    okPollsPerBucket(deps.db.kysely, { serverId: query.serverId, from: horizon, to, size }),
    horizon > start
      ? rollupsIn(deps.db.kysely, {
          serverId: query.serverId,
          feature: query.feature,
          from: start,
          to: horizon,
        })
      : Promise.resolve([]),
  ]);
  // An average divides by the server's successful polls: a feature absent from one had nothing in use.
  const buckets = new Map<
    number,
    { polls: number; sum: number; max: number; issued: number | null; denials: number }
  >();
  const entryAt = (at: number) => {
    const key = at - (at % size);
    const entry = buckets.get(key) ?? { polls: 0, sum: 0, max: 0, issued: null, denials: 0 };
    buckets.set(key, entry);
    return entry;
  };
  for (const [at, count] of polls) entryAt(at).polls += count;
  const add = (
    at: number,
    point: { polls: number; sum: number; max: number; issued: number | null; denials: number },
  ) => {
    const entry = entryAt(at);
    entry.polls += point.polls;
    entry.sum += point.sum;
    entry.max = Math.max(entry.max, point.max);
    entry.issued = point.issued === null ? entry.issued : Math.max(entry.issued ?? 0, point.issued);
    entry.denials += point.denials;
  };
  for (const sample of samples)
    add(sample.at, {
      polls: 0,
      sum: sample.inUse,
      max: sample.inUse,
      issued: sample.issued,
      denials: sample.denials,
    });
  for (const rollup of rollups)
    add(rollup.hour, {
      polls: rollup.samples,
      sum: rollup.inUseSum,
      max: rollup.inUseMax,
      issued: rollup.issued,
      denials: rollup.denials,
    });
  const data: UsagePoint[] = [];
  for (let at = start; at < to; at += size) {
    const entry = buckets.get(at);
    const polled = entry !== undefined && entry.polls > 0;
    data.push({
      at: new Date(at).toISOString(),
      inUseAvg: polled ? Math.round((entry.sum / entry.polls) * 100) / 100 : null,
      inUseMax: polled ? entry.max : null,
      issued: entry?.issued ?? null,
      denials: entry?.denials ?? 0,
    });
  }
  return { bucket, data };
};
