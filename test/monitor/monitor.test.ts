// The monitor through HTTP on both engines, with stand-in utilities this test writes: a script that prints a status
// by address (a sample, a connection error with exit 1, garbage, a hang past the timeout) and a missing binary.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recentEvents } from '../../src/events/service.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { managementCalls } from '../support/calls.js';
import { expectError } from '../support/expect-error.js';
import { addMonitoredServer, fixturesSkip, standIn } from '../support/monitor.js';
import { dialects } from '../support/services.js';

interface Poll {
  id: string;
  outcome: string;
  rawOutput: string | null;
  snapshot: { features: { name: string }[] } | null;
}

for (const dialect of dialects()) {
  describe(`license monitor (${dialect})`, () => {
    let t: TestApp;
    let admin: string;
    let dir: string;
    let logDir: string;
    let utility: ReturnType<typeof standIn>;
    const call = managementCalls(
      () => t,
      () => admin,
    );

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'charter-monitor-'));
      logDir = mkdtempSync(path.join(tmpdir(), 'charter-logs-'));
      utility = standIn(dir);
      t = await withApp({
        dialect,
        now: new Date('2026-11-23T10:00:00Z'),
        config: {
          CHARTER_LMUTIL: utility.script,
          CHARTER_RLMUTIL: path.join(dir, 'no-such-rlmutil'),
          CHARTER_MONITOR_LOG_DIR: logDir,
        },
      });
      admin = (await createKey(t, ['admin'])).secret;
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(logDir, { recursive: true, force: true });
    });

    const addServer = (host: string, extra: Record<string, unknown> = {}) =>
      addMonitoredServer(call, host, extra);
    const poll = (id: string) => call('POST', `/v1/monitor/servers/${id}/poll`);

    it('a server is registered with monitor.md’s defaults, and answers status unknown before any poll', async () => {
      const server = await addServer('ok.example');
      const read = (await call('GET', `/v1/monitor/servers/${server.id}`)).json() as Record<string, unknown>;
      assert.deepEqual(
        [read.kind, read.pollSeconds, read.timeoutSeconds, read.enabled, read.status, read.lastError],
        ['flexlm', 300, 30, true, 'unknown', null],
      );
      const status = (await call('GET', `/v1/monitor/servers/${server.id}/status`)).json() as {
        server: { status: string };
        snapshot: unknown;
      };
      assert.deepEqual([status.server.status, status.snapshot], ['unknown', null]);
    });

    it('addresses other than port@host (or a triad) are refused before anything runs', async () => {
      for (const address of [
        '27000@lic1; rm -rf /',
        'lic1:27000',
        '27000@a,27000@b,27000@c,27000@d',
        '-c@x',
        '$(id)@x',
      ]) {
        expectError(
          await call('POST', '/v1/monitor/servers', { name: 'bad', kind: 'flexlm', address }),
          400,
          'VALIDATION_ERROR',
        );
      }
      assert.equal(
        (
          await call('POST', '/v1/monitor/servers', {
            name: 'triad',
            kind: 'rlm',
            address: '5053@a,5053@b,5053@c',
          })
        ).statusCode,
        201,
      );
      expectError(
        await call('POST', '/v1/monitor/servers', {
          name: 'x',
          kind: 'flexlm',
          address: '1@x',
          pollSeconds: 10,
        }),
        400,
        'VALIDATION_ERROR',
      );
    });

    it('a poll runs `lmstat -a -c <address>`, stores the snapshot and answers features and sessions', async () => {
      const server = await addServer('ok.example');
      const res = await poll(server.id);
      assert.equal(res.statusCode, 200, res.body);
      const result = res.json() as Poll;
      assert.equal(result.outcome, 'ok');
      assert.deepEqual(
        result.snapshot?.features.map((feature) => feature.name),
        ['Virtuoso', 'Spectre'],
      );
      assert.ok(utility.calls().includes('lmstat -a -c 27000@ok.example'));
      const status = (await call('GET', `/v1/monitor/servers/${server.id}/status`)).json() as {
        server: { status: string; lastPollAt: string };
        snapshot: { sessions: unknown[] };
      };
      assert.deepEqual([status.server.status, status.snapshot.sessions.length], ['up', 2]);
      const features = (await call('GET', `/v1/monitor/features?serverId=${server.id}`)).json() as {
        data: {
          feature: string;
          issued: number;
          inUse: number;
          checkedOut: number;
          utilization: number;
          peakToday: number;
        }[];
      };
      assert.deepEqual(
        features.data.map((feature) => [
          feature.feature,
          feature.issued,
          feature.inUse,
          feature.checkedOut,
          feature.utilization,
          feature.peakToday,
        ]),
        // By server, then feature name.
        [
          ['Spectre', 2, 0, 0, 0, 0],
          ['Virtuoso', 4, 3, 3, 75, 3],
        ],
      );
      // The list convention: limit and cursor walk the same list a page at a time.
      const first = (await call('GET', `/v1/monitor/features?serverId=${server.id}&limit=1`)).json() as {
        data: { feature: string }[];
        nextCursor: string | null;
      };
      assert.deepEqual(
        first.data.map((feature) => feature.feature),
        ['Spectre'],
      );
      assert.ok(first.nextCursor);
      const second = (
        await call('GET', `/v1/monitor/features?serverId=${server.id}&limit=1&cursor=${first.nextCursor}`)
      ).json() as { data: { feature: string }[]; nextCursor: string | null };
      assert.deepEqual(
        [second.data.map((feature) => feature.feature), second.nextCursor],
        [['Virtuoso'], null],
      );
      const allSessions = (await call('GET', `/v1/monitor/sessions?serverId=${server.id}`)).json() as {
        data: { user: string }[];
        nextCursor: string | null;
      };
      assert.equal(allSessions.nextCursor, null);
      const pagedSessions: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (
          await call(
            'GET',
            `/v1/monitor/sessions?serverId=${server.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          )
        ).json() as { data: { user: string }[]; nextCursor: string | null };
        assert.ok(page.data.length <= 1);
        pagedSessions.push(...page.data.map((session) => session.user));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        pagedSessions,
        allSessions.data.map((session) => session.user),
      );
      expectError(await call('GET', '/v1/monitor/denials?limit=0'), 400, 'VALIDATION_ERROR');
      expectError(await call('GET', '/v1/monitor/sessions?cursor=nonsense'), 400, 'INVALID_QUERY');
      const sessions = (await call('GET', `/v1/monitor/sessions?serverId=${server.id}&user=ana`)).json() as {
        data: { user: string; host: string; count: number; startedAt: string; serverId: string }[];
      };
      assert.deepEqual(
        sessions.data.map((session) => [
          session.user,
          session.host,
          session.count,
          session.startedAt,
          session.serverId,
        ]),
        [['ana', 'ws-1', 2, '2026-11-23T08:01:00', server.id]],
      );
      const history = (await call('GET', `/v1/monitor/polls?serverId=${server.id}`)).json() as {
        data: { id: string; outcome: string }[];
      };
      assert.deepEqual(
        history.data.map((entry) => [entry.id, entry.outcome]),
        [[result.id, 'ok']],
      );
    });

    it('an unreachable server answers 502 LICENSE_SERVER_UNREACHABLE with the poll, and is down after three', async () => {
      const server = await addServer('down.example');
      for (let round = 1; round <= 3; round++) {
        const error = expectError(await poll(server.id), 502, 'LICENSE_SERVER_UNREACHABLE');
        const details = error.details as { pollId: string; server: string; exitCode: number };
        assert.match(details.pollId, /^poll_/);
        assert.deepEqual([details.server, details.exitCode], [server.id, 1]);
        const read = (await call('GET', `/v1/monitor/servers/${server.id}`)).json() as {
          status: string;
          lastError: { code: string } | null;
        };
        assert.equal(read.status, round < 3 ? 'unknown' : 'down');
        assert.equal(read.lastError?.code, 'LICENSE_SERVER_UNREACHABLE');
      }
      const down = await recentEvents(t.db.kysely, { type: 'monitor.server_down', limit: 10 });
      assert.equal(
        down.filter((event) => (event.data.object as { serverId: string }).serverId === server.id).length,
        1,
      );
      // Back: the next success makes it up again and says so.
      assert.equal(
        (await call('PATCH', `/v1/monitor/servers/${server.id}`, { address: '27000@ok.example' })).statusCode,
        200,
      );
      assert.equal((await poll(server.id)).statusCode, 200);
      assert.equal(
        ((await call('GET', `/v1/monitor/servers/${server.id}`)).json() as { status: string }).status,
        'up',
      );
      const up = await recentEvents(t.db.kysely, { type: 'monitor.server_up', limit: 10 });
      assert.equal(
        up.filter((event) => (event.data.object as { serverId: string }).serverId === server.id).length,
        1,
      );
    });

    it('output that is no status answers 500 LICENSE_PARSE_ERROR, keeps the raw output, and strips secrets from the answer', async () => {
      const server = await addServer('garbage.example');
      const error = expectError(await poll(server.id), 500, 'LICENSE_PARSE_ERROR');
      const details = error.details as { pollId: string; stderr: string };
      assert.match(details.stderr, /key=\[redacted\]/);
      const stored = (await call('GET', `/v1/monitor/polls/${details.pollId}`)).json() as Poll;
      assert.deepEqual([stored.outcome, stored.snapshot], ['parse_error', null]);
      assert.match(stored.rawOutput ?? '', /nothing here is a status/);
      assert.equal(
        ((await call('GET', `/v1/monitor/servers/${server.id}`)).json() as { status: string }).status,
        'error',
      );
    });

    it('a missing utility answers 500 COMMAND_EXECUTION_FAILED', async () => {
      const res = await call('POST', '/v1/monitor/servers', {
        name: 'rlm',
        kind: 'rlm',
        address: '5053@rlm.example',
      });
      const server = res.json() as { id: string };
      const error = expectError(await poll(server.id), 500, 'COMMAND_EXECUTION_FAILED');
      assert.match(error.message, /could not be started: ENOENT/);
    });

    it('a hung utility is killed at the timeout (504 COMMAND_TIMEOUT) and never delays another server', async () => {
      const slow = await addServer('slow.example', { timeoutSeconds: 1 });
      const fast = await addServer('ok.example');
      const finished: string[] = [];
      const [slowAnswer] = await Promise.all([
        poll(slow.id).then((res) => {
          finished.push('slow');
          return res;
        }),
        poll(fast.id).then((res) => {
          finished.push('fast');
          return res;
        }),
      ]);
      assert.deepEqual(finished, ['fast', 'slow']);
      expectError(slowAnswer, 504, 'COMMAND_TIMEOUT');
      const pid = Number(readFileSync(path.join(dir, 'slow.pid'), 'utf8'));
      assert.throws(() => process.kill(pid, 0), /ESRCH/);
    });

    it('two polls of one server at once run the utility once and answer the same poll', async () => {
      // The stand-in takes 0.3 s for this host, so the three requests surely meet one poll in flight.
      const server = await addServer('busy2.example', { name: 'joined' });
      const before = utility.calls().length;
      const answers = await Promise.all([poll(server.id), poll(server.id), poll(server.id)]);
      const ids = answers.map((res) => (res.json() as Poll).id);
      assert.equal(new Set(ids).size, 1);
      assert.equal(utility.calls().length, before + 1);
    });

    it('two processes asked to poll one server at once run the utility once and answer the same poll', async () => {
      const server = await addServer('busy1.example', { name: 'shared' });
      const other = await t.sibling();
      const before = utility.calls().length;
      const answers = await Promise.all([
        poll(server.id),
        other.inject({
          method: 'POST',
          url: `/v1/monitor/servers/${server.id}/poll`,
          headers: { authorization: `Bearer ${admin}` },
        }),
      ]);
      assert.deepEqual(
        answers.map((res) => res.statusCode),
        [200, 200],
      );
      const ids = answers.map((res) => (res.json() as Poll).id);
      assert.equal(ids[0], ids[1]);
      assert.equal(utility.calls().length, before + 1);
      // The claim is let go with the poll: the next request polls again.
      assert.notEqual(((await poll(server.id)).json() as Poll).id, ids[0]);
    });

    it('keeps the raw output of only the last 20 successful polls of a server', async () => {
      const server = await addServer('ok.example', { name: 'retention' });
      const ids: string[] = [];
      for (let round = 0; round < 21; round++) {
        ids.push(((await poll(server.id)).json() as Poll).id);
        t.clock.advance(1000);
      }
      const first = (await call('GET', `/v1/monitor/polls/${ids[0]}`)).json() as Poll;
      const second = (await call('GET', `/v1/monitor/polls/${ids[1]}`)).json() as Poll;
      assert.deepEqual([first.rawOutput, typeof second.rawOutput], [null, 'string']);
    });

    it('denials are read from the FlexLM debug log inside CHARTER_MONITOR_LOG_DIR, new lines only, across rotation', async () => {
      const log = path.join(logDir, 'cadence.dlog');
      writeFileSync(
        log,
        [
          '10:00:00 (lmgrd) TIMESTAMP 11/23/2026',
          '10:01:02 (cadence) OUT: "Virtuoso" ana@ws-1  ',
          '10:02:03 (cadence) DENIED: "Virtuoso" bo@ws-2  (Licensed number of users already reached. (-4,342))',
          '',
        ].join('\n'),
      );
      const outside = mkdtempSync(path.join(tmpdir(), 'charter-outside-'));
      writeFileSync(path.join(outside, 'x.log'), '');
      symlinkSync(path.join(outside, 'x.log'), path.join(logDir, 'sneaky.log'));
      for (const debugLogPath of [
        path.join(outside, 'x.log'),
        path.join(logDir, 'sneaky.log'),
        path.join(logDir, 'missing.log'),
      ]) {
        expectError(
          await call('POST', '/v1/monitor/servers', {
            name: 'x',
            kind: 'flexlm',
            address: '1@ok.example',
            debugLogPath,
          }),
          400,
          'VALIDATION_ERROR',
        );
      }
      rmSync(outside, { recursive: true, force: true });
      const server = await addServer('ok.example', { name: 'with log', debugLogPath: log });
      const denialsOf = async () => {
        const features = (await call('GET', `/v1/monitor/features?serverId=${server.id}`)).json() as {
          data: { feature: string; denialsToday: number }[];
        };
        return features.data.find((feature) => feature.feature === 'Virtuoso')?.denialsToday;
      };
      await poll(server.id);
      assert.equal(await denialsOf(), 1);
      await poll(server.id);
      assert.equal(await denialsOf(), 1, 'a line is counted once');
      appendFileSync(
        log,
        '10:05:00 (cadence) DENIED: "Virtuoso" cy@ws-3  (Licensed number of users already reached. (-4,342))\n',
      );
      await poll(server.id);
      assert.equal(await denialsOf(), 2);
      // Rotated: a new file in its place is read from its start.
      renameSync(log, `${log}.1`);
      writeFileSync(
        log,
        '10:06:00 (cadence) DENIED: "Virtuoso" dee@ws-4  (Licensed number of users already reached. (-4,342))\n',
      );
      await poll(server.id);
      assert.equal(await denialsOf(), 3);

      // Counted per feature and user: bo's second refusal, in the new log.
      appendFileSync(
        log,
        '10:07:00 (cadence) DENIED: "Virtuoso" bo@ws-2  (Licensed number of users already reached. (-4,342))\n',
      );
      await poll(server.id);
      const denials = async (query: string) => {
        const res = await call('GET', `/v1/monitor/denials?serverId=${server.id}${query}`);
        assert.equal(res.statusCode, 200, res.body);
        return (
          res.json() as { data: { feature: string; user: string; host: string; count: number }[] }
        ).data.map((row) => [row.feature, row.user, row.host, row.count]);
      };
      assert.deepEqual(await denials(''), [
        ['Virtuoso', 'bo', 'ws-2', 2],
        ['Virtuoso', 'cy', 'ws-3', 1],
        ['Virtuoso', 'dee', 'ws-4', 1],
      ]);
      assert.deepEqual(await denials('&user=BO&feature=Virtuoso'), [['Virtuoso', 'bo', 'ws-2', 2]]);
      assert.deepEqual(await denials('&feature=Spectre'), []);
      expectError(
        await call(
          'GET',
          `/v1/monitor/denials?serverId=${server.id}&from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z`,
        ),
        400,
        'INVALID_QUERY',
      );
      expectError(await call('GET', '/v1/monitor/denials?serverId=srv_missing'), 404, 'NOT_FOUND');
    });

    it('a real lmstat capture from ../shared polls like a live server', { skip: fixturesSkip }, async () => {
      const server = await addServer('fixture.example');
      const res = await poll(server.id);
      assert.equal(res.statusCode, 200, res.body);
      const status = (await call('GET', `/v1/monitor/servers/${server.id}/status`)).json() as {
        server: { status: string };
        snapshot: { features: unknown[] };
      };
      assert.deepEqual([status.server.status, status.snapshot.features.length], ['up', 54]);
    });
  });
}
