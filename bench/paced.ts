// The paced load driver, run as its own process: requests sent at an even rate (open loop), for latency "at 80 %
// of the maximum load". autocannon's overallRate lets each connection send its whole quota for the second as
// fast as it can and then wait for the next second, so "80 %" runs at full load for most of each second and its
// p99 is the saturated one. Here request i is due at start + i / rate; latency counts from that due time, so a
// server stall is charged to every request it delayed (no coordinated omission). Prints, on stdout, the subset
// of autocannon's result shape that bench/run.ts reads.
import http from 'node:http';
import { z } from 'zod';
import { bodyMaker, driveOptionsSchema } from './requests.js';

const options = driveOptionsSchema
  .extend({ overallRate: z.number().positive() })
  .parse(JSON.parse(process.argv[2] ?? '{}'));
const url = new URL(options.path, options.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
const nextBody = bodyMaker(options);
const headers: Record<string, string> = {
  ...(options.headers ?? {}),
  ...(options.method === 'POST' ? { 'content-type': 'application/json' } : {}),
};

const expected = Math.ceil(options.overallRate * options.duration);
const latencies = new Float64Array(expected);
const statusCodeStats: Record<string, { count: number }> = {};
let sent = 0;
let done = 0;
let errors = 0;

const send = (dueMs: number) =>
  new Promise<void>((resolve) => {
    const body = options.method === 'POST' ? nextBody() : undefined;
    const request = http.request(
      url,
      {
        method: options.method,
        agent,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          latencies[done++] = performance.now() - dueMs;
          const key = String(response.statusCode);
          statusCodeStats[key] = { count: (statusCodeStats[key]?.count ?? 0) + 1 };
          resolve();
        });
      },
    );
    request.on('error', () => {
      errors++;
      resolve();
    });
    request.end(body);
  });

const start = performance.now();
const intervalMs = 1000 / options.overallRate;
const inFlight: Promise<void>[] = [];
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = performance.now();
    // Every request due by now goes out (timers fire every millisecond or so; each keeps its own due time).
    while (sent < expected && start + sent * intervalMs <= now)
      inFlight.push(send(start + sent++ * intervalMs));
    if (sent < expected) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    else resolve();
  };
  tick();
});
await Promise.all(inFlight);
const elapsedSeconds = (performance.now() - start) / 1000;
agent.destroy();

const measured = latencies.subarray(0, done).sort();
const percentile = (p: number) =>
  measured[Math.min(measured.length - 1, Math.floor(measured.length * p))] ?? 0;
const round = (ms: number) => Math.round(ms * 100) / 100;
process.stdout.write(
  JSON.stringify({
    requests: { average: done / elapsedSeconds, total: done },
    latency: {
      p50: round(percentile(0.5)),
      p99: round(percentile(0.99)),
      average: round(measured.reduce((sum, value) => sum + value, 0) / (measured.length || 1)),
    },
    errors,
    timeouts: 0,
    statusCodeStats,
  }),
);
