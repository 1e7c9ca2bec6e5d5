// charter serve --workers N: N server processes on one port (PostgreSQL). Both serve; a floating license's seats
// stay exact when checkouts land on different processes at once; a worker killed with SIGKILL is replaced while
// the other keeps answering; SIGTERM to the primary stops them all with exit 0. On SQLite it refuses to start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, type ServedCli, serveCli, signInAsOwner } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

/** The primary's child processes (Linux /proc); none once it has exited. */
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

const until = async (check: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

describe('charter serve --workers 2 (postgres)', {
  skip: !dialects().includes('postgres') && 'PostgreSQL is not configured',
}, () => {
  let storage: TestDatabase;
  let server: ServedCli;
  let primary: number;

  before(async () => {
    storage = await freshDatabase('postgres', { migrate: false });
    server = await serveCli(storage.serverEnv, ['--workers', '2']);
    primary = server.child.pid as number;
    await until(() => childrenOf(primary).length === 2, 'two workers');
  });
  after(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const pid of childrenOf(primary)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await storage.dispose();
  });

  it('two processes serve one port, and 12 devices racing for 3 floating seats across them get exactly 3', async () => {
    const call = await signInAsOwner(server.url);
    const product = await call('POST', '/v1/products', { code: 'workers', name: 'Workers' });
    const policy = await call('POST', '/v1/policies', {
      productId: product.body.id,
      code: 'float',
      name: 'Float',
      floating: true,
      maxMachines: 3,
    });
    const license = await call('POST', '/v1/licenses', { policyId: policy.body.id });
    assert.equal(license.status, 201);
    // A new connection each: the primary hands connections to the workers in turn.
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const res = await fetch(`${server.url}/v1/client/checkout`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ licenseKey: license.body.key, fingerprint: `device-${index}` }),
        });
        return { status: res.status, body: (await res.json()) as { code?: string } };
      }),
    );
    assert.equal(answers.filter((answer) => answer.status === 201).length, 3, JSON.stringify(answers));
    assert.deepEqual(
      [...new Set(answers.filter((answer) => answer.status !== 201).map((answer) => answer.body.code))],
      ['FLOATING_NOT_AVAILABLE'],
    );
    const leases = await call('GET', `/v1/leases?licenseId=${license.body.id}`);
    assert.equal((leases.body.data as unknown[]).length, 3, 'three live seats in the database');
  });

  it('a worker killed with SIGKILL is replaced, and the server answers meanwhile', async () => {
    const [victim, survivor] = childrenOf(primary);
    assert.ok(victim && survivor);
    process.kill(victim, 'SIGKILL');
    // Once the primary has seen it die (and reaped it) it hands no more connections to it (one handed over in the
    // instant before is reset, as with any crashed server); the other worker answers while the replacement starts.
    await until(() => !childrenOf(primary).includes(victim), 'the primary to see the death');
    for (let n = 0; n < 5; n++) {
      const res = await fetch(`${server.url}/readyz`, { headers: { connection: 'close' } });
      assert.equal(res.status, 200);
    }
    assert.ok(!childrenOf(primary).includes(victim));
    await until(() => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(victim) && now.includes(survivor);
    }, 'a replacement worker');
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 200);
  });

  it('SIGTERM to the primary stops every worker and exits 0', async () => {
    const workers = childrenOf(primary);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), 'the worker is gone');
  });
});

describe('charter serve --workers 2 (sqlite)', () => {
  let storage: TestDatabase;
  before(async () => {
    storage = await freshDatabase('sqlite', { migrate: false });
  });
  after(() => storage.dispose());

  it('refuses to start on SQLite (one writer process), exit 78, and says why', async () => {
    const result = await runCli(['serve', '--workers', '2'], { ...storage.serverEnv, PORT: '0' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /--workers 2 needs PostgreSQL \(DATABASE_URL\)/);
  });

  it('rejects a count that is not a whole number from 1 to 64, exit 2', async () => {
    const result = await runCli(['serve', '--workers', 'many'], { ...storage.serverEnv, PORT: '0' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--workers takes a whole number from 1 to 64, not 'many'/);
  });
});
