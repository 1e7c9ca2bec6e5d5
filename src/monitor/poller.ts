// One poll of one server: run its utility (at most `concurrency` at once in this process; one poll per server at a
// time: a second request joins the one in flight), read the outcome, and record it in one transaction: the poll
// (raw output kept for failures and the last 20 successes), the server's status, the latest snapshot, a sample
// per feature, and monitor.server_down / server_up when the status crosses. When the next poll is due is the
// scheduler's to say (scheduler.ts).
import type { Database } from '../db/connection.js';
import type { MonitorPollsTable, MonitorSamplesTable, MonitorServersTable } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { AppError } from '../errors/app-error.js';
import { emitEvent } from '../events/service.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/random.js';
import { readDenials } from './debug-log.js';
import { interpretRun, type PollOutcome } from './outcome.js';
import { serverStatusOf } from './parsers/snapshot.js';
import { runUtility } from './runner.js';
import {
  claimPoll,
  findServer,
  insertPoll,
  latestPoll,
  trimSuccessfulOutputs,
  updateServerRow,
} from './servers/store.js';
import { insertDenials, insertSamples } from './usage/store.js';

export interface PollerDeps {
  db: Database;
  clock: Clock;
  utilities: { lmutil: string; rlmutil: string };
  concurrency: number;
  logDir: string | undefined;
  log: { warn(object: object, message: string): void };
  /** Told of every finished poll (metrics). */
  onPoll?: (serverId: string, outcome: PollOutcome, durationMs: number) => void;
}

/** Unreachable or timed-out polls in a row that make a server down. */
export const downAfter = 3;
const keptSuccessfulOutputs = 20;
/** A poll's claim outlives its utility's timeout by this much (recording it, reading the debug log). */
const claimMarginSeconds = 30;
/** How often a request joined to another process's poll looks for its result. */
const joinCheckMs = 200;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** At most `size` tasks at once; the rest wait their turn in order. */
const semaphore = (size: number) => {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
};

export const commandOf = (
  server: Pick<MonitorServersTable, 'kind' | 'address'>,
  utilities: PollerDeps['utilities'],
) =>
  server.kind === 'flexlm'
    ? { command: utilities.lmutil, args: ['lmstat', '-a', '-c', server.address] }
    : { command: utilities.rlmutil, args: ['rlmstat', '-a', '-c', server.address] };

const nextStatus = (
  server: MonitorServersTable,
  outcome: PollOutcome,
  degraded: boolean,
): { status: MonitorServersTable['status']; streak: number } => {
  if (outcome === 'ok') return { status: degraded ? 'degraded' : 'up', streak: 0 };
  if (outcome === 'unreachable' || outcome === 'timeout') {
    const streak = server.failure_streak + 1;
    return { status: streak >= downAfter ? 'down' : server.status, streak };
  }
  return { status: 'error', streak: server.failure_streak };
};

export const createPoller = (deps: PollerDeps) => {
  const limit = semaphore(deps.concurrency);
  const inFlight = new Map<string, Promise<MonitorPollsTable>>();

  const pollOnce = async (server: MonitorServersTable): Promise<MonitorPollsTable> => {
    const { command, args } = commandOf(server, deps.utilities);
    const startedAt = deps.clock.nowMs();
    const run = await limit(() => runUtility(command, args, { timeoutMs: server.timeout_seconds * 1000 }));
    const result = interpretRun(server.kind, command, run, server.timeout_seconds, deps.clock.now());
    const denials =
      server.kind === 'flexlm' && server.debug_log_path && deps.logDir
        ? await readDenials(server, deps.logDir, deps.clock.nowMs()).catch((error: unknown) => {
            deps.log.warn({ err: error, serverId: server.id }, 'reading the debug log failed');
            return undefined;
          })
        : undefined;
    const poll: MonitorPollsTable = {
      id: newId('poll', startedAt),
      server_id: server.id,
      started_at: startedAt,
      duration_ms: run.durationMs,
      outcome: result.outcome,
      error_code: result.code,
      error_message: result.message,
      exit_code: run.exitCode,
      raw_output: result.rawOutput,
      snapshot: result.snapshot ? JSON.stringify(result.snapshot) : null,
    };
    await transaction(deps.db, async (tx) => {
      const { status, streak } = nextStatus(
        server,
        result.outcome,
        result.snapshot ? serverStatusOf(result.snapshot) === 'degraded' : false,
      );
      await insertPoll(tx, poll);
      await updateServerRow(tx, server.id, {
        status,
        failure_streak: streak,
        last_poll_at: startedAt,
        last_error_code: result.code,
        last_error_message: result.message,
        ...(result.snapshot ? { snapshot: poll.snapshot, snapshot_at: startedAt } : {}),
        ...(denials ? { log_offset: denials.offset, log_identity: denials.identity } : {}),
        poll_claimed_until: null,
        updated_at: deps.clock.nowMs(),
      });
      if (denials?.rows.length) await insertDenials(tx, denials.rows);
      if (result.snapshot) {
        const perFeature = new Map<string, MonitorSamplesTable>();
        for (const feature of result.snapshot.features) {
          const known = perFeature.get(feature.name);
          perFeature.set(feature.name, {
            server_id: server.id,
            feature: feature.name,
            at: startedAt,
            issued:
              known === undefined
                ? feature.issued
                : known.issued === null || feature.issued === null
                  ? null
                  : known.issued + feature.issued,
            in_use: (known?.in_use ?? 0) + feature.inUse,
            denials: 0,
          });
        }
        for (const denial of denials?.rows ?? []) {
          const sample = perFeature.get(denial.feature);
          if (sample) sample.denials += 1;
        }
        await insertSamples(tx, [...perFeature.values()]);
        await trimSuccessfulOutputs(tx, server.id, keptSuccessfulOutputs);
      }
      const wasDown = server.status === 'down';
      if (status === 'down' && !wasDown) {
        await emitEvent(tx, startedAt, {
          type: 'monitor.server_down',
          subject: { type: 'monitored_server', id: server.id },
          object: {
            serverId: server.id,
            name: server.name,
            address: server.address,
            lastError: result.message,
          },
        });
      } else if (wasDown && (status === 'up' || status === 'degraded')) {
        await emitEvent(tx, startedAt, {
          type: 'monitor.server_up',
          subject: { type: 'monitored_server', id: server.id },
          object: { serverId: server.id, name: server.name, address: server.address, status },
        });
      }
    });
    deps.onPoll?.(server.id, result.outcome, run.durationMs);
    return poll;
  };

  /**
   * Claims the poll in the database first, so processes sharing it never poll one server at once. The claim lapses
   * after the poll's timeout and a margin, so a process that died mid-poll holds it no longer than that.
   */
  const claimThenPoll = async (server: MonitorServersTable): Promise<MonitorPollsTable> => {
    const claimMs = (server.timeout_seconds + claimMarginSeconds) * 1000;
    for (let waited = 0; ; waited += joinCheckMs) {
      const nowMs = deps.clock.nowMs();
      // A claim waited on for as long as it lasts is taken over, whatever its holder's clock says.
      const lapsedBefore = waited >= claimMs ? Number.MAX_SAFE_INTEGER : nowMs;
      const claimed = await claimPoll(deps.db.kysely, server.id, lapsedBefore, nowMs + claimMs);
      if (claimed) {
        try {
          return await pollOnce(claimed);
        } catch (error) {
          // Recording failed: the claim is let go so the next poll need not wait for it to lapse.
          await updateServerRow(deps.db.kysely, server.id, { poll_claimed_until: null }).catch(() => {});
          throw error;
        }
      }
      // Another process polls this server: its poll is this request's answer once recorded.
      await pause(joinCheckMs);
      const current = await findServer(deps.db.kysely, server.id);
      if (!current) throw new AppError('NOT_FOUND', `No monitored server ${server.id}`);
      if (current.poll_claimed_until === null) {
        const recorded = await latestPoll(deps.db.kysely, server.id);
        if (recorded) return recorded;
      }
    }
  };

  return {
    /**
     * Polls now, or joins the poll of this server already in flight: in this process, or (through the database's
     * claim) in another.
     */
    poll: (server: MonitorServersTable): Promise<MonitorPollsTable> => {
      const running = inFlight.get(server.id);
      if (running) return running;
      const started = claimThenPoll(server).finally(() => inFlight.delete(server.id));
      inFlight.set(server.id, started);
      return started;
    },
    isPolling: (serverId: string) => inFlight.has(serverId),
    /** Waits for the polls in flight (a graceful stop). */
    drain: async () => {
      await Promise.allSettled([...inFlight.values()]);
    },
  };
};

export type Poller = ReturnType<typeof createPoller>;
