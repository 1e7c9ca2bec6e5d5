// The paced load driver, run as its own process: requests sent at an even rate (open loop), for latency "at 80 %
// of the maximum load". autocannon's overallRate lets each connection send its whole quota for the second as
// fast as it can and then wait for the next second, so "80 %" runs at full load for most of each second and its
// p99 is the saturated one. Here request i is due at start + i / rate; latency counts from that due time, so a
// server stall is charged to every request it delayed (no coordinated omission).
//
// It speaks HTTP/1.1 on raw keep-alive sockets (one request at a time per connection, responses framed by
// Content-Length or chunked): node's http client costs several times more CPU per request, and on a two-core
// machine a driver that saturates its own core charges its own queueing to the server. The driver's event-loop
// delay is reported too (driverLoopP99Ms): when it is high, the figure measures the driver, not the server.
// Prints, on stdout, the subset of autocannon's result shape that bench/run.ts reads.
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { bodyMaker, driveOptionsSchema } from './requests.js';

const options = driveOptionsSchema
  .extend({ overallRate: z.number().positive() })
  .parse(JSON.parse(process.argv[2] ?? '{}'));
const url = new URL(options.path, options.url);
const nextBody = bodyMaker(options);
const head = [
  `${options.method} ${url.pathname}${url.search} HTTP/1.1`,
  `host: ${url.host}`,
  'connection: keep-alive',
  ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
  ...(options.method === 'POST' ? ['content-type: application/json'] : []),
].join('\r\n');
const requestBytes = () => {
  if (options.method !== 'POST') return Buffer.from(`${head}\r\n\r\n`);
  const body = nextBody();
  return Buffer.from(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
};

const expected = Math.ceil(options.overallRate * options.duration);
const latencies = new Float64Array(expected);
const statusCodeStats: Record<string, { count: number }> = {};
let done = 0;
let errors = 0;

/** Where a response ends in `buffer`, with its status; undefined while it is incomplete. */
const responseEnd = (buffer: Buffer): { status: number; end: number } | undefined => {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const headers = buffer.toString('latin1', 0, headEnd);
  const status = Number(headers.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
  if (length) {
    const end = headEnd + 4 + Number(length[1]);
    return buffer.length >= end ? { status, end } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
    const last = buffer.indexOf('\r\n0\r\n\r\n', headEnd);
    return last < 0 ? undefined : { status, end: last + 7 };
  }
  return { status, end: headEnd + 4 };
};

interface Connection {
  socket: net.Socket;
  busy: boolean;
  dueMs: number;
  buffer: Buffer;
}

const waiting: number[] = []; // due times of requests no connection has taken yet
const idle: Connection[] = [];
let settle: (() => void) | undefined;

const send = (connection: Connection, dueMs: number) => {
  connection.busy = true;
  connection.dueMs = dueMs;
  connection.socket.write(requestBytes());
};

const finished = (connection: Connection) => {
  connection.busy = false;
  const next = waiting.shift();
  if (next !== undefined) send(connection, next);
  else idle.push(connection);
  if (done + errors >= expected) settle?.();
};

const open = (): Promise<Connection> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const connection: Connection = { socket, busy: false, dueMs: 0, buffer: Buffer.alloc(0) };
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk]);
      const response = responseEnd(connection.buffer);
      if (!response) return;
      connection.buffer = connection.buffer.subarray(response.end);
      latencies[done++] = performance.now() - connection.dueMs;
      const key = String(response.status);
      statusCodeStats[key] = { count: (statusCodeStats[key]?.count ?? 0) + 1 };
      finished(connection);
    });
    socket.on('close', () => {
      if (connection.busy) {
        errors++;
        finished(connection);
      }
    });
  });

idle.push(...(await Promise.all(Array.from({ length: options.connections }, open))));
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();

const start = performance.now();
const intervalMs = 1000 / options.overallRate;
let sent = 0;
const allDone = new Promise<void>((resolve) => {
  settle = resolve;
});
const tick = () => {
  const now = performance.now();
  // Every request due by now goes out (timers fire every millisecond or so; each keeps its own due time).
  while (sent < expected && start + sent * intervalMs <= now) {
    const dueMs = start + sent++ * intervalMs;
    const connection = idle.pop();
    if (connection) send(connection, dueMs);
    else waiting.push(dueMs);
  }
  if (sent < expected) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
};
tick();
await allDone;
const elapsedSeconds = (performance.now() - start) / 1000;
loop.disable();
for (const connection of idle) connection.socket.destroy();

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
    driverLoopP99Ms: round(loop.percentile(99) / 1e6),
  }),
);
process.exit(0);
