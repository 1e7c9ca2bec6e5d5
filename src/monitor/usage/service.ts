// The monitor's usage reads: what each server's features and sessions are now (Charter's own pools among them, as
// server `charter`), the usage history of one server, and the denials in a range.
import type { Database } from '../../db/connection.js';
import { type PageQuery, pageInMemory } from '../../db/pagination.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import {
  charterPoolDenials,
  charterPoolSessions,
  charterPoolUsage,
  parsePoolName,
} from '../../licensing/floating/pools.js';
import { charterServerId } from '../charter-pools.js';
import { getServer, latestSnapshots } from '../servers/service.js';
import { usageSeries } from './history.js';
import { denialCountsSince, denialsByUser, peaksSince, samplesSince, successfulPollsSince } from './store.js';

export interface UsageDeps {
  db: Database;
  clock: Clock;
}

const startOfUtcDay = (ms: number) => ms - (ms % 86_400_000);

const utilizationOf = (inUse: number, issued: number | null) =>
  issued === null || issued === 0 ? null : Math.round((inUse / issued) * 10_000) / 100;

/**
 * GET /v1/monitor/features: each server's features as its latest snapshot has them, with today's peak and denials,
 * and Charter's own pools (server `charter`) that hold seats now or held or refused any today.
 */
export const featureUsage = async (deps: UsageDeps, serverId?: string) => {
  const db = deps.db.kysely;
  const nowMs = deps.clock.nowMs();
  const charter = serverId === undefined || serverId === charterServerId;
  const servers = serverId === charterServerId ? [] : await latestSnapshots(deps, serverId);
  const since = startOfUtcDay(nowMs);
  const [peaks, denials] = await Promise.all([
    peaksSince(db, since, serverId),
    denialCountsSince(db, since, serverId),
  ]);
  const monitored = servers.flatMap((server) => {
    if (!server.snapshot) return [];
    return server.snapshot.features.map((feature) => {
      const key = `${server.serverId}\u0000${feature.name}`;
      return {
        serverId: server.serverId,
        feature: feature.name,
        vendor: feature.vendor,
        issued: feature.issued,
        inUse: feature.inUse,
        checkedOut: feature.checkedOut,
        reservations: feature.reservations,
        queued: feature.queued,
        utilization: utilizationOf(feature.inUse, feature.issued),
        peakToday: Math.max(peaks.get(key) ?? 0, feature.inUse),
        denialsToday: denials.get(key) ?? 0,
      };
    });
  });
  if (!charter) return { data: monitored };
  const seenToday = [...peaks.keys()].flatMap((key) => {
    const [server, feature] = key.split('\u0000');
    return server === charterServerId && feature ? (parsePoolName(feature) ?? []) : [];
  });
  const pools = await charterPoolUsage(db, { nowMs, denialsFrom: since }, seenToday);
  const own = pools.map((pool) => ({
    serverId: charterServerId,
    feature: pool.name,
    vendor: pool.productCode,
    issued: pool.seats,
    inUse: pool.inUse,
    checkedOut: pool.inUse,
    reservations: 0,
    queued: 0,
    utilization: utilizationOf(pool.inUse, pool.seats),
    peakToday: Math.max(peaks.get(`${charterServerId}\u0000${pool.name}`) ?? 0, pool.inUse),
    denialsToday: pool.denials,
  }));
  return { data: [...monitored, ...own] };
};

/** Charter's own sessions answered at most (a monitored server's are as many as its snapshot lists). */
export const charterSessionLimit = 10_000;

/**
 * GET /v1/monitor/sessions: who holds what now, since when. Charter's own pools (server `charter`) answer their
 * live leases: the user is the license user's email, else the machine's name, else its fingerprint.
 */
export const currentSessions = async (
  deps: UsageDeps,
  filter: { serverId?: string | undefined; feature?: string | undefined; user?: string | undefined },
) => {
  const charter = filter.serverId === undefined || filter.serverId === charterServerId;
  const servers = filter.serverId === charterServerId ? [] : await latestSnapshots(deps, filter.serverId);
  const userMatches = (user: string) => !filter.user || user.toLowerCase() === filter.user.toLowerCase();
  const monitored = servers.flatMap((server) =>
    server.snapshot
      ? server.snapshot.sessions
          .filter(
            (session) => (!filter.feature || session.feature === filter.feature) && userMatches(session.user),
          )
          .map((session) => ({ serverId: server.serverId, ...session }))
      : [],
  );
  if (!charter) return { data: monitored };
  const own = await charterPoolSessions(deps.db.kysely, {
    nowMs: deps.clock.nowMs(),
    pool: filter.feature,
    user: filter.user,
    limit: charterSessionLimit,
  });
  return {
    data: [
      ...monitored,
      ...own.map((session) => ({
        serverId: charterServerId,
        feature: session.pool,
        user: session.user,
        host: session.host,
        display: session.fingerprint,
        identity: `${session.user} ${session.host} ${session.fingerprint}`.trim(),
        version: '',
        count: 1,
        startedAt: new Date(session.startedAt).toISOString(),
        handle: session.leaseId,
        borrowed: session.borrowed,
      })),
    ],
  };
};

/** GET /v1/monitor/usage: a monitored server's history, or Charter's own pools' (server `charter`). */
export const serverUsage = async (deps: UsageDeps, query: Parameters<typeof usageSeries>[1]) => {
  if (query.serverId !== charterServerId) await getServer(deps, query.serverId);
  return usageSeries(deps, query);
};

/** Denial counts answered at most, the largest first. */
export const denialRowLimit = 1000;

/**
 * GET /v1/monitor/denials: refusals per server, feature and user in a range (default today): FlexLM's from its
 * debug log, Charter's own pools' (FLOATING_NOT_AVAILABLE) per fingerprint.
 */
export const denialSummary = async (
  deps: UsageDeps,
  query: {
    serverId?: string | undefined;
    feature?: string | undefined;
    user?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
  },
) => {
  const nowMs = deps.clock.nowMs();
  const to = query.to ? Date.parse(query.to) : nowMs + 1;
  const from = query.from ? Date.parse(query.from) : startOfUtcDay(nowMs);
  if (!(from < to)) throw new AppError('INVALID_QUERY', 'from must be before to', { location: 'query' });
  const charter = query.serverId === undefined || query.serverId === charterServerId;
  if (query.serverId && !charter) await getServer(deps, query.serverId);
  const range = { from, to, limit: denialRowLimit };
  const [monitored, own] = await Promise.all([
    query.serverId === charterServerId
      ? Promise.resolve([])
      : denialsByUser(deps.db.kysely, {
          serverId: query.serverId,
          feature: query.feature,
          user: query.user,
          ...range,
        }),
    charter
      ? charterPoolDenials(deps.db.kysely, { pool: query.feature, fingerprint: query.user, ...range })
      : Promise.resolve([]),
  ]);
  const rows = [
    ...monitored,
    ...own.map((row) => ({
      serverId: charterServerId,
      feature: row.pool,
      user: row.fingerprint,
      host: '',
      count: row.count,
      lastAt: row.lastAt,
    })),
  ];
  rows.sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
  return {
    data: rows
      .slice(0, denialRowLimit)
      .map((row) => ({ ...row, lastAt: new Date(row.lastAt).toISOString() })),
  };
};

/** A feature's use at one successful poll. */
export interface UsagePoint {
  at: number;
  issued: number | null;
  inUse: number;
  denials: number;
}

/**
 * Every (server, feature) sampled since `sinceMs` — monitored features and Charter's own pools (server `charter`)
 * alike — with its use at each successful poll of its server since then, oldest first. A feature a poll did not
 * list had nothing in use then (a pool with no seat taken is not sampled).
 */
export const featureSeriesSince = async (
  deps: Pick<UsageDeps, 'db'>,
  sinceMs: number,
): Promise<{ serverId: string; feature: string; points: UsagePoint[] }[]> => {
  const [samples, polls] = await Promise.all([
    samplesSince(deps.db.kysely, sinceMs),
    successfulPollsSince(deps.db.kysely, sinceMs),
  ]);
  const pollTimes = new Map<string, number[]>();
  for (const poll of polls) {
    const times = pollTimes.get(poll.server_id);
    if (times) times.push(poll.started_at);
    else pollTimes.set(poll.server_id, [poll.started_at]);
  }
  const byFeature = new Map<string, { serverId: string; feature: string; at: Map<number, UsagePoint> }>();
  for (const sample of samples) {
    const key = `${sample.server_id}\u0000${sample.feature}`;
    let entry = byFeature.get(key);
    if (!entry) {
      entry = { serverId: sample.server_id, feature: sample.feature, at: new Map() };
      byFeature.set(key, entry);
    }
    entry.at.set(sample.at, {
      at: sample.at,
      issued: sample.issued,
      inUse: sample.in_use,
      denials: sample.denials,
    });
  }
  return [...byFeature.values()].map((entry) => {
    const issued = [...entry.at.values()].at(-1)?.issued ?? null;
    return {
      serverId: entry.serverId,
      feature: entry.feature,
      points: (pollTimes.get(entry.serverId) ?? []).map(
        (at) => entry.at.get(at) ?? { at, issued, inUse: 0, denials: 0 },
      ),
    };
  });
};

// The routes' pages of the lists above (db/pagination.ts pageInMemory), each in a fixed order given by its key.

/** GET /v1/monitor/features, by server then feature. */
export const featureUsagePage = async (
  deps: UsageDeps,
  query: PageQuery & { serverId?: string | undefined },
) =>
  pageInMemory(
    (await featureUsage(deps, query.serverId)).data,
    query,
    (item) => `${item.serverId}\u0000${item.feature}`,
  );

/** GET /v1/monitor/sessions, by server, feature, then start. */
export const sessionPage = async (
  deps: UsageDeps,
  query: PageQuery & Parameters<typeof currentSessions>[1],
) =>
  pageInMemory((await currentSessions(deps, query)).data, query, (item) =>
    [item.serverId, item.feature, item.startedAt ?? '', item.identity, item.handle].join('\u0000'),
  );

/** GET /v1/monitor/denials: the most refused first, then the latest (counts and times as descending keys). */
export const denialPage = async (deps: UsageDeps, query: PageQuery & Parameters<typeof denialSummary>[1]) =>
  pageInMemory((await denialSummary(deps, query)).data, query, (item) =>
    [
      String(Number.MAX_SAFE_INTEGER - item.count).padStart(16, '0'),
      String(Number.MAX_SAFE_INTEGER - Date.parse(item.lastAt)).padStart(16, '0'),
      item.serverId,
      item.feature,
      item.user,
      item.host,
    ].join('\u0000'),
  );
