// charter incidents and charter actions, run as a user runs them, on SQLite and PostgreSQL: incidents listed,
// shown, acknowledged and resolved; an action proposed, refused to its proposer, approved by a second operator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/lib/clock.js';
import { evaluateRule } from '../../src/ops/incidents/engine.js';
import { serverDownRule } from '../../src/ops/incidents/rules/server-down.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { standIn } from '../support/monitor.js';
import { dialects } from '../support/services.js';

for (const dialect of dialects()) {
  describe(`charter incidents and actions (${dialect})`, () => {
    let storage: TestDatabase;
    let dir: string;
    let env: Record<string, string>;
    const cli = async (args: string[]) => {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const json = async (args: string[]) =>
      JSON.parse(await cli([...args, '--json'])) as Record<string, unknown>;

    before(async () => {
      storage = await freshDatabase(dialect);
      dir = mkdtempSync(path.join(tmpdir(), 'charter-ops-cli-'));
      env = { ...storage.serverEnv, CHARTER_LMUTIL: standIn(dir).script, CHARTER_LOG_LEVEL: 'warn' };
      const operators: [string, string][] = [
        ['alice@example.com', 'owner'],
        ['bob@example.com', 'admin'],
        ['olga@example.com', 'operator'],
      ];
      for (const [email, role] of operators)
        await cli([
          'operators',
          'create',
          '--email',
          email,
          '--password',
          'correct horse battery',
          '--role',
          role,
        ]);
    });
    after(async () => {
      await storage.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists, shows, acknowledges and resolves an incident, naming the operator given by --as', async () => {
      const added = await cli([
        'monitor',
        'add',
        '--name',
        'eda',
        '--kind',
        'flexlm',
        '--address',
        '27000@down.example',
      ]);
      const serverId = added.split('\t')[0] ?? '';
      for (let index = 0; index < 3; index++) await runCli(['monitor', 'poll', serverId], env);
      // The server's leader evaluates the rules; here the test does it, on the same storage.
      assert.equal((await evaluateRule({ db: storage.db, clock: systemClock }, serverDownRule(3))).opened, 1);
      const table = await cli(['incidents', 'list', '--status', 'open']);
      assert.match(table, /^id\s+status\s+severity\s+kind\s+title/);
      const [incident] = JSON.parse(await cli(['incidents', 'list', '--json'])) as {
        id: string;
        kind: string;
      }[];
      assert.equal(incident?.kind, 'license_server_down');
      const shown = await cli(['incidents', 'show', incident?.id ?? '']);
      assert.match(shown, /opened\s+License server eda/);
      const acknowledged = await json(['incidents', 'ack', incident?.id ?? '', '--as', 'olga@example.com']);
      assert.deepEqual(
        [acknowledged.status, (acknowledged.acknowledgedBy as { name: string }).name],
        ['acknowledged', 'olga@example.com'],
      );
      const resolved = await json(['incidents', 'resolve', incident?.id ?? '', '--note', 'daemon restarted']);
      assert.equal(resolved.status, 'resolved');
      const again = await runCli(['incidents', 'ack', incident?.id ?? ''], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /INVALID_TRANSITION/);
    });

    it('proposes an action, refuses its proposer as approver, and executes it when a second operator approves', async () => {
      await cli(['products', 'create', '--code', 'studio', '--name', 'Studio']);
      const policy = await json([
        'policies',
        'create',
        '--product',
        'studio',
        '--code',
        'yearly',
        '--name',
        'Yearly',
      ]);
      const license = await json(['licenses', 'create', '--policy', String(policy.id)]);
      const params = JSON.stringify({ licenseId: license.id });
      const refused = await runCli(
        ['actions', 'propose', '--kind', 'suspend_license', '--params', params, '--reason', 'abuse'],
        env,
      );
      assert.equal(refused.code, 2, 'no --as: four eyes need names');
      const proposed = await json([
        'actions',
        'propose',
        '--kind',
        'suspend_license',
        '--params',
        params,
        '--reason',
        'abuse',
        '--as',
        'olga@example.com',
      ]);
      assert.equal(proposed.status, 'pending');
      const byOperator = await runCli(
        ['actions', 'approve', String(proposed.id), '--as', 'olga@example.com'],
        env,
      );
      assert.equal(byOperator.code, 1);
      assert.match(byOperator.stderr, /AUTH_INSUFFICIENT/);
      const approved = await json(['actions', 'approve', String(proposed.id), '--as', 'alice@example.com']);
      assert.equal(approved.status, 'executed');
      assert.equal((await json(['licenses', 'show', String(license.id)])).status, 'suspended');

      const own = await json([
        'actions',
        'propose',
        '--kind',
        'reinstate_license',
        '--params',
        params,
        '--reason',
        'paid',
        '--as',
        'bob@example.com',
      ]);
      const self = await runCli(['actions', 'approve', String(own.id), '--as', 'bob@example.com'], env);
      assert.equal(self.code, 1);
      assert.match(self.stderr, /SELF_APPROVAL_FORBIDDEN/);
      const rejected = await json([
        'actions',
        'reject',
        String(own.id),
        '--reason',
        'not yet',
        '--as',
        'alice@example.com',
      ]);
      assert.deepEqual([rejected.status, rejected.decisionReason], ['rejected', 'not yet']);
      const listed = await cli(['actions', 'list', '--status', 'executed']);
      assert.match(listed, new RegExp(`${proposed.id}\\s+executed\\s+suspend_license`));
    });
  });
}
