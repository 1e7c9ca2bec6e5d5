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
import { build } from 'esbuild';
import pg from 'pg';
import { z } from 'zod';
import { latestMigration } from '../src/db/migrations/index.js';
import { runIncidentRulesBenchmark } from './incident-rules.js';
import { runParseBenchmark } from './monitor-parse.js';
import { type SeedOptions, type SeedSamples, seed } from './seed.js';
import type { StallReport } from './stalls.js';

const root = path.resolve(import.meta.dirname, '..');

const settings = z
  .object({
    BENCH_DURATION: z.coerce.number().int().min(1).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(50),
    BENCH_LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent']).default('warn'),
    BENCH_ONLY: z.string().optional(),
    BENCH_LICENSES: z.coerce.number().int().min(1000).default(1_000_000),
    BENCH_MACHINES_PER_LICENSE: z.coerce.number().int().min(0).max(3).default(2),
    // Each activation run takes its own slice of the pool (three machines at most per license), so repeated runs
    // still create every machine they ask for.
    BENCH_ACTIVATION_POOL: z.coerce.number().int().min(100).default(100_000),
    /** Each scenario runs this many times; the table shows the run with the median requests/s. */
    BENCH_REPEAT: z.coerce.number().int().min(1).max(9).default(1),
    /** V8's young-generation semi-space for the server, MB (what `npm start` passes; see docs/benchmarks.md). */
    BENCH_SEMI_SPACE_MB: z.coerce.number().int().min(1).max(256).optional(),
    /** Server processes (node:cluster, as `charter serve --workers N`); above 1 needs BENCH_DATABASE_URL. */
    BENCH_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
    /** Redis for the server's shared counters (the workers share nonces through it), as REDIS_URL. */
    BENCH_REDIS_URL: z.string().optional(),
    /** PostgreSQL to run on instead of SQLite: the bench creates its databases there (charter_bench_*). */
    BENCH_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//)
      .optional(),
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
    // The control of the p99 target: the minimal route paced at 80 % of its own maximum, in the same run.
    atEightyPercent: true,
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
  /** The paced driver's own event-loop delay (bench/paced.ts). */
  driverLoopP99Ms: z.number().optional(),
});
type AutocannonResult = z.infer<typeof autocannonResult>;

/** PostgreSQL (BENCH_DATABASE_URL): a database per seed, named after its size and schema, and one per run. */
const postgresUrl = settings.BENCH_DATABASE_URL;
const databaseUrl = (name: string) => {
  const url = new URL(postgresUrl ?? '');
  url.pathname = `/${name}`;
  return url.toString();
};
/** Runs `work` on a connection to the database BENCH_DATABASE_URL names (to create and drop the bench's own). */
const onServer = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};
const storageName = postgresUrl ? 'postgres' : 'sqlite';

interface Seeded {
  /** Data dir: secret.key (the seal of the license keys), samples.json, and on SQLite charter.db. */
  dir: string;
  /** PostgreSQL: the seeded database, the template of each run's. */
  database?: string;
}

/** The seeded database, made once per size and schema, then reused (.bench/, and on PostgreSQL its database). */
const seeded = async (options: SeedOptions): Promise<Seeded> => {
  const name = `seed-${options.licenses}-${options.machinesPerLicense}-${options.activationPool}-${latestMigration}`;
  const dir = path.join(root, '.bench', postgresUrl ? `pg-${name}` : name);
  const database = postgresUrl
    ? `charter_bench_${options.licenses}_${options.machinesPerLicense}_${options.activationPool}_${latestMigration.slice(0, 4)}`
    : undefined;
  const exists =
    existsSync(path.join(dir, 'samples.json')) &&
    (database === undefined ||
      (await onServer(
        async (client) =>
          (await client.query('select 1 from pg_database where datname = $1', [database])).rowCount === 1,
      )));
  if (exists) return { dir, ...(database ? { database } : {}) };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (database)
    await onServer(async (client) => {
      await client.query(`drop database if exists ${database} with (force)`);
      await client.query(`create database ${database}`);
    });
  const started = Date.now();
  process.stdout.write(
    `seeding ${options.licenses} licenses × ${options.machinesPerLicense} machines into ${database ?? dir} …\n`,
  );
  await seed(
    dir,
    options,
    database ? { dialect: 'postgres', url: databaseUrl(database) } : { dialect: 'sqlite' },
  );
  process.stdout.write(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { dir, ...(database ? { database } : {}) };
};

/**
 * A copy of a seed for one server run (activation adds machines; each run starts from the same state): the data
 * dir copied, and on PostgreSQL a database made from the seed's as a template.
 */
const copyOf = async (from: Seeded, label: string) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), `charter-bench-${label}-`));
  cpSync(from.dir, dataDir, { recursive: true });
  const database = from.database ? `charter_bench_run_${label}` : undefined;
  if (database)
    await onServer(async (client) => {
      await client.query(`drop database if exists ${database} with (force)`);
      await client.query(`create database ${database} template ${from.database}`);
    });
  return {
    dataDir,
    ...(database ? { databaseUrl: databaseUrl(database) } : {}),
    remove: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      if (database)
        await onServer((client) => client.query(`drop database if exists ${database} with (force)`));
    },
  };
};

/**
 * The server under benchmark as plain JavaScript, as `npm start` runs the built server: bench/server.ts and the
 * code it imports bundled once by esbuild (packages stay in node_modules). Run through tsx instead, the server
 * would carry the TypeScript loader (its hooks thread and source maps: about 60 MB of RSS) that production has not.
 */
const serverBundle = path.join(root, '.bench', 'server.mjs');
const bundleServer = () =>
  build({
    entryPoints: [path.join(root, 'bench/server.ts')],
    outfile: serverBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });

const startServer = (run: {
  dataDir: string;
  databaseUrl?: string;
}): Promise<{ child: ChildProcess; url: string; storage: string; apiKey: string }> =>
  new Promise((resolve, reject) => {
    const child = fork(serverBundle, [], {
      // As `npm start` runs the server: V8's default young generation unless BENCH_SEMI_SPACE_MB asks otherwise.
      execArgv:
        settings.BENCH_SEMI_SPACE_MB === undefined
          ? []
          : [`--max-semi-space-size=${settings.BENCH_SEMI_SPACE_MB}`],
      env: {
        ...process.env,
        CHARTER_LOG_LEVEL: settings.BENCH_LOG_LEVEL,
        BENCH_DATA_DIR: run.dataDir,
        ...(run.databaseUrl ? { BENCH_SERVER_DATABASE_URL: run.databaseUrl } : {}),
      },
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

/** The process and its children (a cluster primary's workers), Linux /proc. */
const processTree = (pid: number): number[] => {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return [pid, ...children.flatMap((child) => processTree(Number(child)))];
  } catch {
    return [pid];
  }
};

/** Resident memory of the server: the process and its workers, MB. */
const rssMegabytes = (pid: number | undefined): number | null => {
  if (!pid) return null;
  let kilobytes = 0;
  for (const one of processTree(pid)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${one}/status`, 'utf8'));
      kilobytes += match ? Number(match[1]) : 0;
    } catch {
      // gone meanwhile
    }
  }
  return kilobytes === 0 ? null : Math.round(kilobytes / 1024);
};

/** CPU time (user + system, every thread) the server and its workers have used so far, in ms; Linux /proc only. */
const cpuMilliseconds = (pid: number | undefined): number | null => {
  if (!pid) return null;
  let total = 0;
  for (const one of processTree(pid)) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock
      // ticks of 1/100 s (USER_HZ is 100 on every Linux architecture Node supports).
      const fields = readFileSync(`/proc/${one}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  }
  return total;
};

/**
 * Reads the database once before measuring, so the scenarios find it in memory as a long-running server would.
 * The seed was written minutes earlier and some hosts reclaim idle page cache early (DAMON here): without this,
 * the first seconds measure the disk, not the server. SQLite: the file, read through; PostgreSQL: every row of
 * the two large tables, through the server (its buffers and the OS cache).
 */
const warmCaches = async (run: { dataDir: string; databaseUrl?: string }) => {
  if (run.databaseUrl) {
    const client = new pg.Client({ connectionString: run.databaseUrl });
    await client.connect();
    try {
      await client.query('select sum(length(key_hash)) from licenses');
      await client.query('select sum(length(fingerprint)) from machines');
    } finally {
      await client.end();
    }
    return;
  }
  const buffer = Buffer.alloc(1 << 20);
  for (const name of ['charter.db', 'charter.db-wal']) {
    const file = path.join(run.dataDir, name);
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
  /** Inside the server during the run: event-loop delay, GC pauses, background work. */
  stalls?: StallReport;
  /** The paced driver's own event-loop delay, ms: high means the driver, not the server, set the latency. */
  driverLoopP99Ms?: number;
  /** Requests/s of every repeat (BENCH_REPEAT); the row is the median one. */
  runs?: number[];
}

/** The scenario whose cost must not grow with the database, and the rate both sizes are paced at to compare it. */
const flatnessScenario = 'validate (unsigned, key only)';
/** At most 2,000/s, and half the measured maximum where that is lower (set by the run). */
let flatnessRate = 2000;

/** Asks the bench server over IPC and waits for the answer carrying `key`. */
const ask = <T>(child: ChildProcess, message: string, key: string): Promise<T> =>
  new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      if (answer && typeof answer === 'object' && key in answer) {
        child.off('message', onMessage);
        resolve((answer as Record<string, T>)[key] as T);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });

/** Runs `once` BENCH_REPEAT times and answers the run with the median requests/s, with every run's figure. */
const median = async (once: (run: number) => Promise<Row>): Promise<Row> => {
  const rows: Row[] = [];
  for (let run = 0; run < settings.BENCH_REPEAT; run++) rows.push(await once(run));
  const sorted = [...rows].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)] as Row;
  return {
    ...chosen,
    // Correctness counts over every run: one bad status in any repeat is a failure.
    unexpectedStatuses: rows.reduce((sum, row) => sum + row.unexpectedStatuses, 0),
    errors: rows.reduce((sum, row) => sum + row.errors, 0),
    runs: rows.map((row) => row.requestsPerSecond),
  };
};

interface Target {
  name: string;
  /** What the spec asks, in words. */
  wants: string;
  figure: string;
  met: boolean;
  /** The same measure of the baseline route in the same run, where it tells what the machine allows. */
  control?: string;
}

const main = async () => {
  if (settings.BENCH_WORKERS > 1 && !postgresUrl)
    throw new Error('BENCH_WORKERS above 1 needs BENCH_DATABASE_URL: SQLite takes one writer process');
  await bundleServer();
  const seed = await seeded({
    licenses: settings.BENCH_LICENSES,
    machinesPerLicense: settings.BENCH_MACHINES_PER_LICENSE,
    activationPool: settings.BENCH_ACTIVATION_POOL,
  });
  const run = await copyOf(seed, 'run');
  const dataDir = run.dataDir;
  const samplesFile = path.join(dataDir, 'samples.json');
  const validateSamples = (JSON.parse(readFileSync(samplesFile, 'utf8')) as SeedSamples).validate.length;
  const server = await startServer(run);
  await warmCaches(run);
  const selected = scenarios.filter(
    (scenario, index) => index === 0 || !settings.BENCH_ONLY || scenario.name.includes(settings.BENCH_ONLY),
  );
  const results: Row[] = [];
  let peakRss: number | null = null;
  const seatRuns: SeatsResult[] = [];
  let flatnessLargeP50Ms: number | undefined;
  try {
    for (const scenario of selected) {
      if (scenario.seats) {
        const seatOptions = { url: server.url, apiKey: server.apiKey, clients: 200, seats: 50 };
        await driveSeats({ ...seatOptions, duration: Math.min(2, settings.BENCH_DURATION) });
        results.push(
          await median(async () => {
            await ask(server.child, 'stalls:reset', 'stallsReset');
            const cpuBefore = cpuMilliseconds(server.child.pid);
            const run = await driveSeats({ ...seatOptions, duration: settings.BENCH_DURATION });
            const cpuAfter = cpuMilliseconds(server.child.pid);
            const stalls = await ask<StallReport>(server.child, 'stalls:report', 'stalls');
            peakRss = Math.max(peakRss ?? 0, rssMegabytes(server.child.pid) ?? 0);
            seatRuns.push(run);
            const baseline = results[0]?.requestsPerSecond ?? run.operationsPerSecond;
            return {
              name: scenario.name,
              requestsPerSecond: run.operationsPerSecond,
              p50Ms: run.p50Ms,
              p99Ms: run.p99Ms,
              ratioToBaseline: Math.round((run.operationsPerSecond / baseline) * 1000) / 1000,
              serverCpuMicrosPerRequest:
                cpuBefore === null || cpuAfter === null || run.operations === 0
                  ? null
                  : Math.round(((cpuAfter - cpuBefore) * 1000) / run.operations),
              unexpectedStatuses: run.unexpected,
              errors: run.violations.length,
              stalls,
            };
          }),
        );
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
      // Activation: the warm-up and each run take their own slice of the pool and their own fingerprints, so every
      // run creates every machine it asks for (see BENCH_ACTIVATION_POOL).
      const slices = settings.BENCH_REPEAT + 1;
      const activationRun = (slice: number, prefix: string) =>
        scenario.bodies === 'activate'
          ? {
              activationStart: Math.floor((slice * settings.BENCH_ACTIVATION_POOL) / slices),
              fingerprintPrefix: prefix,
            }
          : {};
      // Warm-up (JIT, caches). A validation scenario first asks for every sample key (and fingerprint) once: a
      // long-running server has validated its clients' keys before, so the figures are the validation cache's
      // steady state (its miss path: CHARTER_VALIDATION_CACHE_SIZE=0, see docs/benchmarks.md).
      if (scenario.bodies?.startsWith('validate'))
        await drive({ ...options, duration: settings.BENCH_DURATION * 10, amount: validateSamples });
      await drive({
        ...options,
        ...activationRun(settings.BENCH_REPEAT, 'bench-warm-up'),
        duration: Math.min(2, settings.BENCH_DURATION),
      });
      const measure = async (extra: Record<string, unknown> = {}, driver?: 'paced.ts') => {
        await ask(server.child, 'stalls:reset', 'stallsReset');
        const cpuBefore = cpuMilliseconds(server.child.pid);
        const result = await drive({ ...options, duration: settings.BENCH_DURATION, ...extra }, driver);
        const cpuAfter = cpuMilliseconds(server.child.pid);
        const stalls = await ask<StallReport>(server.child, 'stalls:report', 'stalls');
        const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
        peakRss = Math.max(peakRss ?? 0, rssMegabytes(server.child.pid) ?? 0);
        return { result, cpuMs, stalls };
      };
      const row = (name: string, { result, cpuMs, stalls }: Awaited<ReturnType<typeof measure>>): Row => {
        const expected = result.statusCodeStats?.[String(scenario.expectStatus)]?.count ?? 0;
        const baseline = results[0]?.requestsPerSecond ?? result.requests.average;
        return {
          name,
          requestsPerSecond: Math.round(result.requests.average),
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          ratioToBaseline: Math.round((result.requests.average / baseline) * 1000) / 1000,
          serverCpuMicrosPerRequest:
            cpuMs === null || result.requests.total === 0
              ? null
              : Math.round((cpuMs * 1000) / result.requests.total),
          unexpectedStatuses: result.requests.total - expected,
          errors: result.errors + result.timeouts,
          stalls,
          ...(result.driverLoopP99Ms === undefined ? {} : { driverLoopP99Ms: result.driverLoopP99Ms }),
        };
      };
      const full = await median(async (run) =>
        row(scenario.name, await measure(activationRun(run, `bench-r${run}`))),
      );
      results.push(full);
      if (scenario.name === flatnessScenario) {
        // Well under the maximum, so both sizes measure a request's cost rather than queueing.
        flatnessRate = Math.max(100, Math.min(2000, Math.round(full.requestsPerSecond / 2)));
        flatnessLargeP50Ms = (await measure({ overallRate: flatnessRate }, 'paced.ts')).result.latency.p50;
      }
      if (scenario.atEightyPercent) {
        const rate = Math.max(1, Math.round(full.requestsPerSecond * 0.8));
        // Paced evenly (open loop), latency counted from each request's due time: see bench/paced.ts. The median
        // run here is the one with the median p99 (the figure this run is for).
        const paced: Row[] = [];
        for (let run = 0; run < settings.BENCH_REPEAT; run++)
          paced.push(
            row(
              `${scenario.name} at 80 % load (${rate}/s)`,
              await measure({ overallRate: rate }, 'paced.ts'),
            ),
          );
        const sorted = [...paced].sort((a, b) => a.p99Ms - b.p99Ms);
        results.push({
          ...(sorted[Math.floor((sorted.length - 1) / 2)] as Row),
          unexpectedStatuses: paced.reduce((sum, one) => sum + one.unexpectedStatuses, 0),
          errors: paced.reduce((sum, one) => sum + one.errors, 0),
          runs: paced.map((one) => one.p99Ms),
        });
      }
    }
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await run.remove();
  }

  const seats = [...seatRuns].sort((a, b) => a.operationsPerSecond - b.operationsPerSecond)[
    Math.floor((seatRuns.length - 1) / 2)
  ];
  const flatness = flatnessLargeP50Ms === undefined ? undefined : await measureFlatness(flatnessLargeP50Ms);

  const width = Math.max(...results.map((result) => result.name.length));
  process.stdout.write(
    `\nCharter benchmark — ${settings.BENCH_LICENSES} licenses, ${settings.BENCH_LICENSES * settings.BENCH_MACHINES_PER_LICENSE} machines, ${settings.BENCH_CONNECTIONS} connections, ${settings.BENCH_DURATION}s per scenario, ${settings.BENCH_REPEAT > 1 ? `median of ${settings.BENCH_REPEAT} runs, ` : ''}${server.storage.replace(/:.*/, '')}${settings.BENCH_WORKERS > 1 ? `, ${settings.BENCH_WORKERS} worker processes` : ''}\n\n`,
  );
  const cells = [
    ['req/s', 8],
    ['p50 ms', 7],
    ['p99 ms', 7],
    ['srv p99', 7],
    ['ratio', 6],
    ['µs/req', 7],
    ['loop p99', 8],
    ['loop max', 8],
    ['gc max', 7],
  ] as const;
  process.stdout.write(
    `${'scenario'.padEnd(width)}${cells.map(([title, size]) => `  ${title.padStart(size)}`).join('')}\n`,
  );
  for (const result of results) {
    const problems =
      result.unexpectedStatuses > 0 || result.errors > 0
        ? `  (${result.unexpectedStatuses} unexpected statuses, ${result.errors} errors)`
        : '';
    const values = [
      result.requestsPerSecond,
      result.p50Ms,
      result.p99Ms,
      result.stalls?.serverP99Ms ?? '?',
      result.ratioToBaseline.toFixed(3),
      result.serverCpuMicrosPerRequest ?? '?',
      result.stalls?.loopDelayP99Ms ?? '?',
      result.stalls?.loopDelayMaxMs ?? '?',
      result.stalls?.gcMaxMs ?? '?',
    ];
    process.stdout.write(
      `${result.name.padEnd(width)}${values.map((value, index) => `  ${String(value).padStart(cells[index]?.[1] ?? 0)}`).join('')}${problems}\n`,
    );
  }
  process.stdout.write(
    '\nsrv p99: from arrival to response inside the server (ms); loop p99/max: event-loop delay inside the server (ms); gc max: its longest GC pause (ms). Each run:\n',
  );
  for (const result of results) {
    const work = Object.entries(result.stalls?.background ?? {})
      .map(([name, run]) => `${name} ×${run.runs} (max ${run.maxMs} ms, total ${run.totalMs} ms)`)
      .join('; ');
    process.stdout.write(
      `  ${result.name}: ${result.stalls?.gcCount ?? '?'} GCs (${result.stalls?.gcTotalMs ?? '?'} ms: ${Object.entries(
        result.stalls?.gcByKind ?? {},
      )
        .map(([kind, gc]) => `${gc.count} ${kind}, ${gc.totalMs} ms, max ${gc.maxMs}`)
        .join('; ')})${work ? `; ${work}` : ''}; stalls > 5 ms: ${
        Object.entries(result.stalls?.stallsOver5Ms ?? {})
          .map(([cause, stall]) => `${stall.count} ${cause} (max ${stall.maxMs})`)
          .join(', ') || 'none'
      }; waited for a CPU ${result.stalls?.runQueueWaitMs ?? '?'} ms${result.driverLoopP99Ms === undefined ? '' : `; the paced driver's own loop delay p99 ${result.driverLoopP99Ms} ms`}; heap ${result.stalls?.memory.heapUsed ?? '?'}/${result.stalls?.memory.heapTotal ?? '?'} MB, rss ${result.stalls?.memory.rss ?? '?'} MB\n`,
    );
  }
  process.stdout.write(`\nserver RSS after the heaviest scenario: ${peakRss ?? '?'} MB\n`);
  if (seats) {
    process.stdout.write(
      `floating seats: ${seats.operationsPerSecond} operations/s: ${seats.checkouts} checkouts, ${seats.denials} denials, ${seats.heartbeats} heartbeats, ${seats.releases} releases; at most ${Math.max(...seatRuns.map((run) => run.maxLiveLeasesSeen))} live leases seen (limit 50), at most ${Math.max(...seatRuns.map((run) => run.maxSeatsHeldByClients))} held by clients\n`,
    );
  }
  const monitorParse = runParseBenchmark();
  process.stdout.write(
    `lmstat parse: ${monitorParse.sessions} sessions across ${monitorParse.features} features in ${monitorParse.parseMs} ms; line-split baseline ${monitorParse.baselineMs} ms, ratio ${monitorParse.ratioToBaseline}\n`,
  );
  // The incident rules' benchmark writes its conditions into a SQLite copy (bench/incident-rules.ts).
  const incidentRules = postgresUrl ? undefined : await runIncidentRulesBenchmark(seed.dir);
  if (incidentRules)
    process.stdout.write(
      `incident rules at ${incidentRules.licenses} licenses (${incidentRules.expiringLicenses} ending soon, ${incidentRules.sharedLicenses} shared keys): first evaluation ${incidentRules.firstEvaluationMs} ms (opens ${JSON.stringify(incidentRules.opened)}), each later minute ${incidentRules.steadyEvaluationMs} ms (the event loop blocked at most ${incidentRules.longestEventLoopBlockMs} ms at a time); baseline (one scan of every license) ${incidentRules.baselineMs} ms, ratio ${incidentRules.ratioToBaseline}\n`,
    );
  if (flatness) {
    process.stdout.write(
      `validation paced at ${flatness.ratePerSecond}/s: p50 ${flatness.smallP50Ms} ms at ${flatness.smallLicenses} licenses, ${flatness.largeP50Ms} ms at ${settings.BENCH_LICENSES} (${flatness.changePercent} % change)\n`,
    );
  }

  const targets = targetsOf(results, peakRss, seatRuns, monitorParse, flatness);
  process.stdout.write('\nspec targets:\n');
  for (const target of targets) {
    process.stdout.write(
      `  ${target.met ? 'met   ' : 'MISSED'}  ${target.name}: ${target.figure} (wants ${target.wants})${target.control ? `; control: ${target.control}` : ''}\n`,
    );
  }
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    licenses: settings.BENCH_LICENSES,
    machines: settings.BENCH_LICENSES * settings.BENCH_MACHINES_PER_LICENSE,
    connections: settings.BENCH_CONNECTIONS,
    durationSeconds: settings.BENCH_DURATION,
    repeat: settings.BENCH_REPEAT,
    storage: storageName,
    workers: settings.BENCH_WORKERS,
    serverRssMb: peakRss,
    results,
    targets,
    ...(seats ? { seats, seatRuns } : {}),
    monitorParse,
    ...(incidentRules ? { incidentRules } : {}),
    ...(flatness ? { flatness } : {}),
  };
  mkdirSync(path.join(root, '.bench'), { recursive: true });
  writeFileSync(path.join(root, '.bench/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
  // Figures are not stable enough to fail on; a wrong answer is. (An over-allocated seat already threw.)
  const wrong = results.filter((result) => result.unexpectedStatuses > 0 || result.errors > 0);
  if (wrong.length > 0) {
    process.stderr.write(`bench: wrong answers in ${wrong.map((result) => result.name).join(', ')}\n`);
    process.exitCode = 1;
  }
};

/**
 * Validation cost flat in database size (spec): the median latency of validation paced at the same moderate rate
 * (flatnessRate: 2,000/s, or half the maximum where lower, so it measures a request's cost rather than queueing) on a copy of a
 * 10,000-license database and on the seeded one, in this run. The paced driver times each request to the
 * microsecond, where autocannon's percentiles are whole milliseconds.
 */
const measureFlatness = async (largeP50Ms: number) => {
  const smallLicenses = 10_000;
  const small = await copyOf(
    await seeded({
      licenses: smallLicenses,
      machinesPerLicense: settings.BENCH_MACHINES_PER_LICENSE,
      activationPool: 100,
    }),
    'small',
  );
  const dataDir = small.dataDir;
  const server = await startServer(small);
  try {
    const options = {
      url: server.url,
      method: 'POST',
      path: '/v1/client/validate',
      connections: settings.BENCH_CONNECTIONS,
      samplesFile: path.join(dataDir, 'samples.json'),
      bodies: 'validate',
    };
    // In the same state as the large run's: every sample key validated once (with the cache on, both sizes then
    // answer from memory; CHARTER_VALIDATION_CACHE_SIZE=0 compares the database reads).
    const samples = (JSON.parse(readFileSync(options.samplesFile, 'utf8')) as SeedSamples).validate.length;
    await drive({ ...options, duration: settings.BENCH_DURATION * 10, amount: samples });
    await drive({ ...options, duration: Math.min(2, settings.BENCH_DURATION) });
    const paced = await drive(
      { ...options, duration: settings.BENCH_DURATION, overallRate: flatnessRate },
      'paced.ts',
    );
    return {
      smallLicenses,
      ratePerSecond: flatnessRate,
      smallP50Ms: paced.latency.p50,
      largeP50Ms,
      changePercent: Math.round(((largeP50Ms - paced.latency.p50) / paced.latency.p50) * 1000) / 10,
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await small.remove();
  }
};

/** Each performance target of the spec (and this project's memory goal), met or missed, with its figure. */
const targetsOf = (
  results: Row[],
  rssMb: number | null,
  seatRuns: SeatsResult[],
  monitorParse: { parseMs: number; targetMs: number },
  flatness: { changePercent: number } | undefined,
): Target[] => {
  const targets: Target[] = [];
  const find = (name: string) => results.find((result) => result.name === name);
  const byPrefix = (prefix: string) => results.find((result) => result.name.startsWith(prefix));
  const validate = find('validate (unsigned, key only)');
  if (validate)
    targets.push({
      name: 'validate (unsigned) throughput',
      wants: '≥ 0.60 of the baseline',
      figure: `${validate.ratioToBaseline.toFixed(3)} (${validate.requestsPerSecond}/s)`,
      met: validate.ratioToBaseline >= 0.6,
    });
  const paced = byPrefix('validate (unsigned, key only) at 80 % load');
  const pacedBaseline = byPrefix('baseline: minimal JSON POST at 80 % load');
  if (paced)
    targets.push({
      name: 'validate p99 at 80 % load',
      wants: '≤ 10 ms',
      figure: `${paced.p99Ms} ms`,
      met: paced.p99Ms <= 10,
      ...(pacedBaseline
        ? { control: `the baseline route at 80 % of its own maximum, p99 ${pacedBaseline.p99Ms} ms` }
        : {}),
    });
  const signed = find('validate (signed, nonce)');
  if (signed)
    targets.push({
      name: 'validate (signed) throughput',
      wants: '≥ 0.25 of the baseline',
      figure: signed.ratioToBaseline.toFixed(3),
      met: signed.ratioToBaseline >= 0.25,
    });
  const activate = find('activate');
  if (activate)
    targets.push({
      name: 'activation',
      wants: '≥ 2,000/s',
      figure: `${activate.requestsPerSecond}/s`,
      met: activate.requestsPerSecond >= 2000,
    });
  const seats = byPrefix('floating seats');
  if (seats)
    targets.push({
      name: 'floating checkout/heartbeat/release, 200 clients on 50 seats',
      wants: '≥ 2,000 operations/s, never over-allocated',
      figure: `${seats.requestsPerSecond}/s, at most ${Math.max(...seatRuns.map((run) => run.maxLiveLeasesSeen))} live`,
      met: seats.requestsPerSecond >= 2000 && seatRuns.every((run) => run.violations.length === 0),
    });
  if (flatness)
    targets.push({
      name: `validation flat in database size (10,000 → ${settings.BENCH_LICENSES.toLocaleString('en')} licenses, median latency at ${flatnessRate}/s)`,
      wants: '< 20 % change',
      figure: `${flatness.changePercent} %`,
      met: Math.abs(flatness.changePercent) < 20,
    });
  targets.push(
    {
      name: 'server RSS under load',
      wants: '≤ 300 MB',
      figure: `${rssMb ?? '?'} MB`,
      met: rssMb !== null && rssMb <= 300,
    },
    {
      name: 'server RSS under load (this project’s goal)',
      wants: '≤ 250 MB',
      figure: `${rssMb ?? '?'} MB`,
      met: rssMb !== null && rssMb <= 250,
    },
    {
      name: 'lmstat parse, 10,000 sessions',
      wants: `< ${monitorParse.targetMs} ms`,
      figure: `${monitorParse.parseMs} ms`,
      met: monitorParse.parseMs < monitorParse.targetMs,
    },
  );
  return targets;
};

await main();
