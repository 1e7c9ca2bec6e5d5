// What a poll of a license server reads (monitor.md "Polls"): the server, its features with their blocks, and the
// sessions holding licenses. Parsers of each utility's text produce it, or say why they could not.

export interface ServerMember {
  host: string;
  port: number | null;
  up: boolean;
  master: boolean;
  version: string | null;
  /** The utility's message when this member did not answer. */
  error: string | null;
}

export interface VendorDaemon {
  name: string;
  up: boolean;
  version: string | null;
  error: string | null;
}

export type BlockKind = 'floating' | 'nodelocked' | 'uncounted';

export interface FeatureBlock {
  version: string;
  kind: BlockKind;
  /** ISO date (YYYY-MM-DD); null when permanent; undefined when the utility does not print it. */
  expiresAt?: string | null;
  /** Licenses of this block (RLM pools; FlexLM does not print it per block). */
  count?: number | null;
  inUse?: number;
}

export interface Feature {
  name: string;
  vendor: string | null;
  /** null for uncounted features. */
  issued: number | null;
  /** As the server reports it: reservations and lingering seats included. */
  inUse: number;
  /** The sum of the session lines' counts. */
  checkedOut: number;
  reservations: number;
  queued: number;
  blocks: FeatureBlock[];
  /** The utility's error for this feature (e.g. "unsupported by licensed server"), served but not counted. */
  error?: string;
}

export interface Session {
  feature: string;
  /** user, host and display: a best guess from `identity` (names may contain spaces). */
  user: string;
  host: string;
  display: string;
  /** The raw `user host display` text. */
  identity: string;
  version: string;
  count: number;
  /** The server's local time (the utility prints no zone), as YYYY-MM-DDTHH:MM:SS. */
  startedAt: string | null;
  handle: string;
  pid?: number;
  borrowed?: boolean;
  lingerSeconds?: number;
}

export interface Snapshot {
  server: {
    up: boolean;
    /** The master (FlexLM) or the answering host (RLM). */
    master: string | null;
    version: string | null;
    members: ServerMember[];
    vendorDaemons: VendorDaemon[];
  };
  features: Feature[];
  sessions: Session[];
  /** Lines no rule recognized (counted, not fatal). */
  unknownLines: number;
  /** Denial counters the utility itself reports (RLM: today's, per ISV), when it does. */
  denialsToday?: number;
}

export type PollFailureOutcome = 'unreachable' | 'query_failed' | 'parse_error';

export interface ParseFailure {
  outcome: PollFailureOutcome;
  message: string;
}

export type ParseResult = { ok: true; snapshot: Snapshot } | ({ ok: false } & ParseFailure);

/** A server is degraded when a triad member or a vendor daemon is down while licenses are still served. */
export const serverStatusOf = (snapshot: Snapshot): 'up' | 'degraded' =>
  snapshot.server.members.some((member) => !member.up) ||
  snapshot.server.vendorDaemons.some((daemon) => !daemon.up)
    ? 'degraded'
    : 'up';
