// The charter command, run as a user runs it: help, migrate, configuration errors, serve and a graceful stop.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startCli } from '../support/cli.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'charter-cli-'));

describe('charter CLI', () => {
  it('charter --help lists the commands and exits 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: charter <command>/);
    assert.match(result.stdout, /serve/);
    assert.match(result.stdout, /migrate/);
  });

  for (const command of ['serve', 'migrate']) {
    it(`charter ${command} --help prints its usage and exits 0`, async () => {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`Usage: charter ${command}`));
    });
  }

  it('an unknown command or option exits 2 with the usage on stderr', async () => {
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const badOption = await runCli(['migrate', '--colour']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /Unknown option '--colour'/);
  });

  it('charter migrate applies the migrations to the SQLite file, then finds nothing to apply', async () => {
    const dir = dataDir();
    const first = await runCli(['migrate'], { CHARTER_DATA_DIR: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`sqlite:${dir}/charter.db: 0001-meta`));
    const second = await runCli(['migrate'], { CHARTER_DATA_DIR: dir });
    assert.match(second.stdout, /nothing to apply/);
  });

  it('a bad configuration value stops start-up with exit 78 naming the variable', async () => {
    const result = await runCli(['serve'], { PORT: '99999', CHARTER_DATA_DIR: dataDir() });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /PORT: /);
  });

  it('charter serve answers requests and stops cleanly on SIGTERM', async () => {
    const child = startCli(['serve'], { PORT: '0', CHARTER_DATA_DIR: dataDir() });
    let stdout = '';
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`server exited early: ${stdout}`)));
    });
    const url = await listening;
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; requestId?: string });
    assert.ok(lines.some((line) => line.msg === 'stopped'));
    assert.ok(lines.some((line) => line.msg === 'request' && line.requestId?.startsWith('req_')));
  });
});
