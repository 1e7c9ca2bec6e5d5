// Charter's own floating pools in the monitor's usage model (monitor.md: `server="charter"`): once a minute the
// leader "polls" them as it polls a license server, storing a poll of server `charter` and one sample per pool
// that holds seats or had denials (every FLOATING_NOT_AVAILABLE is one, from lease_denials). A pool absent from a
// poll had nothing in use, as a feature absent from an lmstat answer does (usage/history.ts counts polls, not
// samples).
import type { Database } from '../db/connection.js';
import type { MonitorSamplesTable } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { lockJobMark, setJobMark } from '../events/service.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/random.js';
import { charterPoolUsage, type PoolUsage } from '../licensing/floating/pools.js';
import { insertPoll } from './servers/store.js';
import { insertSamples } from './usage/store.js';

/** The server id of Charter's own pools, in every monitor route and metric. */
export const charterServerId = 'charter';
export const poolSampleMs = 60_000;
const markName = 'monitor.charter_pools';

/**
 * Samples the pools when a minute has passed since the last sample (of any process: the mark is shared), counting
 * the denials since then. Answers whether it sampled.
 */
export const sampleCharterPools = async (deps: { db: Database; clock: Clock }): Promise<boolean> =>
  transaction(deps.db, async (tx) => {
    const startedAt = deps.clock.nowMs();
    const mark = await lockJobMark(tx, deps.db.dialect, markName, 0);
    if (startedAt - mark.at < poolSampleMs) return false;
    const pools = await charterPoolUsage(tx, {
      nowMs: startedAt,
      denialsFrom: mark.at > 0 ? mark.at + 1 : startedAt - poolSampleMs,
    });
    await insertPoll(tx, {
      id: newId('poll', startedAt),
      server_id: charterServerId,
      started_at: startedAt,
      duration_ms: deps.clock.nowMs() - startedAt,
      outcome: 'ok',
      error_code: null,
      error_message: null,
      exit_code: null,
      raw_output: null,
      snapshot: null,
    });
    await insertSamples(
      tx,
      pools.map((pool) => toSample(pool, startedAt)),
    );
    await setJobMark(tx, markName, { at: startedAt, afterId: '' });
    return true;
  });

const toSample = (pool: PoolUsage, at: number): MonitorSamplesTable => ({
  server_id: charterServerId,
  feature: pool.name,
  at,
  issued: pool.seats,
  in_use: pool.inUse,
  denials: pool.denials,
});
