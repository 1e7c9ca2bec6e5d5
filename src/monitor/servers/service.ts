// The registry of monitored servers: each server (address checked by pattern, the debug log inside the configured
// directory), its status and latest snapshot, polls on demand and the record of every poll.
import { diff, recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import { readPage } from '../../db/pagination.js';
import type { MonitorPollsTable, MonitorServersTable } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { charterServerId } from '../charter-pools.js';
import { logInside } from '../debug-log.js';
import { outcomeCodes, type PollOutcome } from '../outcome.js';
import type { Snapshot } from '../parsers/snapshot.js';
import type { Poller } from '../poller.js';
import type { CreateServer, MonitoredServer, UpdateServer } from '../schemas.js';
import {
  allServers,
  deleteServerRows,
  findPoll,
  findServer,
  insertServer,
  listPolls,
  listServers,
  recentPollOutcomes,
  updateServerRow,
} from './store.js';

export interface RegistryDeps {
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

const assertLogPath = async (deps: RegistryDeps, file: string | null | undefined) => {
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

export const createServer = async (deps: RegistryDeps, caller: Caller, input: CreateServer) => {
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

export const getServer = async (deps: Pick<RegistryDeps, 'db'>, id: string) =>
  toServer(await serverOrThrow(deps.db.kysely, id));

export const serverPage = async (
  deps: RegistryDeps,
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

export const updateServer = async (deps: RegistryDeps, caller: Caller, id: string, patch: UpdateServer) => {
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

export const deleteServer = async (deps: RegistryDeps, caller: Caller, id: string) => {
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
export const pollNow = async (deps: RegistryDeps, id: string) => {
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

export const serverStatus = async (deps: RegistryDeps, id: string) => {
  const row = await serverOrThrow(deps.db.kysely, id);
  return {
    server: toServer(row),
    snapshotAt: isoOrNull(row.snapshot_at),
    snapshot: row.snapshot ? (JSON.parse(row.snapshot) as Snapshot) : null,
  };
};

export const pollPage = async (
  deps: RegistryDeps,
  query: {
    limit: number;
    cursor?: string | undefined;
    serverId?: string | undefined;
    outcome?: string | undefined;
  },
) => {
  // A server that does not exist is 404, never an empty list; `charter` names Charter's own pools.
  if (query.serverId !== undefined && query.serverId !== charterServerId)
    await serverOrThrow(deps.db.kysely, query.serverId);
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

export const getPoll = async (deps: RegistryDeps, id: string) => {
  const row = await findPoll(deps.db.kysely, id);
  if (!row) throw new AppError('NOT_FOUND', `No poll ${id}`);
  return toPoll(row);
};

/**
 * Each server's latest snapshot (null before its first successful poll), for the usage reads: every server's, or
 * the one asked for, NOT_FOUND when it is missing.
 */
export const latestSnapshots = async (
  deps: Pick<RegistryDeps, 'db'>,
  serverId?: string,
): Promise<{ serverId: string; snapshot: Snapshot | null }[]> => {
  const rows = await allServers(deps.db.kysely, serverId);
  if (serverId && rows.length === 0) throw new AppError('NOT_FOUND', `No monitored server ${serverId}`);
  return rows.map((row) => ({
    serverId: row.id,
    snapshot: row.snapshot ? (JSON.parse(row.snapshot) as Snapshot) : null,
  }));
};

/**
 * Each monitored server (Charter's own pools aside) with its last `count` poll outcomes, newest first: what the
 * license_server_down rule reads.
 */
export const recentPolls = async (deps: Pick<RegistryDeps, 'db'>, count: number) => {
  const rows = await allServers(deps.db.kysely);
  return Promise.all(
    rows
      .filter((row) => row.id !== charterServerId)
      .map(async (row) => ({
        server: { id: row.id, name: row.name, address: row.address },
        polls: await recentPollOutcomes(deps.db.kysely, row.id, count),
      })),
  );
};
