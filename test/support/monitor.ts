// Stand-in license utilities for monitor tests: a script, written by the test into a temp dir, that answers
// `lmstat -a -c <address>` by the address's host (a status, a connection error, garbage, a hang, a slow run).

import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { managementCalls } from './calls.js';
import { repoRoot } from './cli.js';

export const sample = [
  'lmutil - Copyright (c) 1989-2023 Flexera. All Rights Reserved.',
  'Flexible License Manager status on Mon 11/23/2026 9:15',
  '',
  'License server status: 27000@lic1',
  'lic1: license server UP (MASTER) v11.19.2',
  '',
  'Vendor daemon status (on lic1):',
  '',
  '  cadence: UP v11.19.2',
  'Feature usage info:',
  '',
  'Users of Virtuoso:  (Total of 4 licenses issued;  Total of 3 licenses in use)',
  '',
  '  "Virtuoso" v23.1, vendor: cadence, expiry: 31-dec-2027',
  '  floating license',
  '',
  '    ana ws-1 /dev/tty (v23.1) (lic1/27000 101), start Mon 11/23 8:01, 2 licenses',
  '    bo ws-2 :0.0 (v23.1) (lic1/27000 102), start Mon 11/23 9:00',
  '',
  'Users of Spectre:  (Total of 2 licenses issued;  Total of 0 licenses in use)',
  '',
].join('\n');

export const fixturesSkip = existsSync(path.resolve(repoRoot, '../shared/fixtures/monitor'))
  ? false
  : 'skipped: ../shared/fixtures/monitor is absent (the shared fixtures are read in place)';

/** The stand-in lmutil: `lmstat -a -c <address>`; what it does depends on the address's host. */
export const standIn = (dir: string) => {
  const samplePath = path.join(dir, 'sample.txt');
  writeFileSync(samplePath, sample);
  const sharedFixture = path.resolve(repoRoot, '../shared/fixtures/monitor/flexlm_exporter__lmstat_app1.txt');
  const script = path.join(dir, 'lmutil');
  writeFileSync(
    script,
    `#!/bin/sh
echo "$*" >> "${path.join(dir, 'calls.log')}"
case "$4" in
  *@ok.example) cat "${samplePath}" ;;
  *@fixture.example) cat "${sharedFixture}" ;;
  *@down.example) echo 'Error getting status: Cannot connect to license server system. (-15,570:111 "Connection refused")'; exit 1 ;;
  *@garbage.example) echo 'license daemon key=s3cret says hello'; echo 'nothing here is a status' ;;
  *@slow.example) echo $$ > "${path.join(dir, 'slow.pid')}"; sleep 30; echo late ;;
  *@varying.example) n=$(cat "${path.join(dir, 'varying.count')}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${path.join(dir, 'varying.count')}"
    printf 'Flexible License Manager status on Mon 11/23/2026 9:15\nLicense server status: 27000@lic1\nlic1: license server UP (MASTER) v11.19.2\nFeature usage info:\nUsers of Virtuoso:  (Total of 10 licenses issued;  Total of %s licenses in use)\n' "$n" ;;
  *@seesaw.example) n=$(cat "${path.join(dir, 'seesaw.count')}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${path.join(dir, 'seesaw.count')}"
    a=$(( (n % 2) * 2 )); b=$(( 2 - a ))
    printf 'Flexible License Manager status on Mon 11/23/2026 9:15\nLicense server status: 27000@lic1\nlic1: license server UP (MASTER) v11.19.2\nFeature usage info:\nUsers of Alpha:  (Total of 2 licenses issued;  Total of %s licenses in use)\nUsers of Beta:  (Total of 2 licenses issued;  Total of %s licenses in use)\n' "$a" "$b" ;;
  *@busy*.example) echo "start $4" >> "${path.join(dir, 'busy.log')}"; sleep 0.3; echo "end $4" >> "${path.join(dir, 'busy.log')}"; cat "${samplePath}" ;;
  *) echo "unexpected $*"; exit 2 ;;
esac
`,
  );
  chmodSync(script, 0o755);
  return {
    script,
    calls: () => readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n'),
    sharedFixture,
  };
};

/** Registers a FlexLM server at `27000@<host>` (the host picks the stand-in's behaviour) through the API. */
export const addMonitoredServer = async (
  call: ReturnType<typeof managementCalls>,
  host: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; status: string }> => {
  const res = await call('POST', '/v1/monitor/servers', {
    name: host,
    kind: 'flexlm',
    address: `27000@${host}`,
    ...extra,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; status: string };
};
