// The lmstat and rlmstat parsers as pure functions: on the real outputs in ../shared/fixtures/monitor (read in place;
// skipped with a line saying so where ../shared is absent) and on cases written here for each variation monitor.md
// names, which always run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inferStart, parseExpiry } from '../../src/monitor/parsers/dates.js';
import { parseLmstat } from '../../src/monitor/parsers/flexlm.js';
import { splitIdentity } from '../../src/monitor/parsers/identity.js';
import { parseRlmstat } from '../../src/monitor/parsers/rlm.js';
import { type ParseResult, type Snapshot, serverStatusOf } from '../../src/monitor/parsers/snapshot.js';
import { decodeUtilityOutput } from '../../src/monitor/parsers/text.js';
import { repoRoot } from '../support/cli.js';

const fixtureDir = path.resolve(repoRoot, '../shared/fixtures/monitor');
const fixturesSkip = existsSync(fixtureDir)
  ? false
  : `skipped: ${fixtureDir} is absent (the shared fixtures are read in place, never copied)`;
const now = new Date('2026-11-23T12:00:00Z');

const fixture = (name: string) => decodeUtilityOutput(readFileSync(path.join(fixtureDir, name)));
const snapshotOf = (result: ParseResult): Snapshot => {
  if (!result.ok) assert.fail(`expected a snapshot, got ${result.outcome}: ${result.message}`);
  return result.snapshot;
};
const featureOf = (snapshot: Snapshot, name: string) => {
  const found = snapshot.features.find((feature) => feature.name === name);
  assert.ok(found, `feature ${name}`);
  return found;
};

describe('lmstat on real outputs', { skip: fixturesSkip }, () => {
  it('a triad with reservations, queued requests, lingering checkouts and two-token identities', () => {
    const snapshot = snapshotOf(parseLmstat(fixture('flexlm_exporter__lmstat_app1.txt'), { now }));
    assert.deepEqual(
      snapshot.server.members.map((member) => [member.host, member.port, member.up, member.master]),
      [
        ['host-1.domain.net', 27002, true, false],
        ['host2.domain.net', 27002, true, true],
        ['host3.domain.net', 27002, true, false],
      ],
    );
    assert.equal(snapshot.server.master, 'host2.domain.net');
    assert.equal(serverStatusOf(snapshot), 'up');
    assert.equal(snapshot.features.length, 54);
    assert.equal(snapshot.unknownLines, 0);
    const feature1 = featureOf(snapshot, 'feature1');
    assert.deepEqual([feature1.issued, feature1.inUse, feature1.reservations], [1814, 1206, 132]);
    assert.equal(feature1.vendor, 'VENDOR1');
    assert.equal(
      feature1.checkedOut,
      snapshot.sessions
        .filter((session) => session.feature === 'feature1')
        .reduce((sum, s) => sum + s.count, 0),
    );
    assert.equal(
      snapshot.features.reduce((sum, feature) => sum + feature.queued, 0),
      2,
    );
    const lingering = snapshot.sessions.filter((session) => session.lingerSeconds !== undefined);
    assert.deepEqual(
      lingering.map((session) => [session.user, session.count, session.lingerSeconds]),
      [
        ['cmfy211', 1, 885098],
        ['cmfy212', 16, 885098],
      ],
    );
    // Starts carry no year: the header's (Fri 10/20/2017), so none lies after it.
    const first = snapshot.sessions.find((session) => session.handle === '7086');
    assert.equal(first?.startedAt, '2017-10-20T16:44:00');
    assert.ok(snapshot.sessions.every((session) => (session.startedAt ?? '') <= '2017-10-20T17:02:59'));
  });

  it('a triad member down is degraded, not unreachable; expiry 1-jan-0 is permanent', () => {
    const snapshot = snapshotOf(parseLmstat(fixture('flexlm_exporter__lmstat_server_down.txt'), { now }));
    const down = snapshot.server.members.find((member) => member.host === 'host3');
    assert.equal(down?.up, false);
    assert.match(down?.error ?? '', /Cannot connect to license server system\. \(-15,570:115/);
    assert.equal(serverStatusOf(snapshot), 'degraded');
    assert.equal(featureOf(snapshot, 'feature2').inUse, 39);
    assert.equal(featureOf(snapshot, 'feature2').blocks[0]?.expiresAt, null);
  });

  it('Windows COMSOL: uncounted node-locked with a user, Error features, permanent expiry, a redacted port', () => {
    const snapshot = snapshotOf(parseLmstat(fixture('flexlm_exporter__lmstat_app4.txt'), { now }));
    assert.deepEqual(
      snapshot.server.members.map((member) => [member.host, member.port]),
      [['licensevm.domain.example', null]],
    );
    const serial = featureOf(snapshot, 'SERIAL');
    assert.deepEqual([serial.issued, serial.checkedOut, serial.blocks[0]?.kind], [null, 1, 'uncounted']);
    assert.equal(featureOf(snapshot, 'SUBSURFACEFLOW').error, 'unsupported by licensed server');
    const acdc = featureOf(snapshot, 'ACDC');
    assert.deepEqual([acdc.issued, acdc.inUse, acdc.blocks[0]?.expiresAt], [2, 1, null]);
    assert.equal(featureOf(snapshot, 'CFD').issued, 1);
  });

  it('MATLAB: PID on session lines and a dated expiry', () => {
    const snapshot = snapshotOf(parseLmstat(fixture('flexlm_exporter__lmstat_app5.txt'), { now }));
    const withPid = snapshot.sessions.filter((session) => session.pid !== undefined);
    assert.ok(withPid.some((session) => session.pid === 2924522 && session.user === 'user1'));
    assert.ok(
      snapshot.features.some((feature) => feature.blocks.some((block) => block.expiresAt === '2025-12-30')),
    );
  });

  it('a UTF-16LE capture with a BOM and CRLF, with two vendor daemons each followed by its own usage line', () => {
    const text = fixture('lmstat_a__mentor_multi_vendor_daemons__utf16le_bom_crlf__EDA-License-Monitor.txt');
    const snapshot = snapshotOf(parseLmstat(text, { now }));
    assert.deepEqual(
      snapshot.server.vendorDaemons.map((daemon) => [daemon.name, daemon.up]),
      [
        ['saltd', true],
        ['mgcld', true],
      ],
    );
    assert.equal(snapshot.features.length, (text.match(/^Users of /gm) ?? []).length);
    assert.ok(snapshot.features.length > 2000);
    assert.deepEqual(
      [featureOf(snapshot, 'mentorall_s').issued, featureOf(snapshot, 'mentorall_s').inUse],
      [9999, 0],
    );
  });

  it('a case-doubled Windows server line is one member', () => {
    const snapshot = snapshotOf(parseLmstat(fixture('flexlm_exporter__lmstat_server_up_win.txt'), { now }));
    assert.equal(snapshot.server.members.length, 1);
    assert.equal(snapshot.server.vendorDaemons[0]?.name, 'ptc_d');
  });

  it('session lines with an extra feature= or package-component token', () => {
    const withFeature = snapshotOf(
      parseLmstat(fixture('lmstat_a_snippet__usage_lines_feature_eq_display__license-manager.txt'), { now }),
    );
    assert.deepEqual(
      withFeature.sessions.map((session) => [session.user, session.host, session.display, session.count]),
      [
        ['usbn12', 'p-c94.com', '/dev/tty', 100],
        ['usbn12', 'p-c94.com', '/dev/tty', 1400],
        ['usbn12', 'p-c94.com', '/dev/tty', 100],
      ],
    );
    const withComponent = snapshotOf(
      parseLmstat(fixture('lmstat_a_snippet__usage_lines_package_component__license-manager.txt'), { now }),
    );
    assert.deepEqual(
      withComponent.sessions[0] && [withComponent.sessions[0].user, withComponent.sessions[0].display],
      ['ABCDKK', 'SESOR045'],
    );
    assert.equal(featureOf(withComponent, 'MSCONE').checkedOut, 5 + 1 + 5 + 1 + 5 + 1);
  });

  it('Error getting status: Cannot connect answers unreachable', () => {
    const result = parseLmstat(fixture('lmstat__cannot_connect_error_getting_status__license-manager.txt'), {
      now,
    });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.outcome, 'unreachable');
  });

  it('outputs of other lmstat modes (-i, -v) are not a status: parse_error', () => {
    for (const name of ['flexlm_exporter__lmstat_i_app1.txt', 'flexlm_exporter__lmstat_new.txt']) {
      const result = parseLmstat(fixture(name), { now });
      assert.equal(!result.ok && result.outcome, 'parse_error', name);
    }
  });
});

describe('rlmstat on real outputs', { skip: fixturesSkip }, () => {
  it('the rlm server, its ISV, pools and usage lines with hex handles', () => {
    const snapshot = snapshotOf(
      parseRlmstat(fixture('rlmstat_a_p__csci_pools_and_usage__license-manager.txt'), { now }),
    );
    assert.deepEqual(
      [snapshot.server.master, snapshot.server.version, snapshot.server.members[0]?.port],
      ['licserv.com', 'v12.2', 35015],
    );
    assert.deepEqual(
      snapshot.server.vendorDaemons.map((daemon) => [daemon.name, daemon.up, daemon.version]),
      [['csci', true, 'v12.2']],
    );
    assert.equal(snapshot.features.length, 5);
    const superFeature = featureOf(snapshot, 'converge_super');
    assert.deepEqual(
      [superFeature.issued, superFeature.inUse, superFeature.checkedOut, superFeature.vendor],
      [1000, 93, 93, 'csci'],
    );
    assert.equal(superFeature.blocks[0]?.expiresAt, '2022-01-31');
    assert.deepEqual(
      snapshot.sessions.map((session) => [session.user, session.host, session.count, session.handle]),
      [
        ['asdj13', 'myserver.example.com', 29, '15a'],
        ['cddcp2', 'myserver.example.com', 27, '128'],
        ['asdj13', 'myserver.example.com', 37, '15a'],
      ],
    );
    // The year comes from the server's own statistics clock (Nov 2021), not from today.
    assert.equal(snapshot.sessions[1]?.startedAt, '2021-11-03T10:38:00');
    assert.equal(snapshot.denialsToday, 0);
  });

  it('an ISV-only output (rlmstat -i) with a pool number and a v15 info log', () => {
    const snapshot = snapshotOf(
      parseRlmstat(fixture('rlmstat_a_i_isv__simio_v15_pool__check_rlm_readme.txt'), { now }),
    );
    const feature = featureOf(snapshot, 'simio-academic');
    assert.deepEqual(
      [feature.issued, feature.blocks[0]?.version, feature.blocks[0]?.expiresAt],
      [100, 'v2025.01', '2025-01-09'],
    );
    assert.equal(snapshot.server.vendorDaemons[0]?.version, 'v15.1');
    assert.equal(snapshot.unknownLines, 0);
  });

  it('a partial output of two ISVs', () => {
    const snapshot = snapshotOf(
      parseRlmstat(fixture('rlmstat_a_p__multi_isv_partial__license-manager.txt'), { now }),
    );
    assert.equal(snapshot.sessions.length, 4);
    assert.equal(featureOf(snapshot, 'powercase').vendor, 'exacorp');
    assert.equal(featureOf(snapshot, 'powertherm').vendor, 'tainc');
  });

  it('Error connecting to "rlm" server answers unreachable', () => {
    const result = parseRlmstat(fixture('rlmstat__error_connecting_to_rlm_server__license-manager.txt'), {
      now,
    });
    assert.equal(!result.ok && result.outcome, 'unreachable');
    assert.match(!result.ok ? result.message : '', /port 5053/);
  });
});

// Written here: every variation monitor.md lists, in one status output.
const lmstatCases = [
  'lmutil - Copyright (c) 1989-2023 Flexera. All Rights Reserved.',
  'Flexible License Manager status on Tue 1/2/2024 9:15',
  '',
  'License server status: 27000@alpha,27000@beta,27000@gamma',
  '    License file(s) on alpha: /opt/flexlm/license.dat:',
  '',
  'alpha: license server UP (MASTER) v11.19.2',
  'beta: license server UP v11.19.2',
  'gamma: license server DOWN v11.19.2',
  '',
  'Vendor daemon status (on alpha):',
  '',
  '     cadence: UP v11.19.2',
  '     theorem: The desired vendor daemon is down. (-97,121)',
  '',
  'Feature usage info:',
  '',
  'Users of Virtuoso:  (Total of 10 licenses issued;  Total of 6 licenses in use)',
  '',
  '  "Virtuoso" v23.1, vendor: cadence, expiry: 31-dec-2026',
  '  floating license',
  '',
  '    Quantenna FAE4 ws-12 :0.0 (v23.1) (alpha/27000 101), start Sun 12/31 23:50, 2 licenses',
  '    jdoe ws-7 ws-7:1 (v23.1) (alpha/27000 102), start Tue 1/2 8:01 (linger: 3600)',
  '    2 RESERVATIONs for GROUP designers (alpha/27000)',
  '    kim lab-3 /dev/pts/4 (v23.1) (alpha/27000 103) queued for 3 licenses',
  '    a weird line nobody documented',
  '',
  'Users of Spectre:  (Total of 1 license issued;  Total of 1 license in use)',
  '',
  '  "Spectre" v22.1, vendor: cadence, expiry: permanent',
  '  nodelocked license, locked to "ID=1234"',
  '    leap day-host day-host (v22.1) (alpha/27000 104), start Thu 2/29 10:00',
  '',
  'Users of Viewer:  (Uncounted, node-locked)',
  '',
  '  "Viewer" v1.0, vendor: cadence, expiry: 1-jan-0',
  '  uncounted nodelocked license locked to NOTHING (hostid=ANY)',
  '    ana lab-1 /dev/tty (v1.0) (alpha/27000 105), start Mon 1/1 7:00',
  '',
];

describe('lmstat variations', () => {
  const text = lmstatCases.join('\n');
  const snapshot = snapshotOf(parseLmstat(text, { now }));

  it('reads a triad with a member down and a vendor daemon down as degraded', () => {
    assert.deepEqual(
      snapshot.server.members.map((member) => [member.host, member.up, member.master]),
      [
        ['alpha', true, true],
        ['beta', true, false],
        ['gamma', false, false],
      ],
    );
    assert.deepEqual(
      snapshot.server.vendorDaemons.map((daemon) => [daemon.name, daemon.up, daemon.error]),
      [
        ['cadence', true, null],
        ['theorem', false, 'The desired vendor daemon is down. (-97,121)'],
      ],
    );
    assert.equal(serverStatusOf(snapshot), 'degraded');
  });

  it('splits identities with spaces and colons, and counts licenses, lingers, reservations and queues', () => {
    const virtuoso = featureOf(snapshot, 'Virtuoso');
    assert.deepEqual(
      [virtuoso.issued, virtuoso.inUse, virtuoso.checkedOut, virtuoso.reservations, virtuoso.queued],
      [10, 6, 3, 2, 3],
    );
    assert.deepEqual(virtuoso.blocks, [{ version: 'v23.1', kind: 'floating', expiresAt: '2026-12-31' }]);
    const [quantenna, jdoe] = snapshot.sessions;
    assert.deepEqual(
      quantenna && [quantenna.user, quantenna.host, quantenna.display, quantenna.identity, quantenna.count],
      ['Quantenna FAE4', 'ws-12', ':0.0', 'Quantenna FAE4 ws-12 :0.0', 2],
    );
    assert.deepEqual(jdoe && [jdoe.user, jdoe.host, jdoe.display, jdoe.lingerSeconds, jdoe.handle], [
      'jdoe',
      'ws-7',
      'ws-7:1',
      3600,
      '102',
    ]);
    assert.equal(snapshot.unknownLines, 1);
  });

  it('infers the year so no start lies after the header: last year’s 31 December, the last 29 February', () => {
    const starts = Object.fromEntries(
      snapshot.sessions.map((session) => [session.handle, session.startedAt]),
    );
    assert.deepEqual(starts, {
      '101': '2023-12-31T23:50:00',
      '102': '2024-01-02T08:01:00',
      '104': '2020-02-29T10:00:00',
      '105': '2024-01-01T07:00:00',
    });
  });

  it('reads singular totals, node-locked and uncounted blocks, and permanent expiries', () => {
    const spectre = featureOf(snapshot, 'Spectre');
    assert.deepEqual(
      [spectre.issued, spectre.inUse, spectre.blocks[0]?.kind, spectre.blocks[0]?.expiresAt],
      [1, 1, 'nodelocked', null],
    );
    const viewer = featureOf(snapshot, 'Viewer');
    assert.deepEqual(
      [viewer.issued, viewer.checkedOut, viewer.blocks[0]?.kind, viewer.blocks[0]?.expiresAt],
      [null, 1, 'uncounted', null],
    );
  });

  it('reads the same output saved as UTF-16LE with a BOM and CRLF line ends', () => {
    const windows = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(lmstatCases.join('\r\n'), 'utf16le'),
    ]);
    assert.deepEqual(parseLmstat(decodeUtilityOutput(windows), { now }), parseLmstat(text, { now }));
  });

  it('whole-query errors: unreachable for -15/-96, query_failed for others; garbage is parse_error', () => {
    const header = 'Flexible License Manager status on Tue 1/2/2024 9:15\n\n';
    const outcomeOf = (body: string) => {
      const result = parseLmstat(header + body, { now });
      return result.ok ? 'ok' : result.outcome;
    };
    assert.equal(
      outcomeOf(
        'Error getting status: Cannot connect to license server system. (-15,10:10061 "WinSock: Connection refused")',
      ),
      'unreachable',
    );
    assert.equal(
      outcomeOf('Error getting status: License server machine is down or not responding. (-96,7)'),
      'unreachable',
    );
    assert.equal(
      outcomeOf('Error getting status: Cannot read data from license server system. (-16,287)'),
      'query_failed',
    );
    assert.equal(
      outcomeOf(
        'License server status: 1@a,1@b\n\na: Cannot connect to license server system. (-15,570:111 "Connection refused")\nb: Cannot connect to license server system. (-15,570:111 "Connection refused")\n',
      ),
      'unreachable',
    );
    const garbage = parseLmstat('segmentation fault\n\u0000\u0001', { now });
    assert.equal(!garbage.ok && garbage.outcome, 'parse_error');
  });
});

describe('rlmstat variations', () => {
  it('a product in several pools (tabs), a token pool, an ISV not running, denials and a roaming checkout', () => {
    const text = [
      'rlmutil v15.2',
      'Copyright (C) 2006-2023, Reprise Software, Inc. All rights reserved.',
      '',
      '\trlm status on RLMHOST (port 5053), up 5d 14:26:14',
      '\trlm software version v15.2 (build:2)',
      '\tRecent Statistics (00:10:00), init time: Sun Mar 31 02:32:16 2024',
      '\t--------- ISV servers ----------',
      '\t   Name           Port Running Restarts',
      '\tfoundry          49679   Yes      0',
      '\tother            49680   No       3',
      '\t------------------------',
      '\tfoundry ISV server status on RLMHOST (port 49679), up 5d 14:26:14',
      '\tfoundry software version v15.2 (build: 2)',
      '\tDenials:     2 (0/sec)           7 (0/sec)          40 (0/sec)',
      '\tfoundry license pool status on RLMHOST (port 49679)',
      '\tnuke_r v2024.0701, pool: 10',
      '\t\tcount: 5, # reservations: 1, inuse: 2, exp: permanent',
      '\t\tobsolete: 0, min_remove: 120, total checkouts: 30',
      '\tnuke_r v2024.0701, pool: 12',
      '\t\tcount: 3, # reservations: 0, inuse: 1, exp: 1-jul-2027',
      '\t360 v2013.1',
      '\t\tToken-based license',
      '\tfoundry license usage status on RLMHOST (port 49679)',
      '\tnuke_r v2024.0701: first.last@ws-1 1/0 at 03/31 02:40  (handle: 2ae5)',
      '\tnuke_r v2024.0701: roamer@laptop 1/0 at 03/30 18:00  (handle: 2ae6) roam',
      '',
    ].join('\n');
    const snapshot = snapshotOf(parseRlmstat(text, { now }));
    const nuke = featureOf(snapshot, 'nuke_r');
    assert.deepEqual(
      [nuke.issued, nuke.inUse, nuke.reservations, nuke.checkedOut, nuke.blocks.length],
      [8, 3, 1, 2, 2],
    );
    assert.deepEqual(
      nuke.blocks.map((block) => block.expiresAt),
      [null, '2027-07-01'],
    );
    assert.deepEqual(
      snapshot.server.vendorDaemons.map((daemon) => [daemon.name, daemon.up]),
      [
        ['foundry', true],
        ['other', false],
      ],
    );
    assert.equal(serverStatusOf(snapshot), 'degraded');
    assert.equal(snapshot.denialsToday, 7);
    assert.deepEqual(
      snapshot.sessions.map((session) => [session.user, session.startedAt, session.borrowed ?? false]),
      [
        ['first.last', '2024-03-31T02:40:00', false],
        ['roamer', '2024-03-30T18:00:00', true],
      ],
    );
  });

  it('an error line is query_failed; text without any section is parse_error', () => {
    const failed = parseRlmstat('rlmutil v15.2\nError: bad ISV name "x"\n', { now });
    assert.equal(!failed.ok && failed.outcome, 'query_failed');
    const empty = parseRlmstat('hello\n', { now });
    assert.equal(!empty.ok && empty.outcome, 'parse_error');
  });
});

describe('parser helpers', () => {
  it('expiries: dates, year 0 and permanent forms', () => {
    assert.equal(parseExpiry('30-dec-2025'), '2025-12-30');
    assert.equal(parseExpiry('1-jan-0'), null);
    assert.equal(parseExpiry('01-jan-0000'), null);
    assert.equal(parseExpiry('permanent(no expiration date)'), null);
    assert.equal(parseExpiry('31-feb-2025'), undefined);
  });

  it('start stamps: same year unless that would be after the reference', () => {
    const reference = { year: 2025, month: 3, day: 1, hour: 12, minute: 0 };
    assert.equal(inferStart({ month: 3, day: 1, hour: 11, minute: 59 }, reference), '2025-03-01T11:59:00');
    assert.equal(inferStart({ month: 3, day: 1, hour: 12, minute: 1 }, reference), '2024-03-01T12:01:00');
    assert.equal(inferStart({ month: 2, day: 29, hour: 8, minute: 0 }, reference), '2024-02-29T08:00:00');
  });

  it('localized start stamps: day-first dates, other weekday names, and the weekday settling an ambiguous date', () => {
    const capture = (header: string, stamps: string[]) =>
      snapshotOf(
        parseLmstat(
          [
            header,
            'License server status: 27000@alpha',
            'alpha: license server UP (MASTER) v11.19.2',
            'Feature usage info:',
            'Users of Virtuoso:  (Total of 10 licenses issued;  Total of 3 licenses in use)',
            '  "Virtuoso" v23.1, vendor: cadence, expiry: 31-dec-2027',
            '  floating license',
            ...stamps.map(
              (stamp, index) => `    ana ws-1 /dev/tty (v23.1) (alpha/27000 ${101 + index}), start ${stamp}`,
            ),
          ].join('\r\n'),
          { now },
        ),
      ).sessions.map((session) => session.startedAt);
    // A German Windows: `Mo 23.11.2026`, stamps `Fr 20.11. 17:30`.
    assert.deepEqual(
      capture('Flexible License Manager status on Mo 23.11.2026 9:15', ['Mo 23.11. 8:01', 'Fr 20.11. 17:30']),
      ['2026-11-23T08:01:00', '2026-11-20T17:30:00'],
    );
    // A French one, day-first with slashes: the header's order reads the stamps (6 November, not 11 June).
    assert.deepEqual(
      capture('Flexible License Manager status on lun. 23/11/2026 9:15', [
        'ven. 6/11 10:00',
        'mer. 24/12 8:00',
      ]),
      ['2026-11-06T10:00:00', '2025-12-24T08:00:00'],
    );
    // No header: month-first by default, but a Thursday 5/11 can only be 5 November 2026 (11 May was a Monday).
    const undated = parseLmstat(
      [
        'License server status: 27000@alpha',
        'alpha: license server UP (MASTER) v11.19.2',
        'Feature usage info:',
        'Users of Virtuoso:  (Total of 10 licenses issued;  Total of 2 licenses in use)',
        '    ana ws-1 /dev/tty (v23.1) (alpha/27000 101), start Thu 5/11 9:00',
        '    bo ws-2 /dev/tty (v23.1) (alpha/27000 102), start Mon 5/11 9:00',
      ].join('\n'),
      { now: new Date('2026-11-23T12:00:00Z') },
    );
    assert.deepEqual(
      snapshotOf(undated).sessions.map((session) => session.startedAt),
      ['2026-11-05T09:00:00', '2026-05-11T09:00:00'],
    );
    // An ISO header.
    assert.deepEqual(capture('Flexible License Manager status on 2026-11-23 09:15', ['Sun 11/22 23:00']), [
      '2026-11-22T23:00:00',
    ]);
  });

  it('identities: Windows host twice, queued version token, two tokens', () => {
    assert.deepEqual(splitIdentity('John Smith PC-01 PC-01'), {
      user: 'John Smith',
      host: 'PC-01',
      display: 'PC-01',
    });
    assert.deepEqual(splitIdentity('user3 server6u065 fj209fj0 2017.06', 'v2017.06'), {
      user: 'user3',
      host: 'server6u065',
      display: 'fj209fj0',
    });
    assert.deepEqual(splitIdentity('user11 server19'), { user: 'user11', host: 'server19', display: '' });
  });
});
