// What validation reads, remembered per key (and fingerprint) in this process, and forgotten by every committed
// change to it (db/change-feed.ts): a change to the license, its machines, seats or meter forgets that license's
// entries; a change to any policy, product, bundle's members (migration 0029) or the blocklist forgets all.
//
// The bound: a validation sees every change this process committed before it began (the feed catches up before
// each lookup). Another process's change (the CLI, another server) is seen within 5 ms on SQLite, and as soon as
// its notification arrives on PostgreSQL (sent at commit; milliseconds); while PostgreSQL's listening connection
// is down nothing is answered from memory.
//
// What is remembered is the state as read, never a verdict: expiry, a machine's heartbeat, a seat's lease are
// judged at each validation against the current time. The one count that depends on time (live machines) is kept
// only until the first of them would die. Entries also age out after `ttlMs` (a backstop), and the oldest go
// first past `capacity`.

import { type ChangeFeed, openChangeFeed } from '../../db/change-feed.js';
import type { Database } from '../../db/connection.js';
import type { WriteBatcher } from '../../db/write-batcher.js';
import type { ValidationRead } from './store.js';

export interface ValidationCacheOptions {
  /** Entries kept at most (each a key, or a key and fingerprint); about 0.8 KB each. */
  capacity: number;
  /** Longest an entry is used, changes or not. */
  ttlMs: number;
  log: { warn: (object: object, message: string) => void };
  /** SQLite: the group commit the change log's pruning joins (db/change-feed.ts). */
  writes?: WriteBatcher;
}

export interface ValidationCache {
  /**
   * The read of a key (and fingerprint) at `nowMs`: from memory when nothing it holds changed since it was read,
   * otherwise through `read`, remembered when no change to that license arrived while it ran.
   */
  read(
    keyHash: string,
    fingerprint: string | undefined,
    nowMs: number,
    read: () => Promise<ValidationRead | undefined>,
  ): Promise<ValidationRead | undefined>;
  stats(): { hits: number; misses: number; entries: number };
  close(): Promise<void>;
}

interface Entry {
  value: ValidationRead;
  licenseId: string;
  /** Used while the clock is before this. */
  until: number;
}

/** Changes remembered by license for reads still running (PostgreSQL); past this many the oldest are dropped. */
const recentChangesKept = 10_000;

/** A cache over this storage's change feed; undefined when the storage has no feed or `capacity` is 0. */
export const createValidationCache = (
  db: Database,
  options: ValidationCacheOptions,
): ValidationCache | undefined => {
  if (options.capacity <= 0) return undefined;
  const entries = new Map<string, Entry>();
  // A license's entries: one key (the common case) or several (with fingerprints), without a Set each.
  const keysOfLicense = new Map<string, string | string[]>();
  // Each change counts one; a read started at epoch E is remembered only when no change to its license (and no
  // '*') came after E.
  let epoch = 0;
  let clearedAt = 0;
  let forgottenBelow = 0;
  const changedAt = new Map<string, number>();
  let hits = 0;
  let misses = 0;

  const drop = (key: string, entry: Entry) => {
    entries.delete(key);
    const keys = keysOfLicense.get(entry.licenseId);
    if (keys === key) keysOfLicense.delete(entry.licenseId);
    else if (Array.isArray(keys)) {
      const rest = keys.filter((other) => other !== key);
      if (rest.length === 0) keysOfLicense.delete(entry.licenseId);
      else keysOfLicense.set(entry.licenseId, rest.length === 1 ? (rest[0] as string) : rest);
    }
  };

  const onChange = (licenseId: string) => {
    epoch++;
    if (licenseId === '*') {
      entries.clear();
      keysOfLicense.clear();
      changedAt.clear();
      clearedAt = epoch;
      return;
    }
    const keys = keysOfLicense.get(licenseId);
    if (keys !== undefined) {
      if (Array.isArray(keys)) for (const key of keys) entries.delete(key);
      else entries.delete(keys);
      keysOfLicense.delete(licenseId);
    }
    changedAt.delete(licenseId);
    changedAt.set(licenseId, epoch);
    if (changedAt.size > recentChangesKept) {
      const [oldest, at] = changedAt.entries().next().value as [string, number];
      changedAt.delete(oldest);
      forgottenBelow = at;
    }
  };

  const feed: ChangeFeed | undefined = openChangeFeed(db, {
    onChange,
    log: options.log,
    ...(options.writes ? { writes: options.writes } : {}),
  });
  if (!feed) return undefined;

  const remember = (key: string, value: ValidationRead, nowMs: number) => {
    const licenseId = value.license.id;
    const previous = entries.get(key);
    if (previous) drop(key, previous);
    if (entries.size >= options.capacity) {
      const [oldestKey, oldest] = entries.entries().next().value as [string, Entry];
      drop(oldestKey, oldest);
    }
    shareCommonStrings(value);
    entries.set(key, { value, licenseId, until: Math.min(nowMs + options.ttlMs, value.liveMachinesUntil) });
    const keys = keysOfLicense.get(licenseId);
    if (keys === undefined) keysOfLicense.set(licenseId, key);
    else if (Array.isArray(keys)) keys.push(key);
    else keysOfLicense.set(licenseId, [keys, key]);
  };

  // The strings many entries hold alike (a product's id, a policy's, a status, an empty '{}'), each read anew
  // from the database, are kept once (a third of an entry's memory), and so are identical policy and product rows.
  const common = new Map<string, string>();
  const share = (text: string): string => {
    if (text.length > 64) return text;
    const known = common.get(text);
    if (known !== undefined) return known;
    if (common.size >= 10_000) common.clear();
    common.set(text, text);
    return text;
  };
  // The policy and product rows too: most licenses share a few of each, read anew with every license.
  const commonRows = new Map<string, object>();
  const shareRow = <T extends object>(row: T): T => {
    const signature = JSON.stringify(row);
    const known = commonRows.get(signature);
    if (known !== undefined) return known as T;
    if (commonRows.size >= 10_000) commonRows.clear();
    commonRows.set(signature, row);
    return row;
  };
  const shareCommonStrings = (value: ValidationRead) => {
    const { license, policy, product, machine } = value;
    license.product_id = share(license.product_id);
    license.policy_id = share(license.policy_id);
    if (license.customer_id !== null) license.customer_id = share(license.customer_id);
    license.status = share(license.status) as typeof license.status;
    if (license.features !== null) license.features = share(license.features);
    license.metadata = share(license.metadata);
    policy.id = share(policy.id);
    policy.expiration_strategy = share(policy.expiration_strategy) as typeof policy.expiration_strategy;
    policy.features = share(policy.features);
    product.id = license.product_id;
    product.code = share(product.code);
    product.status = share(product.status);
    value.policy = shareRow(policy);
    value.product = shareRow(product);
    if (machine) {
      machine.license_id = license.id;
      machine.status = share(machine.status) as typeof machine.status;
      if (machine.platform !== null) machine.platform = share(machine.platform);
    }
  };

  const lookup = async (
    current: boolean,
    key: string,
    nowMs: number,
    read: () => Promise<ValidationRead | undefined>,
  ) => {
    // The feed cannot vouch for what is in memory: read, and remember nothing.
    if (!current) return read();
    const entry = entries.get(key);
    if (entry && nowMs < entry.until) {
      hits++;
      return entry.value;
    }
    misses++;
    const started = epoch;
    const value = await read();
    if (
      value &&
      clearedAt <= started &&
      forgottenBelow <= started &&
      (changedAt.get(value.license.id) ?? 0) <= started
    )
      remember(key, value, nowMs);
    return value;
  };

  return {
    read: (keyHash, fingerprint, nowMs, read) => {
      const key = fingerprint === undefined ? keyHash : `${keyHash}\u0000${fingerprint}`;
      const current = feed.catchUp();
      return typeof current === 'boolean'
        ? lookup(current, key, nowMs, read)
        : current.then((ok) => lookup(ok, key, nowMs, read));
    },
    stats: () => ({ hits, misses, entries: entries.size }),
    close: () => feed.close(),
  };
};
