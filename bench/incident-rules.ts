// What the incident rules cost at 1M licenses (issue 17): on a copy of the seeded database, 1 % of the licenses are
// made to end within the license_expiring window and 100 licenses get more activating devices than 3 × their
// limit, then every rule of the default configuration is evaluated as the leader does each minute: once to open
// the incidents (the first minute's cost), then again with nothing new (every later minute's). Printed beside a
// baseline measured in the same run: one count of every license, a full scan of the table.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { fixedClock } from '../src/lib/clock.js';
import { evaluateRule, evaluateRules } from '../src/ops/incidents/engine.js';
import { configuredRules } from '../src/ops/incidents/rules/index.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const timed = async (work: () => Promise<unknown> | unknown) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

export const runIncidentRulesBenchmark = async (seededDir: string) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'charter-bench-rules-'));
  cpSync(seededDir, dataDir, { recursive: true });
  const file = path.join(dataDir, 'charter.db');
  // A seed made before the incident tables existed is brought up to date first.
  const migrating = openDatabase({ dialect: 'sqlite', file });
  await migrateToLatest(migrating);
  await migrating.close();
  const nowMs = Date.now();
  const hour = Math.floor(nowMs / 3_600_000) * 3_600_000;
  // The conditions, written straight into the copy (seeding, not what is measured).
  const raw = new SqliteDatabase(file);
  const expiring = raw
    .prepare(
      `update licenses set expires_at = ? + (rowid % 7) * 86400000 where rowid % 100 = 0
       and exists (select 1 from machines where machines.license_id = licenses.id)`,
    )
    .run(nowMs + 86_400_000).changes;
  const shared = raw.prepare('select id from licenses where rowid % 10007 = 1 limit 100').all() as {
    id: string;
  }[];
  const attempt = raw.prepare(
    'insert into activation_attempts (license_id, fingerprint, hour) values (?, ?, ?)',
  );
  raw.transaction(() => {
    for (const { id } of shared)
      for (let device = 0; device < 12; device++) attempt.run(id, `device-${device}`, hour);
  })();
  raw.close();

  const db = openDatabase({ dialect: 'sqlite', file });
  try {
    const clock = fixedClock(new Date(nowMs));
    const config = loadConfig({ env: {}, overrides: { CHARTER_DATA_DIR: dataDir } });
    const rules = configuredRules(config.incidents, { propose: async () => undefined });
    const log = {
      warn: (object: object, message: string) =>
        process.stderr.write(`${message} ${JSON.stringify(object)}\n`),
    };
    const baselines: number[] = [];
    for (let run = 0; run < 3; run++)
      baselines.push(
        await timed(() =>
          db.kysely
            .selectFrom('licenses')
            .select((eb) => eb.fn.sum(eb.fn('length', ['key_prefix'])).as('n'))
            .execute(),
        ),
      );
    let outcomes: Awaited<ReturnType<typeof evaluateRules>> = [];
    const firstMs = await timed(async () => {
      outcomes = await evaluateRules({ db, clock, log }, rules);
    });
    // The longest the event loop stayed blocked during the later minutes: on SQLite every query runs on it, and
    // a request arriving meanwhile waits that long.
    let longestBlock = 0;
    let last = performance.now();
    const sampler = setInterval(() => {
      const now = performance.now();
      longestBlock = Math.max(longestBlock, now - last);
      last = now;
    }, 1);
    const steady: number[] = [];
    for (let run = 0; run < 5; run++) {
      clock.advance(60_000);
      steady.push(await timed(() => evaluateRules({ db, clock, log }, rules)));
    }
    await new Promise((resolve) => setImmediate(resolve));
    clearInterval(sampler);
    longestBlock = Math.max(longestBlock, performance.now() - last);
    // Each rule alone, once more, so the cost can be told apart.
    const perRule: Record<string, number> = {};
    for (const rule of rules) {
      clock.advance(60_000);
      perRule[rule.kind] = Math.round((await timed(() => evaluateRule({ db, clock }, rule))) * 10) / 10;
    }
    const baselineMs = median(baselines);
    const steadyMs = median(steady);
    return {
      licenses: Number(
        (
          await db.kysely
            .selectFrom('licenses')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      ),
      expiringLicenses: expiring,
      sharedLicenses: shared.length,
      opened: Object.fromEntries(outcomes.map((outcome) => [outcome.kind, outcome.opened])),
      firstEvaluationMs: Math.round(firstMs),
      steadyEvaluationMs: Math.round(steadyMs * 10) / 10,
      steadyEvaluationMsPerRule: perRule,
      longestEventLoopBlockMs: Math.round(longestBlock * 10) / 10,
      baselineMs: Math.round(baselineMs * 10) / 10,
      ratioToBaseline: Math.round((steadyMs / baselineMs) * 100) / 100,
    };
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const seeded = process.argv[2];
  if (!seeded) {
    process.stderr.write('usage: npx tsx bench/incident-rules.ts <seeded data dir under .bench/>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await runIncidentRulesBenchmark(seeded), null, 2)}\n`);
}
