// `lmutil lmstat -a -c <address>` (FlexNet / FlexLM) as a snapshot: a line-by-line state machine over the rules of
// the research notes §5.2 (sections: servers, vendor daemons, features; a feature's sessions belong to the block
// above them). Unknown lines are counted and skipped; the parse fails only when no server section is found.
import {
  dateReadings,
  inferStart,
  type LocalTime,
  localTimeOf,
  parseExpiry,
  parseHeaderDate,
  weekdayOf,
} from './dates.js';
import { splitIdentity } from './identity.js';
import type {
  Feature,
  FeatureBlock,
  ParseResult,
  ServerMember,
  Session,
  Snapshot,
  VendorDaemon,
} from './snapshot.js';
import { classifyLine, outputLines } from './text.js';

const rules = {
  banner: /^(?:lmutil|lmstat) - Copyright \(c\) .*All [Rr]ights [Rr]eserved\.\s*$/,
  toolVersion: /^lmstat(?: v\d+(?:\.\d+)+ build \d+ \S+)?\s*$/,
  header:
    /^Flexible License Manager status on (?:\S+,? )?(?<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\.?) (?<hour>\d{1,2}):(?<minute>\d{2})(?::\d{2})?\s*$/,
  detecting: /^\[Detecting lmgrd processes\.\.\.\]\s*$/,
  statusError:
    /^Error getting status: (?<message>.+?)(?: \((?<code>-\d+),(?<minor>\d+)(?::(?<sys>\d+))?(?: "(?<sysmsg>[^"]*)")?\))?\s*$/,
  serverList: /^License server status: (?<servers>\S.*?)\s*$/,
  licenseFiles: /^\s+License file\(s\) on .*:\s*$/,
  serverLine:
    /^\s*(?<host>[^\s:]+): license server (?<status>UP|DOWN)(?<master> \(MASTER\))? (?<version>v\d+(?:\.\d+)*)\s*$/,
  vendorHeader: /^Vendor daemon status \(on (?<host>[^)]+)\):\s*$/,
  vendorLine: /^\s+(?<vendor>[^\s:]+): (?<status>UP|DOWN) (?<version>v\d+(?:\.\d+)*)\s*$/,
  featureInfo: /^Feature usage info:\s*$/,
  counted:
    /^Users of (?<feature>.+?):\s+\(Total of (?<issued>\d+) licenses? issued;\s+Total of (?<used>\d+) licenses? in use\)\s*$/,
  uncounted: /^Users of (?<feature>.+?):\s+\(Uncounted, node-locked\)\s*$/,
  featureError: /^Users of (?<feature>.+?):\s+\(Error: (?<count>\d+) licenses?, (?<message>.+)\)\s*$/,
  cannotGetUsers: /^Users of (?<feature>.+?): Cannot get users of .+?: (?<message>.+?)\s*$/,
  block:
    /^\s*"(?<feature>[^"]+)" (?<version>v[^,\s]+), vendor: (?<vendor>[^,\s]+)(?:, expiry: (?<expiry>.+?))?\s*$/,
  vendorString: /^\s+vendor_string: .*$/,
  licenseType: /^\s+(?<type>floating|uncounted nodelocked|nodelocked) license(?:,? locked to .+?)?\s*$/,
  reservation:
    /^\s+(?<count>\d+) RESERVATIONs? for (?:USER|HOST|GROUP|HOST_GROUP|DISPLAY|INTERNET|PROJECT) \S+(?: \([^/)]+\/\d+\))?\s*$/,
  checkout:
    /^\s+(?<identity>\S.*?) \((?<version>v[^)]*)\) \((?<serverHost>[^/()\s]+)\/(?<port>\S+) (?<handle>\d+)\), start (?<weekday>\S+) (?<dateA>\d{1,2})(?<separator>[./-])(?<dateB>\d{1,2})\.? (?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2}))?(?:, (?<count>\d+) licenses)?(?:\s+\(linger: (?<linger>\d+)(?: \/ \d+)?\))?(?:, PID: (?<pid>\d+))?\s*$/,
  queued:
    /^\s+(?<identity>\S.*?) \((?<version>v[^)]*)\) \([^/()\s]+\/\S+ \d+\) queued for (?<count>\d+) licenses?\s*$/,
  whoError:
    /^\s*(?<who>[^\s:]+): (?<message>[^()]+?)\.? \((?<code>-\d+),(?<minor>\d+)(?::(?<sys>\d+))?(?: "(?<sysmsg>[^"]*)")?\)\s*$/,
} as const;

// The order decides: the first rule a line matches classifies it. Session lines, most of any output, are tried
// first (their shape is specific enough to match nothing else).
const ordered = (Object.entries(rules) as [keyof typeof rules, RegExp][]).sort(
  ([a], [b]) => Number(b === 'checkout') - Number(a === 'checkout'),
);

/** FlexLM codes (and messages) that mean the server could not be reached: -15 connect, -96 down, -97 daemon down. */
const unreachableCodes = new Set(['-15', '-96', '-97']);
const unreachableText =
  /Cannot connect to license server|license server machine is down or not responding|Connection refused/i;

const isUnreachable = (message: string, code: string | undefined) =>
  (code !== undefined && unreachableCodes.has(code)) || unreachableText.test(message);

const shortHost = (host: string) => host.toLowerCase().split('.')[0] ?? host.toLowerCase();

export const parseLmstat = (text: string, options: { now: Date }): ParseResult => {
  let reference: LocalTime = localTimeOf(options.now);
  // Set by a status header printed day-first (a localized capture): the start stamps are read so too.
  let dayFirst = false;
  let sawStructure = false;
  let section: 'start' | 'servers' | 'vendors' | 'features' = 'start';
  const members: ServerMember[] = [];
  const vendorDaemons: VendorDaemon[] = [];
  const features: Feature[] = [];
  const sessions: Session[] = [];
  let feature: Feature | undefined;
  let block: FeatureBlock | undefined;
  let unknownLines = 0;

  const memberFor = (host: string): ServerMember => {
    const found =
      members.find((member) => member.host.toLowerCase() === host.toLowerCase()) ??
      members.find((member) => shortHost(member.host) === shortHost(host));
    if (found) return found;
    const added: ServerMember = { host, port: null, up: false, master: false, version: null, error: null };
    members.push(added);
    return added;
  };
  const openFeature = (name: string, issued: number | null, inUse: number, error?: string) => {
    feature = { name, vendor: null, issued, inUse, checkedOut: 0, reservations: 0, queued: 0, blocks: [] };
    sawStructure = true;
    if (error) feature.error = error;
    features.push(feature);
    block = undefined;
    section = 'features';
  };
  const currentBlock = (current: Feature): FeatureBlock => {
    if (!block) {
      // Sessions with no block header above them: FlexLM's default is a floating license.
      block = { version: '', kind: current.issued === null ? 'uncounted' : 'floating' };
      current.blocks.push(block);
    }
    return block;
  };

  for (const line of outputLines(text)) {
    if (line.trim() === '') continue;
    const hit = classifyLine(line, ordered);
    const groups = hit?.groups ?? {};
    switch (hit?.kind) {
      case 'banner':
      case 'toolVersion':
      case 'detecting':
      case 'licenseFiles':
      case 'vendorString':
        continue;
      case 'header': {
        const date = parseHeaderDate(groups.date ?? '');
        if (!date) break;
        reference = {
          year: date.year,
          month: date.month,
          day: date.day,
          hour: Number(groups.hour),
          minute: Number(groups.minute),
          second: 59,
        };
        dayFirst = date.dayFirst;
        sawStructure = true;
        continue;
      }
      case 'statusError': {
        const full = line.replace(/^Error getting status: /, '').trim();
        return isUnreachable(groups.message ?? line, groups.code)
          ? { ok: false, outcome: 'unreachable', message: full }
          : { ok: false, outcome: 'query_failed', message: full };
      }
      case 'serverList':
        sawStructure = true;
        section = 'servers';
        for (const item of (groups.servers ?? '').split(',')) {
          // `port@host`; a redacted port (the word "port") or none leaves the port unknown.
          const spec = /^(?:([^@]+)@)?(.+)$/.exec(item.trim());
          if (!spec?.[2]) continue;
          const member = memberFor(spec[2]);
          member.port = spec[1] && /^\d+$/.test(spec[1]) ? Number(spec[1]) : null;
        }
        continue;
      case 'serverLine': {
        sawStructure = true;
        section = 'servers';
        const member = memberFor(groups.host ?? '');
        member.up = member.up || groups.status === 'UP';
        member.master = member.master || groups.master !== undefined;
        member.version = groups.version ?? member.version;
        continue;
      }
      case 'vendorHeader':
        sawStructure = true;
        section = 'vendors';
        continue;
      // lmutil 2023 prints `Feature usage info:` after each vendor daemon's line, so daemons follow it too.
      case 'vendorLine':
        vendorDaemons.push({
          name: groups.vendor ?? '',
          up: groups.status === 'UP',
          version: groups.version ?? null,
          error: null,
        });
        continue;
      case 'featureInfo':
        sawStructure = true;
        section = 'features';
        continue;
      case 'counted':
        openFeature(groups.feature ?? '', Number(groups.issued), Number(groups.used));
        continue;
      case 'uncounted':
        openFeature(groups.feature ?? '', null, 0);
        continue;
      case 'featureError':
        openFeature(groups.feature ?? '', Number(groups.count), 0, groups.message);
        continue;
      case 'cannotGetUsers':
        openFeature(groups.feature ?? '', null, 0, groups.message);
        continue;
      case 'block':
        if (!feature) break;
        block = {
          version: groups.version ?? '',
          kind: feature.issued === null ? 'uncounted' : 'floating',
          ...(groups.expiry === undefined ? {} : { expiresAt: parseExpiry(groups.expiry) ?? null }),
        };
        feature.blocks.push(block);
        feature.vendor = groups.vendor ?? feature.vendor;
        continue;
      case 'licenseType':
        if (!feature) break;
        currentBlock(feature).kind =
          groups.type === 'floating' ? 'floating' : groups.type === 'nodelocked' ? 'nodelocked' : 'uncounted';
        continue;
      case 'reservation':
        if (!feature) break;
        feature.reservations += Number(groups.count);
        continue;
      case 'checkout': {
        if (!feature) break;
        const identity = (groups.identity ?? '').trim();
        const count = groups.count ? Number(groups.count) : 1;
        currentBlock(feature);
        const session: Session = {
          feature: feature.name,
          ...splitIdentity(identity),
          identity,
          version: groups.version ?? '',
          count,
          startedAt: inferStart(
            {
              readings: dateReadings(
                Number(groups.dateA),
                Number(groups.dateB),
                groups.separator ?? '/',
                dayFirst,
              ),
              weekday: weekdayOf(groups.weekday ?? ''),
              hour: Number(groups.hour),
              minute: Number(groups.minute),
              ...(groups.second ? { second: Number(groups.second) } : {}),
            },
            reference,
          ),
          handle: groups.handle ?? '',
        };
        if (groups.pid) session.pid = Number(groups.pid);
        if (groups.linger) session.lingerSeconds = Number(groups.linger);
        sessions.push(session);
        feature.checkedOut += count;
        continue;
      }
      case 'queued':
        if (!feature) break;
        feature.queued += Number(groups.count);
        continue;
      case 'whoError': {
        const who = groups.who ?? '';
        const message = line.replace(/^\s*[^\s:]+: /, '').trim();
        if (section === 'servers' || section === 'start') {
          const member = memberFor(who);
          member.up = false;
          member.error = message;
          continue;
        }
        if (section === 'vendors') {
          vendorDaemons.push({ name: who, up: false, version: null, error: message });
          continue;
        }
        break;
      }
      case undefined:
        break;
    }
    unknownLines += 1;
  }

  if (!sawStructure) {
    return {
      ok: false,
      outcome: 'parse_error',
      message: 'The output has no FlexLM status header or server section',
    };
  }
  // Nobody answered: every member of the triad, or every vendor daemon, is down and no feature is served.
  const anyMemberUp = members.length === 0 || members.some((member) => member.up);
  const anyDaemonUp = vendorDaemons.length === 0 || vendorDaemons.some((daemon) => daemon.up);
  if (features.length === 0 && (!anyMemberUp || !anyDaemonUp)) {
    const reason =
      members.find((member) => member.error)?.error ?? vendorDaemons.find((daemon) => daemon.error)?.error;
    return {
      ok: false,
      outcome: 'unreachable',
      message: reason ?? 'No license server or vendor daemon is up',
    };
  }
  // One vendor daemon: every feature is its own.
  if (vendorDaemons.length === 1) for (const each of features) each.vendor ??= vendorDaemons[0]?.name ?? null;
  const master = members.find((member) => member.master) ?? members.find((member) => member.up);
  const snapshot: Snapshot = {
    server: {
      up: anyMemberUp,
      master: master?.host ?? null,
      version: master?.version ?? null,
      members,
      vendorDaemons,
    },
    features,
    sessions,
    unknownLines,
  };
  return { ok: true, snapshot };
};
