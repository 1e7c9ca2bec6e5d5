// npm run bench: seeds (or reuses) a database of BENCH_LICENSES licenses with BENCH_MACHINES_PER_LICENSE machines
// each, starts the server on a copy of it in its own process, drives each scenario with autocannon from a second
// process (bench/drive.ts; bench/paced.ts for the run at 80 % of the maximum), and prints requests/s, p50 and p99 with the ratio to the baseline route (a minimal
// JSON POST on the same Fastify setup) measured in the same run. Figures are printed as a table and as JSON
// (also written to .bench/latest.json). Rate limits are off.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { latestMigration } from '../src/db/migrations/index.js';
import { runIncidentRulesBenchmark } from './incident-rules.js';
import { runParseBenchmark } from './monitor-parse.js';
import { seed } from './seed.js';

const root = path.resolve(import.meta.dirname, '..');

const settings = z
  .object({
    BENCH_DURATION: z.coerce.number().int().min(1).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(50),
    BENCH_LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent']).default('warn'),
    BENCH_ONLY: z.string().optional(),
    BENCH_LICENSES: z.coerce.number().int().min(1000).default(1_000_000),
    BENCH_MACHINES_PER_LICENSE: z.coerce.number().int().min(0).max(3).default(2),
    BENCH_ACTIVATION_POOL: z.coerce.number().int().min(100).default(50_000),
  })
  .parse(process.env);

interface Scenario {
  name: string;
  /** The floating-seat contention run (bench/seats.ts) rather than one route under autocannon. */
  seats?: boolean;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  bodies?: 'validate' | 'validate-fingerprint' | 'validate-signed' | 'activate';
  authenticated?: boolean;
  expectStatus: number;
  /** Also run at 80 % of the measured maximum and report the latency there. */
  atEightyPercent?: boolean;
}

/** The baseline first; every other scenario is compared with it. */
const scenarios: Scenario[] = [
  {
    name: 'baseline: minimal JSON POST',
    method: 'POST',
    path: '/bench/baseline',
    body: { ping: 1 },
    expectStatus: 200,
  },
  {
    name: 'validate (unsigned, key only)',
    method: 'POST',
    path: '/v1/client/validate',
    bodies: 'validate',
    expectStatus: 200,
    atEightyPercent: true,
  },
  {
    name: 'validate (unsigned, with fingerprint)',
    method: 'POST',
    path: '/v1/client/validate',
    bodies: 'validate-fingerprint',
    expectStatus: 200,
  },
  {
    name: 'validate (signed, nonce)',
    method: 'POST',
    path: '/v1/client/validate',
    bodies: 'validate-signed',
    expectStatus: 200,
  },
  { name: 'activate', method: 'POST', path: '/v1/client/activate', bodies: 'activate', expectStatus: 201 },
  {
    name: 'GET /v1/api-keys (API key auth)',
    method: 'GET',
    path: '/v1/api-keys?limit=10',
    authenticated: true,
    expectStatus: 200,
  },
  {
    name: 'floating seats: 200 clients on 50 seats (checkout/heartbeat/release)',
    method: 'POST',
    path: '/v1/client/checkout',
    seats: true,
    expectStatus: 201,
  },
  { name: 'GET /healthz', method: 'GET', path: '/healthz', expectStatus: 200 },
  {
    name: 'error envelope: POST unknown path',
    method: 'POST',
    path: '/v1/nope',
    body: { ping: 1 },
    expectStatus: 404,
  },
];

const autocannonResult = z.object({
  requests: z.object({ average: z.number(), total: z.number() }),
  latency: z.object({ p50: z.number(), p99: z.number(), average: z.number() }),
  errors: z.number(),
  timeouts: z.number(),
  statusCodeStats: z.record(z.string(), z.object({ count: z.number() })).optional(),
});
type AutocannonResult = z.infer<typeof autocannonResult>;

/** The seeded database, made once per size and schema, then reused from .bench/. */
const seededDir = async (): Promise<string> => {
  const dir = path.join(
    root,
    '.bench',
    `seed-${settings.BENCH_LICENSES}-${settings.BENCH_MACHINES_PER_LICENSE}-${settings.BENCH_ACTIVATION_POOL}-${latestMigration}`,
  );
  if (existsSync(path.join(dir, 'samples.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  process.stdout.write(
    `seeding ${settings.BENCH_LICENSES} licenses × ${settings.BENCH_MACHINES_PER_LICENSE} machines into ${dir} …\n`,
  );
  await seed(dir, {
    licenses: settings.BENCH_LICENSES,
    machinesPerLicense: settings.BENCH_MACHINES_PER_LICENSE,
    activationPool: settings.BENCH_ACTIVATION_POOL,
  });
  process.stdout.write(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return dir;
};

const startServer = (
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; storage: string; apiKey: string }> =>
  new Promise((resolve, reject) => {
    const child = fork(path.join(root, 'bench/server.ts'), [], {
      // As `npm start` runs the server: a larger young generation (fewer scavenges on the hot paths).
      execArgv: ['--max-semi-space-size=32', '--import', 'tsx'],
      env: { ...process.env, CHARTER_LOG_LEVEL: settings.BENCH_LOG_LEVEL, BENCH_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message) =>
      resolve({ child, ...(message as { url: string; storage: string; apiKey: string }) }),
    );
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });

const seatsResult = z.object({
  operations: z.number(),
  operationsPerSecond: z.number(),
  checkouts: z.number(),
  denials: z.number(),
  heartbeats: z.number(),
  releases: z.number(),
  unexpected: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  maxLiveLeasesSeen: z.number(),
  maxSeatsHeldByClients: z.number(),
  violations: z.array(z.string()),
});
type SeatsResult = z.infer<typeof seatsResult>;

/** Runs bench/seats.ts; it exits non-zero (and this throws) when more than the seats were ever live. */
const driveSeats = (options: Record<string, unknown>): Promise<SeatsResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'bench/seats.ts'), JSON.stringify(options)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`the seat benchmark FAILED (exit ${code}): ${stdout || 'no summary'}`));
      try {
        resolve(seatsResult.parse(JSON.parse(stdout)));
      } catch (error) {
        reject(error);
      }
    });
  });

/** Runs a load driver: autocannon at full load (drive.ts), or requests at an even rate (paced.ts). */
const drive = (
  options: Record<string, unknown>,
  driver: 'drive.ts' | 'paced.ts' = 'drive.ts',
): Promise<AutocannonResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'bench', driver), JSON.stringify(options)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the load driver exited with ${code}`));
      try {
        resolve(autocannonResult.parse(JSON.parse(stdout)));
      } catch (error) {
        reject(error);
      }
    });
  });

const rssMegabytes = (pid: number | undefined): number | null => {
  if (!pid) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
};

/** CPU time (user + system, every thread) the process has used so far, in ms; Linux /proc only. */
const cpuMilliseconds = (pid: number | undefined): number | null => {
  if (!pid) return null;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock
    // ticks of 1/100 s (USER_HZ is 100 on every Linux architecture Node supports).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
};

/**
 * Reads the database once before measuring, so the scenarios find it in the OS page cache as a long-running
 * server would. The seed was written minutes earlier and some hosts reclaim idle page cache early (DAMON here):
 * without this, the first seconds measure the disk, not the server.
 */
const warmPageCache = (dataDir: string) => {
  const buffer = Buffer.alloc(1 << 20);
  for (const name of ['charter.db', 'charter.db-wal']) {
    const file = path.join(dataDir, name);
    if (!existsSync(file)) continue;
    const fd = openSync(file, 'r');
    try {
      while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
};

interface Row {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ratioToBaseline: number;
  /** Server CPU time per request (all its threads), µs: what the route costs whatever the load driver does. */
  serverCpuMicrosPerRequest: number | null;
  unexpectedStatuses: number;
  errors: number;
}

const main = async () => {
  const seeded = await seededDir();
  // The server runs on a copy: activation adds machines, and each run should start from the same state.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'charter-bench-run-'));
  cpSync(seeded, dataDir, { recursive: true });
  const samplesFile = path.join(dataDir, 'samples.json');
  const server = await startServer(dataDir);
  warmPageCache(dataDir);
  const selected = scenarios.filter(
    (scenario, index) => index === 0 || !settings.BENCH_ONLY || scenario.name.includes(settings.BENCH_ONLY),
  );
  const results: Row[] = [];
  let peakRss: number | null = null;
  let seats: SeatsResult | undefined;
  try {
    for (const scenario of selected) {
      if (scenario.seats) {
        const seatOptions = { url: server.url, apiKey: server.apiKey, clients: 200, seats: 50 };
        await driveSeats({ ...seatOptions, duration: Math.min(2, settings.BENCH_DURATION) });
        const cpuBefore = cpuMilliseconds(server.child.pid);
        seats = await driveSeats({ ...seatOptions, duration: settings.BENCH_DURATION });
        const cpuAfter = cpuMilliseconds(server.child.pid);
        const baseline = results[0]?.requestsPerSecond ?? seats.operationsPerSecond;
        results.push({
          name: scenario.name,
          requestsPerSecond: seats.operationsPerSecond,
          p50Ms: seats.p50Ms,
          p99Ms: seats.p99Ms,
          ratioToBaseline: Math.round((seats.operationsPerSecond / baseline) * 1000) / 1000,
          serverCpuMicrosPerRequest:
            cpuBefore === null || cpuAfter === null || seats.operations === 0
              ? null
              : Math.round(((cpuAfter - cpuBefore) * 1000) / seats.operations),
          unexpectedStatuses: seats.unexpected,
          errors: seats.violations.length,
        });
        continue;
      }
      const options = {
        url: server.url,
        method: scenario.method,
        path: scenario.path,
        connections: settings.BENCH_CONNECTIONS,
        samplesFile,
        ...(scenario.body !== undefined ? { body: scenario.body } : {}),
        ...(scenario.bodies ? { bodies: scenario.bodies } : {}),
        ...(scenario.authenticated ? { headers: { authorization: `Bearer ${server.apiKey}` } } : {}),
      };
      // Warm-up (JIT, caches). Activation warms up on the far half of the pool with its own fingerprints, so
      // the measured run still creates every machine it asks for.
      const warmUp =
        scenario.bodies === 'activate'
          ? {
              activationStart: Math.floor(settings.BENCH_ACTIVATION_POOL / 2),
              fingerprintPrefix: 'bench-warm-up',
            }
          : {};
      await drive({ ...options, ...warmUp, duration: Math.min(2, settings.BENCH_DURATION) });
      const measure = async (extra: Record<string, unknown> = {}, driver?: 'paced.ts') => {
        const cpuBefore = cpuMilliseconds(server.child.pid);
        const result = await drive({ ...options, duration: settings.BENCH_DURATION, ...extra }, driver);
        const cpuAfter = cpuMilliseconds(server.child.pid);
        const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
        return { result, cpuMs };
      };
      const { result: measured, cpuMs } = await measure();
      peakRss = Math.max(peakRss ?? 0, rssMegabytes(server.child.pid) ?? 0);
      const row = (name: string, result: AutocannonResult, serverCpuMs: number | null): Row => {
        const expected = result.statusCodeStats?.[String(scenario.expectStatus)]?.count ?? 0;
        const baseline = results[0]?.requestsPerSecond ?? result.requests.average;
        return {
          name,
          requestsPerSecond: Math.round(result.requests.average),
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          ratioToBaseline: Math.round((result.requests.average / baseline) * 1000) / 1000,
          serverCpuMicrosPerRequest:
            serverCpuMs === null || result.requests.total === 0
              ? null
              : Math.round((serverCpuMs * 1000) / result.requests.total),
          unexpectedStatuses: result.requests.total - expected,
          errors: result.errors + result.timeouts,
        };
      };
      results.push(row(scenario.name, measured, cpuMs));
      if (scenario.atEightyPercent) {
        const rate = Math.max(1, Math.round(measured.requests.average * 0.8));
        // Paced evenly (open loop), latency counted from each request's due time: see bench/paced.ts.
        const paced = await measure({ overallRate: rate }, 'paced.ts');
        results.push(row(`${scenario.name} at 80 % load (${rate}/s)`, paced.result, paced.cpuMs));
      }
    }
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }

  const width = Math.max(...results.map((result) => result.name.length));
  process.stdout.write(
    `\nCharter benchmark — ${settings.BENCH_LICENSES} licenses, ${settings.BENCH_LICENSES * settings.BENCH_MACHINES_PER_LICENSE} machines, ${settings.BENCH_CONNECTIONS} connections, ${settings.BENCH_DURATION}s per scenario, ${server.storage.replace(/:.*/, '')}\n\n`,
  );
  process.stdout.write(
    `${'scenario'.padEnd(width)}  ${'req/s'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ratio  ${'server µs/req'.padStart(13)}\n`,
  );
  for (const result of results) {
    const problems =
      result.unexpectedStatuses > 0 || result.errors > 0
        ? `  (${result.unexpectedStatuses} unexpected statuses, ${result.errors} errors)`
        : '';
    process.stdout.write(
      `${result.name.padEnd(width)}  ${String(result.requestsPerSecond).padStart(8)}  ${String(result.p50Ms).padStart(7)}  ${String(result.p99Ms).padStart(7)}  ${result.ratioToBaseline.toFixed(3)}  ${String(result.serverCpuMicrosPerRequest ?? '?').padStart(13)}${problems}\n`,
    );
  }
  process.stdout.write(`\nserver RSS after the heaviest scenario: ${peakRss ?? '?'} MB\n`);
  if (seats) {
    process.stdout.write(
      `floating seats: ${seats.operationsPerSecond} operations/s (target ≥ 2,000): ${seats.checkouts} checkouts, ${seats.denials} denials, ${seats.heartbeats} heartbeats, ${seats.releases} releases; at most ${seats.maxLiveLeasesSeen} live leases seen (limit 50), at most ${seats.maxSeatsHeldByClients} held by clients\n`,
    );
  }
  const monitorParse = runParseBenchmark();
  process.stdout.write(
    `lmstat parse: ${monitorParse.sessions} sessions across ${monitorParse.features} features in ${monitorParse.parseMs} ms (target < ${monitorParse.targetMs} ms); line-split baseline ${monitorParse.baselineMs} ms, ratio ${monitorParse.ratioToBaseline}\n`,
  );
  const incidentRules = await runIncidentRulesBenchmark(seeded);
  process.stdout.write(
    `incident rules at ${incidentRules.licenses} licenses (${incidentRules.expiringLicenses} ending soon, ${incidentRules.sharedLicenses} shared keys): first evaluation ${incidentRules.firstEvaluationMs} ms (opens ${JSON.stringify(incidentRules.opened)}), each later minute ${incidentRules.steadyEvaluationMs} ms; baseline (one scan of every license) ${incidentRules.baselineMs} ms, ratio ${incidentRules.ratioToBaseline}\n`,
  );
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    licenses: settings.BENCH_LICENSES,
    machines: settings.BENCH_LICENSES * settings.BENCH_MACHINES_PER_LICENSE,
    connections: settings.BENCH_CONNECTIONS,
    durationSeconds: settings.BENCH_DURATION,
    storage: 'sqlite',
    serverRssMb: peakRss,
    results,
    ...(seats ? { seats } : {}),
    monitorParse,
    incidentRules,
  };
  mkdirSync(path.join(root, '.bench'), { recursive: true });
  writeFileSync(path.join(root, '.bench/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
  if (results.some((result) => result.unexpectedStatuses > 0 || result.errors > 0)) process.exitCode = 1;
  if (monitorParse.parseMs >= monitorParse.targetMs) process.exitCode = 1;
};

await main();
