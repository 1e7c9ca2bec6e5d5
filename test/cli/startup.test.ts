// A start that cannot serve exits non-zero at once, on both engines, so a supervisor sees it and restarts or
// alerts: a wrong CHARTER_SECRET_KEY (78), a host without the key of a database that holds sealed values (78,
// and no key file is made). The SQLite file is created for its owner only, as secret.key beside it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

const key = () => randomBytes(32).toString('hex');

/** Runs `charter serve` until it listens (then stops it with SIGTERM) or exits by itself within 30 s. */
const serve = (env: Record<string, string>) =>
  new Promise<{ listened: boolean; code: number | null; stderr: string; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const child = startCli(['serve'], { PORT: '0', CHARTER_LOG_LEVEL: 'info', ...env });
    let stdout = '';
    let stderr = '';
    let listened = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve neither listened nor exited in 30 s: ${stderr}`));
    }, 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!listened && /Server listening at/.test(stdout)) {
        listened = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ listened, code, stderr: stderr + stdout, ms: Date.now() - started });
    });
  });

for (const dialect of dialects()) {
  describe(`start-up fails fast (${dialect})`, () => {
    let storage: TestDatabase;
    const firstKey = key();

    before(async () => {
      storage = await freshDatabase(dialect, { migrate: false });
      const first = await serve({ ...storage.serverEnv, CHARTER_SECRET_KEY: firstKey });
      assert.ok(first.listened, first.stderr);
      assert.equal(first.code, 0, first.stderr);
    });
    after(() => storage.dispose());

    it('a wrong CHARTER_SECRET_KEY exits 78 naming the variable, without listening', async () => {
      const wrong = await serve({ ...storage.serverEnv, CHARTER_SECRET_KEY: key() });
      assert.equal(wrong.listened, false);
      assert.equal(wrong.code, 78, wrong.stderr);
      assert.match(wrong.stderr, /CHARTER_SECRET_KEY: A sealed value does not open with this secret key/);
    });

    it('the right key starts again', async () => {
      const again = await serve({ ...storage.serverEnv, CHARTER_SECRET_KEY: firstKey });
      assert.ok(again.listened, again.stderr);
      assert.equal(again.code, 0);
    });

    if (dialect === 'postgres') {
      it('a host without the key of a database holding sealed values exits 78 and makes no key file', async () => {
        const otherHost = mkdtempSync(path.join(tmpdir(), 'charter-host-'));
        const result = await serve({ ...storage.serverEnv, CHARTER_DATA_DIR: otherHost });
        assert.equal(result.listened, false);
        assert.equal(result.code, 78, result.stderr);
        assert.match(result.stderr, /set CHARTER_SECRET_KEY to the key of the other hosts/);
        assert.equal(existsSync(path.join(otherHost, 'secret.key')), false);
      });
    }

    if (dialect === 'sqlite') {
      it('the SQLite file is created readable by its owner only', () => {
        const file = path.join(storage.dataDir, 'charter.db');
        assert.equal(statSync(file).mode & 0o777, 0o600);
      });
    }
  });
}
