// npm run bench: starts the server in its own process, drives each scenario with autocannon from a second
// process, and prints requests/s, p50 and p99 with the ratio to the baseline route measured in the same run.
// Figures are printed as a table and as one JSON document (also written to .bench/latest.json).
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const root = path.resolve(import.meta.dirname, '..');
const autocannonBin = path.join(root, 'node_modules/autocannon/autocannon.js');

const settings = z
  .object({
    BENCH_DURATION: z.coerce.number().int().min(1).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(50),
    BENCH_LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent']).default('warn'),
    BENCH_ONLY: z.string().optional(),
  })
  .parse(process.env);

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Sends the bench server's admin API key as a bearer token. */
  authenticated?: boolean;
  /** Status every answer must have; a run with other statuses is reported as failed. */
  expectStatus: number;
}

/** The baseline first; later issues add their routes here (validate, activate, checkout, …). */
const scenarios: Scenario[] = [
  {
    name: 'baseline: minimal JSON POST',
    method: 'POST',
    path: '/bench/baseline',
    body: { ping: 1 },
    expectStatus: 200,
  },
  { name: 'GET /healthz', method: 'GET', path: '/healthz', expectStatus: 200 },
  {
    name: 'GET /v1/api-keys (API key auth, scope check, list)',
    method: 'GET',
    path: '/v1/api-keys?limit=10',
    authenticated: true,
    expectStatus: 200,
  },
  { name: 'GET /readyz (storage round trip)', method: 'GET', path: '/readyz', expectStatus: 200 },
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
  non2xx: z.number(),
  statusCodeStats: z.record(z.string(), z.object({ count: z.number() })).optional(),
});

const startServer = (): Promise<{ child: ChildProcess; url: string; storage: string; apiKey: string }> =>
  new Promise((resolve, reject) => {
    const child = fork(path.join(root, 'bench/server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CHARTER_LOG_LEVEL: settings.BENCH_LOG_LEVEL },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message) =>
      resolve({ child, ...(message as { url: string; storage: string; apiKey: string }) }),
    );
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });

const runAutocannon = (url: string, apiKey: string, scenario: Scenario, duration: number) =>
  new Promise<z.infer<typeof autocannonResult>>((resolve, reject) => {
    const args = [
      autocannonBin,
      '-j',
      '-c',
      String(settings.BENCH_CONNECTIONS),
      '-d',
      String(duration),
      '-m',
      scenario.method,
    ];
    if (scenario.authenticated) args.push('-H', `authorization=Bearer ${apiKey}`);
    if (scenario.body !== undefined) {
      args.push('-H', 'content-type=application/json', '-b', JSON.stringify(scenario.body));
    }
    args.push(`${url}${scenario.path}`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      try {
        resolve(autocannonResult.parse(JSON.parse(stdout)));
      } catch (error) {
        reject(error);
      }
    });
  });

const main = async () => {
  const server = await startServer();
  const selected = scenarios.filter(
    (scenario, index) => index === 0 || !settings.BENCH_ONLY || scenario.name.includes(settings.BENCH_ONLY),
  );
  const results: {
    name: string;
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    ratioToBaseline: number;
    unexpectedStatuses: number;
    errors: number;
  }[] = [];
  try {
    for (const scenario of selected) {
      await runAutocannon(server.url, server.apiKey, scenario, Math.min(2, settings.BENCH_DURATION)); // warm-up, discarded
      const result = await runAutocannon(server.url, server.apiKey, scenario, settings.BENCH_DURATION);
      const expected = result.statusCodeStats?.[String(scenario.expectStatus)]?.count ?? 0;
      const baseline = results[0]?.requestsPerSecond ?? result.requests.average;
      results.push({
        name: scenario.name,
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        ratioToBaseline: Math.round((result.requests.average / baseline) * 1000) / 1000,
        unexpectedStatuses: result.requests.total - expected,
        errors: result.errors + result.timeouts,
      });
    }
  } finally {
    server.child.kill('SIGTERM');
  }

  const width = Math.max(...results.map((result) => result.name.length));
  process.stdout.write(
    `\nCharter benchmark — ${settings.BENCH_CONNECTIONS} connections, ${settings.BENCH_DURATION}s per scenario, storage ${server.storage}\n\n`,
  );
  process.stdout.write(
    `${'scenario'.padEnd(width)}  ${'req/s'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ratio\n`,
  );
  for (const result of results) {
    process.stdout.write(
      `${result.name.padEnd(width)}  ${String(result.requestsPerSecond).padStart(8)}  ${String(result.p50Ms).padStart(7)}  ${String(result.p99Ms).padStart(7)}  ${result.ratioToBaseline.toFixed(3)}${result.unexpectedStatuses > 0 || result.errors > 0 ? `  (${result.unexpectedStatuses} unexpected statuses, ${result.errors} errors)` : ''}\n`,
    );
  }
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    connections: settings.BENCH_CONNECTIONS,
    durationSeconds: settings.BENCH_DURATION,
    storage: server.storage,
    results,
  };
  mkdirSync(path.join(root, '.bench'), { recursive: true });
  writeFileSync(path.join(root, '.bench/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
  if (results.some((result) => result.unexpectedStatuses > 0 || result.errors > 0)) process.exitCode = 1;
};

await main();
