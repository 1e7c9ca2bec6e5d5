// charter monitor add|list|poll, run as a user runs it, on SQLite and PostgreSQL, with a stand-in lmutil.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { standIn } from '../support/monitor.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`charter monitor (${dialect})`, () => {
    let storage: TestDatabase;
    let dir: string;
    let env: Record<string, string>;

    before(async () => {
      storage = await freshDatabase(dialect);
      dir = mkdtempSync(path.join(tmpdir(), 'charter-monitor-cli-'));
      env = { ...storage.serverEnv, CHARTER_LMUTIL: standIn(dir).script, CHARTER_LOG_LEVEL: 'warn' };
    });
    after(async () => {
      await storage.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('adds a server, lists it, and polls it into a table of features with utilization', async () => {
      const added = await runCli(
        ['monitor', 'add', '--name', 'Cadence', '--kind', 'flexlm', '--address', '27000@ok.example'],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      const id = added.stdout.split('\t')[0] ?? '';
      assert.match(id, /^srv_/);
      const listed = await runCli(['monitor', 'list'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`${id}\\s+Cadence\\s+flexlm\\s+27000@ok.example\\s+unknown`));
      const polled = await runCli(['monitor', 'poll', id], env);
      assert.equal(polled.code, 0, polled.stderr);
      assert.match(polled.stdout, /^poll_\S+ {2}ok {2}\d+ ms/);
      assert.match(polled.stdout, /Virtuoso\s+cadence\s+4\s+3\s+75%/);
      assert.match(polled.stdout, /Spectre\s+cadence\s+2\s+0\s+0%/);
    });

    it('a bad address is refused (exit 2) and a failing poll exits 1 with its code', async () => {
      const refused = await runCli(
        ['monitor', 'add', '--name', 'x', '--kind', 'flexlm', '--address', 'lic1:27000'],
        env,
      );
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /address: must be port@host/);
      const added = await runCli(
        ['monitor', 'add', '--name', 'down', '--kind', 'flexlm', '--address', '1@down.example'],
        env,
      );
      const failed = await runCli(['monitor', 'poll', added.stdout.split('\t')[0] ?? ''], env);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /LICENSE_SERVER_UNREACHABLE/);
    });
  });
}
