// The monitor's registry and reads: servers (address checked by pattern, the debug log inside the configured
// directory), polls on demand, and the current usage, sessions and history of what polls found.
import { diff, recordAudit } from '../access/audit/service.js';
import type { Caller } from '../access/caller.js';
import type { Database } from '../db/connection.js';
import { readPage } from '../db/pagination.js';
import type { MonitorPollsTable, MonitorServersTable } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../lib/clock.js';
import { isoOrNull } from '../lib/clock.js';
import { newId } from '../lib/random.js';
import {
  charterPoolDenials,
  charterPoolSessions,
  charterPoolUsage,
  parsePoolName,
} from '../licensing/floating/pools.js';
import { charterServerId } from './charter-pools.js';
import { logInside } from './debug-log.js';
import { usageSeries } from './history.js';
import { outcomeCodes, type PollOutcome } from './outcome.js';
import type { Snapshot } from './parsers/snapshot.js';
import type { Poller } from './poller.js';
import type { CreateServer, MonitoredServer, UpdateServer } from './schemas.js';
import {
  allServers,
  deleteServerRows,
  denialCountsSince,
  denialsByUser,
  findPoll,
  findServer,
  insertServer,
  listPolls,
  listServers,
  peaksSince,
  updateServerRow,
} from './store.js';

export interface MonitorDeps {
  db: Database;
  clock: Clock;
  poller: Poller;
  logDir: string | undefined;
}

export const toServer = (row: MonitorServersTable): MonitoredServer => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  address: row.address,
  pollSeconds: row.poll_seconds,
  timeoutSeconds: row.timeout_seconds,
  enabled: row.enabled === 1,
  status: row.status,
  lastPollAt: isoOrNull(row.last_poll_at),
  lastError:
    row.last_error_code && row.last_error_message
      ? { code: row.last_error_code, message: row.last_error_message }
      : null,
  debugLogPath: row.debug_log_path,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const toPollSummary = (row: Omit<MonitorPollsTable, 'raw_output' | 'snapshot'>) => ({
  id: row.id,
  serverId: row.server_id,
  startedAt: new Date(row.started_at).toISOString(),
  durationMs: row.duration_ms,
  outcome: row.outcome as PollOutcome,
  errorCode: row.error_code,
  errorMessage: row.error_message,
  exitCode: row.exit_code,
});

export const toPoll = (row: MonitorPollsTable) => ({
  ...toPollSummary(row),
  rawOutput: row.raw_output,
  snapshot: row.snapshot ? (JSON.parse(row.snapshot) as Snapshot) : null,
});

const assertLogPath = async (deps: MonitorDeps, file: string | null | undefined) => {
  if (!file) return;
  const refuse = (message: string) =>
    new AppError('VALIDATION_ERROR', `The debug log is refused: ${message}`, {
      location: 'body',
      issues: [{ path: ['debugLogPath'], message, code: 'custom' }],
    });
  if (!deps.logDir) throw refuse('set CHARTER_MONITOR_LOG_DIR to the directory debug logs may be read from');
  if (!(await logInside(file, deps.logDir)))
    throw refuse(`${file} does not resolve to a file inside ${deps.logDir}`);
};

const serverOrThrow = async (db: Database['kysely'], id: string) => {
  const row = await findServer(db, id);
  if (!row) throw new AppError('NOT_FOUND', `No monitored server ${id}`);
  return row;
};

export const createServer = async (deps: MonitorDeps, caller: Caller, input: CreateServer) => {
  await assertLogPath(deps, input.debugLogPath);
  const now = deps.clock.nowMs();
  const row: MonitorServersTable = {
    id: newId('srv', now),
    name: input.name,
    kind: input.kind,
    address: input.address,
    poll_seconds: input.pollSeconds,
    timeout_seconds: input.timeoutSeconds,
    enabled: input.enabled ? 1 : 0,
    status: 'unknown',
    last_poll_at: null,
    last_error_code: null,
    last_error_message: null,
    failure_streak: 0,
    debug_log_path: input.debugLogPath ?? null,
    log_offset: 0,
    log_identity: null,
    snapshot: null,
    snapshot_at: null,
    next_poll_at: now,
    poll_claimed_until: null,
    created_at: now,
    updated_at: now,
  };
  await transaction(deps.db, async (tx) => {
    await insertServer(tx, row);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'monitor_server.create',
      target: { type: 'monitored_server', id: row.id },
      changes: { address: [null, row.address], kind: [null, row.kind] },
    });
  });
  return toServer(row);
};

export const getServer = async (deps: MonitorDeps, id: string) =>
  toServer(await serverOrThrow(deps.db.kysely, id));

export const serverPage = async (
  deps: MonitorDeps,
  query: {
    limit: number;
    cursor?: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
  },
) => {
  return readPage(
    query,
    (window) =>
      listServers(deps.db.kysely, {
        after: window.after,
        status: query.status,
        kind: query.kind,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toServer(row)),
  );
};

export const updateServer = async (deps: MonitorDeps, caller: Caller, id: string, patch: UpdateServer) => {
  await assertLogPath(deps, patch.debugLogPath);
  return transaction(deps.db, async (tx) => {
    const row = await serverOrThrow(tx, id);
    // Only the columns the API edits are written: a poll recording meanwhile keeps its status and snapshot.
    const changes: Partial<MonitorServersTable> = {
      ...(patch.name ? { name: patch.name } : {}),
      ...(patch.address ? { address: patch.address } : {}),
      ...(patch.pollSeconds ? { poll_seconds: patch.pollSeconds } : {}),
      ...(patch.timeoutSeconds ? { timeout_seconds: patch.timeoutSeconds } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
      ...(patch.debugLogPath !== undefined
        ? { debug_log_path: patch.debugLogPath, log_offset: 0, log_identity: null }
        : {}),
      updated_at: deps.clock.nowMs(),
    };
    await updateServerRow(tx, id, changes);
    const before = toServer(row);
    const after = toServer({ ...row, ...changes });
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'monitor_server.update',
      target: { type: 'monitored_server', id },
      changes: diff(before, {
        name: after.name,
        address: after.address,
        pollSeconds: after.pollSeconds,
        timeoutSeconds: after.timeoutSeconds,
        enabled: after.enabled,
        debugLogPath: after.debugLogPath,
      }),
    });
    return after;
  });
};

export const deleteServer = async (deps: MonitorDeps, caller: Caller, id: string) => {
  await transaction(deps.db, async (tx) => {
    const row = await serverOrThrow(tx, id);
    await deleteServerRows(tx, id);
    await recordAudit(tx, deps.clock, caller.audit, {
      action: 'monitor_server.delete',
      target: { type: 'monitored_server', id },
      changes: { address: [row.address, null] },
    });
  });
};

/** Secrets a utility might echo (a `key=`/`password=` argument): not repeated in an error answer. */
const stripSecrets = (text: string) =>
  text.replace(/\b(password|passwd|secret|token|key)=\S+/gi, '$1=[redacted]').slice(0, 2048);

/**
 * POST /v1/monitor/servers/{id}/poll: polls now (joining a poll of this server in flight) and answers the poll,
 * or its failure as the catalog's error with details.pollId.
 */
export const pollNow = async (deps: MonitorDeps, id: string) => {
  const server = await serverOrThrow(deps.db.kysely, id);
  const poll = await deps.poller.poll(server);
  if (poll.outcome !== 'ok') {
    const code = outcomeCodes[poll.outcome as Exclude<PollOutcome, 'ok'>];
    throw new AppError(code, poll.error_message ?? `The poll of ${server.name} failed`, {
      server: server.id,
      pollId: poll.id,
      exitCode: poll.exit_code,
      stderr: stripSecrets(poll.raw_output ?? ''),
    });
  }
  return toPoll(poll);
};

export const serverStatus = async (deps: MonitorDeps, id: string) => {
  const row = await serverOrThrow(deps.db.kysely, id);
  return {
    server: toServer(row),
    snapshotAt: isoOrNull(row.snapshot_at),
    snapshot: row.snapshot ? (JSON.parse(row.snapshot) as Snapshot) : null,
  };
};

export const pollPage = async (
  deps: MonitorDeps,
  query: {
    limit: number;
    cursor?: string | undefined;
    serverId?: string | undefined;
    outcome?: string | undefined;
  },
) => {
  return readPage(
    query,
    (window) =>
      listPolls(deps.db.kysely, {
        serverId: query.serverId,
        // Charter's own per-minute samples are listed only when asked for by name.
        exceptServerId: query.serverId ? undefined : charterServerId,
        outcome: query.outcome,
        before: window.after,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toPollSummary(row)),
  );
};

export const getPoll = async (deps: MonitorDeps, id: string) => {
  const row = await findPoll(deps.db.kysely, id);
  if (!row) throw new AppError('NOT_FOUND', `No poll ${id}`);
  return toPoll(row);
};

const startOfUtcDay = (ms: number) => ms - (ms % 86_400_000);

const utilizationOf = (inUse: number, issued: number | null) =>
  issued === null || issued === 0 ? null : Math.round((inUse / issued) * 10_000) / 100;

/**
 * GET /v1/monitor/features: each server's features as its latest snapshot has them, with today's peak and denials,
 * and Charter's own pools (server `charter`) that hold seats now or held or refused any today.
 */
export const featureUsage = async (deps: MonitorDeps, serverId?: string) => {
  const db = deps.db.kysely;
  const nowMs = deps.clock.nowMs();
  const charter = serverId === undefined || serverId === charterServerId;
  const servers = serverId === charterServerId ? [] : await allServers(db, serverId);
  if (serverId && !charter && servers.length === 0)
    throw new AppError('NOT_FOUND', `No monitored server ${serverId}`);
  const since = startOfUtcDay(nowMs);
  const [peaks, denials] = await Promise.all([
    peaksSince(db, since, serverId),
    denialCountsSince(db, since, serverId),
  ]);
  const monitored = servers.flatMap((server) => {
    if (!server.snapshot) return [];
    const snapshot = JSON.parse(server.snapshot) as Snapshot;
    return snapshot.features.map((feature) => {
      const key = `${server.id}\u0000${feature.name}`;
      return {
        serverId: server.id,
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
  deps: MonitorDeps,
  filter: { serverId?: string | undefined; feature?: string | undefined; user?: string | undefined },
) => {
  const charter = filter.serverId === undefined || filter.serverId === charterServerId;
  const servers =
    filter.serverId === charterServerId ? [] : await allServers(deps.db.kysely, filter.serverId);
  if (filter.serverId && !charter && servers.length === 0)
    throw new AppError('NOT_FOUND', `No monitored server ${filter.serverId}`);
  const userMatches = (user: string) => !filter.user || user.toLowerCase() === filter.user.toLowerCase();
  const monitored = servers.flatMap((server) =>
    server.snapshot
      ? (JSON.parse(server.snapshot) as Snapshot).sessions
          .filter(
            (session) => (!filter.feature || session.feature === filter.feature) && userMatches(session.user),
          )
          .map((session) => ({ serverId: server.id, ...session }))
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
export const serverUsage = async (deps: MonitorDeps, query: Parameters<typeof usageSeries>[1]) => {
  if (query.serverId !== charterServerId) await serverOrThrow(deps.db.kysely, query.serverId);
  return usageSeries(deps, query);
};

/** Denial counts answered at most, the largest first. */
export const denialRowLimit = 1000;

/**
 * GET /v1/monitor/denials: refusals per server, feature and user in a range (default today): FlexLM's from its
 * debug log, Charter's own pools' (FLOATING_NOT_AVAILABLE) per fingerprint.
 */
export const denialSummary = async (
  deps: MonitorDeps,
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
  if (query.serverId && !charter) await serverOrThrow(deps.db.kysely, query.serverId);
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
