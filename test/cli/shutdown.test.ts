// SIGTERM under load answers every request it received: 50 activations in flight, the signal sent as the first
// answer arrives; each request gets an HTTP answer (2xx, or 503 with Retry-After once draining), none a reset;
// the process exits 0; and after a restart on the same storage every acknowledged activation is there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ServedCli, serveCli, signInAsOwner } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`graceful shutdown under load (${dialect})`, () => {
    let storage: TestDatabase;
    let server: ServedCli;
    let licenseKey: string;
    let licenseId: string;

    before(async () => {
      storage = await freshDatabase(dialect, { migrate: false });
      server = await serveCli(storage.serverEnv);
      const call = await signInAsOwner(server.url);
      const product = await call('POST', '/v1/products', { code: 'drain', name: 'Drain' });
      const policy = await call('POST', '/v1/policies', {
        productId: product.body.id,
        code: 'std',
        name: 'Std',
        maxMachines: 100,
      });
      const license = await call('POST', '/v1/licenses', { policyId: policy.body.id });
      assert.equal(license.status, 201);
      licenseKey = license.body.key as string;
      licenseId = license.body.id as string;
    });
    after(async () => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await storage.dispose();
    });

    it('50 requests in flight at SIGTERM each get an answer, and every 2xx is durable', async () => {
      let signalled = false;
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, index) => {
          const fingerprint = `fp-drain-${index}`;
          try {
            const res = await fetch(`${server.url}/v1/client/activate`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ licenseKey, fingerprint }),
            });
            if (!signalled) {
              signalled = true;
              server.child.kill('SIGTERM');
            }
            const body = (await res.json()) as { status?: number; code?: string };
            return { fingerprint, status: res.status, retryAfter: res.headers.get('retry-after'), body };
          } catch (error) {
            return { fingerprint, error: String((error as Error).cause ?? error) };
          }
        }),
      );
      const failures = answers.filter((answer) => 'error' in answer);
      assert.deepEqual(failures, [], 'requests without an HTTP answer');
      const statuses = new Map<number, number>();
      for (const answer of answers) {
        if (!('status' in answer)) continue;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        assert.ok([200, 201, 503].includes(answer.status), `${answer.fingerprint}: ${answer.status}`);
        if (answer.status === 503) {
          assert.equal(answer.body.code, 'SERVICE_UNAVAILABLE');
          assert.ok(answer.retryAfter);
        }
      }
      assert.equal(await server.exited, 0);
      const acknowledged = answers
        .filter((answer) => 'status' in answer && answer.status < 300)
        .map((answer) => answer.fingerprint);
      assert.ok(acknowledged.length > 0, `answers: ${JSON.stringify([...statuses])}`);

      server = await serveCli(storage.serverEnv);
      const call = await signInAsOwner(server.url);
      const machines = await call('GET', `/v1/machines?licenseId=${licenseId}&limit=200`);
      const stored = new Set((machines.body.data as { fingerprint: string }[]).map((row) => row.fingerprint));
      for (const fingerprint of acknowledged)
        assert.ok(stored.has(fingerprint), `${fingerprint} was acknowledged`);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    });
  });
}
