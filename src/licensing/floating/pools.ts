// Charter's own floating pools as the monitor reports them (monitor.md: `server="charter"`): each pool, a
// license's own seats or one floating feature's, with its seats, the seats held now and the denials in a window.
// Service-level reads for the monitor; the SQL is in store.ts.
import type { Executor } from '../../db/transaction.js';
import {
  denialsByHolder,
  denialsByPool,
  floatingFeatureSeats,
  liveHolders,
  liveSeatsByPool,
  poolSizing,
  pruneDenials,
} from './store.js';

export interface PoolUsage {
  licenseId: string;
  productId: string;
  productCode: string;
  /** '' for the license's own seats, else the floating feature's code. */
  feature: string;
  /** The monitor's feature name: `<licenseId>/seats` or `<licenseId>/<feature>`. */
  name: string;
  /** null: unlimited. */
  seats: number | null;
  inUse: number;
  denials: number;
}

export const poolName = (licenseId: string, feature: string) => `${licenseId}/${feature || 'seats'}`;

/** The pool a monitor feature name stands for, or undefined when it names none. */
export const parsePoolName = (name: string): { licenseId: string; feature: string } | undefined => {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return undefined;
  const feature = name.slice(slash + 1);
  return { licenseId: name.slice(0, slash), feature: feature === 'seats' ? '' : feature };
};

type Entitlements = { code: string; seats?: number }[];

/**
 * Every pool with seats held at `nowMs` or a denial in [denialsFrom, nowMs], plus the pools named in `also`
 * (a pool seen earlier that may have emptied since). A pool whose license row is gone is left out.
 */
export const charterPoolUsage = async (
  db: Executor,
  window: { nowMs: number; denialsFrom: number },
  also: readonly { licenseId: string; feature: string }[] = [],
): Promise<PoolUsage[]> => {
  const [live, denied] = await Promise.all([
    liveSeatsByPool(db, window.nowMs),
    denialsByPool(db, window.denialsFrom, window.nowMs + 1),
  ]);
  const pools = new Map<string, { licenseId: string; feature: string; inUse: number; denials: number }>();
  const entry = (licenseId: string, feature: string) => {
    const key = poolName(licenseId, feature);
    const found = pools.get(key) ?? { licenseId, feature, inUse: 0, denials: 0 };
    pools.set(key, found);
    return found;
  };
  for (const pool of live) entry(pool.licenseId, pool.feature).inUse = pool.inUse;
  for (const pool of denied) entry(pool.licenseId, pool.feature).denials = pool.denials;
  for (const pool of also) entry(pool.licenseId, pool.feature);
  if (pools.size === 0) return [];

  const licenses = new Map(
    (await poolSizing(db, [...new Set([...pools.values()].map((pool) => pool.licenseId))])).map((row) => [
      row.license_id,
      row,
    ]),
  );
  const featureSeats = new Map(
    (await floatingFeatureSeats(db, [...new Set([...licenses.values()].map((row) => row.product_id))])).map(
      (row) => [`${row.product_id}/${row.code}`, row.seats],
    ),
  );
  const usage: PoolUsage[] = [];
  for (const [name, pool] of pools) {
    const license = licenses.get(pool.licenseId);
    if (!license) continue;
    let seats: number | null;
    if (pool.feature === '') {
      seats = license.license_max ?? license.policy_max;
    } else {
      // As a checkout sizes it: the entitlement's seats (the license's features override the policy's), else
      // the product feature's.
      const entitled = (JSON.parse(license.license_features ?? license.policy_features) as Entitlements).find(
        (feature) => feature.code === pool.feature,
      );
      seats = entitled?.seats ?? featureSeats.get(`${license.product_id}/${pool.feature}`) ?? null;
    }
    usage.push({
      licenseId: pool.licenseId,
      productId: license.product_id,
      productCode: license.product_code,
      feature: pool.feature,
      name,
      seats,
      inUse: pool.inUse,
      denials: pool.denials,
    });
  }
  return usage.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
};

/** Seat denials are kept 90 days; their counts live on in the monitor's hourly rollups. */
export const seatDenialRetentionMs = 90 * 86_400_000;

export const pruneSeatDenials = (db: Executor, nowMs: number) =>
  pruneDenials(db, nowMs - seatDenialRetentionMs);

/** A seat held now, as the monitor lists sessions. */
export interface PoolSession {
  pool: string;
  /** The license user's email, else the machine's name, else its fingerprint. */
  user: string;
  host: string;
  fingerprint: string;
  startedAt: number;
  leaseId: string;
  borrowed: boolean;
}

/** Who holds seats of Charter's pools now (one pool's, with `pool`; one holder's, with `user`), oldest first, at most `limit`. */
export const charterPoolSessions = async (
  db: Executor,
  filter: { nowMs: number; pool?: string | undefined; user?: string | undefined; limit: number },
): Promise<PoolSession[]> => {
  const pool = filter.pool === undefined ? undefined : parsePoolName(filter.pool);
  if (filter.pool !== undefined && !pool) return [];
  const rows = await liveHolders(db, {
    nowMs: filter.nowMs,
    licenseId: pool?.licenseId,
    feature: pool?.feature,
    holder: filter.user,
    limit: filter.limit,
  });
  return rows.map((row) => ({
    pool: poolName(row.license_id, row.feature),
    user: row.email ?? row.name ?? row.fingerprint,
    host: row.hostname ?? '',
    fingerprint: row.fingerprint,
    startedAt: row.checked_out_at,
    leaseId: row.id,
    borrowed: row.borrowed_until !== null && row.borrowed_until > filter.nowMs,
  }));
};

/** FLOATING_NOT_AVAILABLE refusals in [from, to) per pool and fingerprint, most first (one pool's, with `pool`). */
export const charterPoolDenials = async (
  db: Executor,
  filter: {
    pool?: string | undefined;
    fingerprint?: string | undefined;
    from: number;
    to: number;
    limit: number;
  },
) => {
  const pool = filter.pool === undefined ? undefined : parsePoolName(filter.pool);
  if (filter.pool !== undefined && !pool) return [];
  const rows = await denialsByHolder(db, {
    licenseId: pool?.licenseId,
    feature: pool?.feature,
    fingerprint: filter.fingerprint,
    from: filter.from,
    to: filter.to,
    limit: filter.limit,
  });
  return rows.map((row) => ({ ...row, pool: poolName(row.licenseId, row.feature) }));
};
