// `rlmutil rlmstat -a -c <address>` (Reprise RLM) as a snapshot (research notes §7.2). A feature is a product of an
// ISV; its license pools are its blocks, and its issued and inUse are the sums over them. RLM reports its own
// denial counters (the ISV's `Denials:` row), kept as today's denials. Indentation is tabs or spaces: every rule
// allows either.
import { inferStart, type LocalTime, localTimeOf, parseExpiry } from './dates.js';
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

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const rules = {
  settingPath: /^Setting license file path to .+$/,
  toolVersion: /^(?:rlmutil|rlmstat) v\d+(?:\.\d+)*\s*$/,
  copyright: /^Copyright \(C\) .*Reprise Software, Inc\. All rights reserved\.\s*$/,
  status:
    /^\s*(?<who>\S+)(?<isv> ISV server)? status on (?<host>\S+) \(port (?<port>\d+)\), up (?<uptime>(?:\d+d )?\d+:\d{2}:\d{2})\s*$/,
  softwareVersion: /^\s*(?<who>\S+) software version (?<version>v[\d.]+) \(build: ?\d+\)\s*$/,
  commVersion: /^\s*\S+ comm version: v[\d.]+\s*$/,
  logFile: /^\s*\S+ (?:Debug|Report|info) log filename: .*$/,
  startup: /^\s*Startup time: .+$/,
  statsInit:
    /^\s*(?<which>Todays|Recent) Statistics \((?<duration>[\dd :]+)\), init time: \w{3} (?<month>\w{3}) +(?<day>\d{1,2}) (?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2}) (?<year>\d{4})\s*$/,
  statsHeader: /^\s*Recent Stats\s+Todays Stats\s+Total Stats\s*$/,
  statsDurations: /^\s*(?:(?:\d+d )?\d+:\d{2}:\d{2}\s*){3}$/,
  statsRow:
    /^\s*(?<what>Messages|Connections|Checkouts|Denials|Removals):\s+(?<recent>\d+) \(\d+\/sec\)\s+(?<today>\d+) \(\d+\/sec\)\s+(?<total>\d+) \(\d+\/sec\)\s*$/,
  isvTableTitle: /^\s*-+ ISV servers -+\s*$/,
  isvTableHeader: /^\s*Name\s+Port\s+Running\s+Restarts\s*$/,
  isvRow: /^\s*(?<isv>\S+)\s+(?<port>\d+)\s+(?<running>Yes|No)\s+(?<restarts>\d+)\s*$/,
  separator: /^\s*-{10,}\s*$/,
  poolSection: /^\s*(?<isv>\S+) license pool status on \S+ \(port \d+\)\s*$/,
  usageSection: /^\s*(?<isv>\S+) license usage status on \S+ \(port \d+\)\s*$/,
  usage:
    /^\s*(?<product>[^\s:]+) (?<version>v[\w.]+): (?<user>.+?)@(?<host>\S+) (?<count>\d+)\/(?<reserved>\d+) at (?<month>\d{2})\/(?<day>\d{2}) (?<hour>\d{2}):(?<minute>\d{2})\s+\(handle: (?<handle>\w+)\)(?<rest>.*?)\s*$/,
  poolProduct: /^\s*(?<product>[^\s:]+) (?<version>v[\w.]+)(?:, pool: (?<pool>\d+))?\s*$/,
  poolCount:
    /^\s*count: (?<count>\d+|\w+), # reservations: (?<reservations>\d+), inuse: (?<inUse>\d+), exp: (?<expiry>\S+)\s*$/,
  poolMisc: /^\s*obsolete: \d+, min_remove: -?\d+, total checkouts: \d+\s*$/,
  tokenPool: /^\s*Token-based license\s*$/,
  unreachable: /^Error connecting to "(?<server>[^"]+)" server\s*$/,
  connectionAttempt: /^Connection attempted to host: "(?<host>[^"]*)" on port (?<port>\d+)\s*$/,
  errorLine: /^\s*(?:rlmutil|rlmstat)?:?\s*(?:Error|ERROR)\b.*$/,
} as const;

// The order decides: the first rule a line matches classifies it (the tool version before a pool product, which it
// resembles; usage lines before pool products).
const ordered = Object.entries(rules) as [keyof typeof rules, RegExp][];

/** `5d 14:26:14` or `00:16:08` in seconds. */
const durationSeconds = (text: string) => {
  const match = /^(?:(\d+)d )?(\d+):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return 0;
  return Number(match[1] ?? 0) * 86400 + Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
};

export const parseRlmstat = (text: string, options: { now: Date }): ParseResult => {
  let reference: LocalTime = localTimeOf(options.now);
  const lines = outputLines(text);
  const members: ServerMember[] = [];
  const vendorDaemons: VendorDaemon[] = [];
  const features = new Map<string, Feature>();
  const sessions: Session[] = [];
  let section: 'start' | 'rlm' | 'isv' | 'pools' | 'usage' = 'start';
  let isv: string | null = null;
  let block: FeatureBlock | undefined;
  let sawStructure = false;
  let unknownLines = 0;
  let denialsToday: number | undefined;

  const daemon = (name: string): VendorDaemon => {
    const found = vendorDaemons.find((each) => each.name === name);
    if (found) return found;
    const added: VendorDaemon = { name, up: true, version: null, error: null };
    vendorDaemons.push(added);
    return added;
  };
  const featureFor = (product: string): Feature => {
    const key = `${isv ?? ''}\u0000${product}`;
    let feature = features.get(key);
    if (!feature) {
      feature = {
        name: product,
        vendor: isv,
        issued: 0,
        inUse: 0,
        checkedOut: 0,
        reservations: 0,
        queued: 0,
        blocks: [],
      };
      features.set(key, feature);
    }
    return feature;
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    const hit = classifyLine(line, ordered);
    const groups = hit?.groups ?? {};
    // A partial output may begin inside a pool list, without its section line.
    const inPools = section === 'pools' || section === 'start';
    switch (hit?.kind) {
      case 'unreachable': {
        const details = lines
          .slice(index + 1)
          .map((each) => each.trim())
          .filter(Boolean)
          .slice(0, 2);
        return {
          ok: false,
          outcome: 'unreachable',
          message: [`Error connecting to "${groups.server}" server`, ...details].join('; '),
        };
      }
      case 'settingPath':
      case 'toolVersion':
      case 'copyright':
      case 'commVersion':
      case 'logFile':
      case 'startup':
      case 'statsHeader':
      case 'statsDurations':
      case 'isvTableTitle':
      case 'isvTableHeader':
      case 'separator':
      case 'poolMisc':
        continue;
      case 'status':
        sawStructure = true;
        if (groups.isv) {
          section = 'isv';
          isv = groups.who ?? null;
          daemon(groups.who ?? '').up = true;
          // `rlmstat -i isv` prints no rlm section: the ISV's host is the server that answered.
          if (members.length === 0)
            members.push({
              host: groups.host ?? '',
              port: null,
              up: true,
              master: true,
              version: null,
              error: null,
            });
        } else {
          section = 'rlm';
          members.push({
            host: groups.host ?? '',
            port: Number(groups.port),
            up: true,
            master: true,
            version: null,
            error: null,
          });
        }
        continue;
      case 'softwareVersion': {
        const version = groups.version ?? null;
        if (groups.who === 'rlm') {
          const member = members.at(-1);
          if (member) member.version = version;
        } else daemon(groups.who ?? '').version = version;
        continue;
      }
      case 'statsInit':
        if (groups.which === 'Recent') {
          // The server's own clock: the recent statistics began at the init time, this long ago.
          const init = Date.UTC(
            Number(groups.year),
            months.indexOf((groups.month ?? '').toLowerCase()),
            Number(groups.day),
            Number(groups.hour),
            Number(groups.minute),
            Number(groups.second),
          );
          reference = localTimeOf(new Date(init + durationSeconds(groups.duration ?? '') * 1000));
        }
        continue;
      case 'statsRow':
        if (groups.what === 'Denials' && section === 'isv')
          denialsToday = (denialsToday ?? 0) + Number(groups.today);
        continue;
      case 'isvRow': {
        if (section !== 'rlm') break;
        const entry = daemon(groups.isv ?? '');
        entry.up = groups.running === 'Yes';
        if (!entry.up) entry.error = 'The ISV server is not running';
        continue;
      }
      case 'poolSection':
        sawStructure = true;
        section = 'pools';
        isv = groups.isv ?? null;
        block = undefined;
        continue;
      case 'usageSection':
        sawStructure = true;
        section = 'usage';
        isv = groups.isv ?? null;
        continue;
      case 'usage': {
        if (section !== 'usage') break;
        const count = Number(groups.count);
        const session: Session = {
          feature: groups.product ?? '',
          user: groups.user ?? '',
          host: groups.host ?? '',
          display: '',
          identity: `${groups.user}@${groups.host}`,
          version: groups.version ?? '',
          count,
          startedAt: inferStart(
            {
              month: Number(groups.month),
              day: Number(groups.day),
              hour: Number(groups.hour),
              minute: Number(groups.minute),
            },
            reference,
          ),
          handle: groups.handle ?? '',
        };
        if (/\broam/i.test(groups.rest ?? '')) session.borrowed = true;
        sessions.push(session);
        // Pools listed before any section line (a partial output) have no ISV yet: the usage section names it.
        const orphan = features.get(`\u0000${groups.product}`);
        if (orphan && isv && !features.has(`${isv}\u0000${groups.product}`)) {
          features.delete(`\u0000${groups.product}`);
          orphan.vendor = isv;
          features.set(`${isv}\u0000${groups.product}`, orphan);
        }
        featureFor(groups.product ?? '').checkedOut += count;
        continue;
      }
      case 'poolProduct': {
        if (!inPools) break;
        sawStructure = true;
        const feature = featureFor(groups.product ?? '');
        block = { version: groups.version ?? '', kind: 'floating', count: 0, inUse: 0 };
        feature.blocks.push(block);
        continue;
      }
      case 'poolCount': {
        if (!inPools || !block) break;
        const current = block;
        const feature = [...features.values()].find((each) => each.blocks.includes(current));
        const count = /^\d+$/.test(groups.count ?? '') ? Number(groups.count) : null;
        current.count = count;
        current.inUse = Number(groups.inUse);
        current.expiresAt = parseExpiry(groups.expiry ?? '') ?? null;
        if (feature) {
          feature.issued = count === null || feature.issued === null ? null : feature.issued + count;
          feature.inUse += Number(groups.inUse);
          feature.reservations += Number(groups.reservations);
        }
        continue;
      }
      case 'tokenPool':
        if (!inPools) break;
        continue;
      case 'errorLine':
        return { ok: false, outcome: 'query_failed', message: line.trim() };
      case 'connectionAttempt':
      case undefined:
        break;
    }
    unknownLines += 1;
  }

  if (!sawStructure) {
    return {
      ok: false,
      outcome: 'parse_error',
      message: 'The output has no RLM server, ISV or pool section',
    };
  }
  const master = members[0];
  const snapshot: Snapshot = {
    server: {
      up: members.length === 0 || members.some((member) => member.up),
      master: master?.host ?? null,
      version: master?.version ?? null,
      members,
      vendorDaemons,
    },
    features: [...features.values()],
    sessions,
    unknownLines,
    ...(denialsToday === undefined ? {} : { denialsToday }),
  };
  return { ok: true, snapshot };
};
