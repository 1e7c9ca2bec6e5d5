// The floating-seat scenario, run as its own process: `clients` simulated clients contend for the `seats` of one
// floating license in checkout → heartbeats → release cycles. A client refused a seat (FLOATING_NOT_AVAILABLE)
// retries after a short jittered backoff, as a real client would. Meanwhile a monitor lists the license's live
// leases through the Management API every 50 ms and the clients count who holds a seat: if either ever sees more
// than `seats`, the run fails loudly. Prints a JSON summary on stdout; exits 1 on any violation or unexpected status.
import { Agent, request } from 'node:http';
import { z } from 'zod';

const options = z
  .object({
    url: z.string(),
    apiKey: z.string(),
    clients: z.number().int().positive().default(200),
    seats: z.number().int().positive().default(50),
    duration: z.number().positive(),
    heartbeatsPerHold: z.number().int().min(0).default(2),
    backoffMs: z.number().int().min(0).default(20),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const agent = new Agent({ keepAlive: true, maxSockets: options.clients + 8 });
const base = new URL(options.url);

const call = (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          ...headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

const admin = { authorization: `Bearer ${options.apiKey}` };
const must = async (method: 'GET' | 'POST', path: string, body: unknown, status: number) => {
  const res = await call(method, path, body, admin);
  if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
};

// A floating license of `seats` seats, made through the Management API.
const tag = Date.now().toString(36);
const product = await must('POST', '/v1/products', { code: `seats-${tag}`, name: 'Seats bench' }, 201);
const policy = await must(
  'POST',
  '/v1/policies',
  {
    productId: product.id,
    code: 'floating',
    name: 'Floating',
    floating: true,
    maxMachines: options.seats,
    leaseSeconds: 300,
  },
  201,
);
const license = await must('POST', '/v1/licenses', { policyId: policy.id }, 201);
const licenseKey = String(license.key);

const latencies: Record<string, number[]> = { checkout: [], heartbeat: [], release: [], denied: [] };
const counts = { checkouts: 0, denials: 0, heartbeats: 0, releases: 0, unexpected: 0 };
let held = 0;
let maxHeld = 0;
let maxLive = 0;
const violations: string[] = [];
let stopped = false;
const slow: { route: string; ms: number; at: number; status: number }[] = [];
const startedAt = Date.now();

const timed = async (route: string, body: unknown) => {
  const started = process.hrtime.bigint();
  const res = await call('POST', `/v1/client/${route}`, body);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (ms > 1000 && slow.length < 20)
    slow.push({ route, ms: Math.round(ms), at: Date.now() - startedAt, status: res.status });
  return { ...res, ms };
};

const unexpected = (route: string, res: { status: number; body: string }) => {
  counts.unexpected++;
  if (counts.unexpected <= 5) process.stderr.write(`unexpected ${route} answer ${res.status}: ${res.body}\n`);
};

const simulateClient = async (index: number) => {
  const body = { licenseKey, fingerprint: `bench-seat-${tag}-${index}` };
  while (!stopped) {
    const out = await timed('checkout', body);
    if (out.status === 422 && out.body.includes('FLOATING_NOT_AVAILABLE')) {
      counts.denials++;
      latencies.denied?.push(out.ms);
      await new Promise((resolve) => setTimeout(resolve, options.backoffMs * (0.5 + Math.random())));
      continue;
    }
    if (out.status !== 201 && out.status !== 200) {
      unexpected('checkout', out);
      continue;
    }
    counts.checkouts++;
    latencies.checkout?.push(out.ms);
    held++;
    maxHeld = Math.max(maxHeld, held);
    if (held > options.seats) violations.push(`clients held ${held} seats at once (of ${options.seats})`);
    for (let beat = 0; beat < options.heartbeatsPerHold && !stopped; beat++) {
      const hb = await timed('heartbeat', body);
      if (hb.status === 200) {
        counts.heartbeats++;
        latencies.heartbeat?.push(hb.ms);
      } else unexpected('heartbeat', hb);
    }
    // The client stops counting its seat as it asks to release it; the server frees it when it answers.
    held--;
    const released = await timed('release', body);
    if (released.status === 204) {
      counts.releases++;
      latencies.release?.push(released.ms);
    } else unexpected('release', released);
  }
};

const monitor = async () => {
  while (!stopped) {
    const res = await call('GET', `/v1/leases?licenseId=${String(license.id)}&limit=200`, undefined, admin);
    if (res.status === 200) {
      const live = (JSON.parse(res.body) as { data: unknown[] }).data.length;
      maxLive = Math.max(maxLive, live);
      if (live > options.seats) {
        violations.push(`the server listed ${live} live leases (of ${options.seats})`);
        process.stderr.write(
          `\n!!! SEAT LIMIT EXCEEDED: ${live} live leases on ${options.seats} seats !!!\n`,
        );
      }
    } else unexpected('GET /v1/leases', res);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 100) / 100
  );
};

const started = Date.now();
const running = [monitor(), ...Array.from({ length: options.clients }, (_, index) => simulateClient(index))];
await new Promise((resolve) => setTimeout(resolve, options.duration * 1000));
stopped = true;
await Promise.all(running);
const seconds = (Date.now() - started) / 1000;
const operations = counts.checkouts + counts.denials + counts.heartbeats + counts.releases;
const all = Object.values(latencies).flat();
const summary = {
  clients: options.clients,
  seats: options.seats,
  seconds,
  operations,
  operationsPerSecond: Math.round(operations / seconds),
  ...counts,
  p50Ms: percentile(all, 50),
  p99Ms: percentile(all, 99),
  p99ByOperation: Object.fromEntries(
    Object.entries(latencies).map(([name, values]) => [name, percentile(values, 99)]),
  ),
  maxLiveLeasesSeen: maxLive,
  maxSeatsHeldByClients: maxHeld,
  violations: [...new Set(violations)],
  slowest: slow,
  /** CPU the load driver itself used (it shares the machine with the server). */
  driverCpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
};
process.stdout.write(JSON.stringify(summary));
agent.destroy();
if (summary.violations.length > 0 || counts.unexpected > 0) {
  process.stderr.write(
    `\nseat benchmark FAILED: ${JSON.stringify(summary.violations)}; ${counts.unexpected} unexpected answers\n`,
  );
  process.exit(1);
}
