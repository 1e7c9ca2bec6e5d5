// Stall accounting inside the server under benchmark: the event loop's delay (perf_hooks.monitorEventLoopDelay,
// 1 ms resolution) and every garbage collection pause (PerformanceObserver 'gc' entries), plus the background
// work the server did meanwhile (the 'charter:background' diagnostics channel: each run of a worker, a usage
// flush, a checkpoint, with its duration on the event loop). bench/run.ts resets it before a measured run and
// reads it after, over the IPC channel, so each scenario prints its own stalls beside its latency.
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { constants, createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { type BackgroundRun, backgroundChannel } from '../src/lib/background.js';

export interface StallReport {
  /** Inside the server: from a request's arrival (its 'request' event) to the end of its response, ms. */
  serverP50Ms: number;
  serverP99Ms: number;
  /** Event-loop delay, ms: how late a 1 ms timer fired. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcP99Ms: number;
  gcMaxMs: number;
  /** GC pauses by kind (minor = scavenge of the young generation, major = mark-compact, …): count and total ms. */
  gcByKind: Record<string, { count: number; totalMs: number; maxMs: number }>;
  /** process.memoryUsage() at the end of the run, MB. */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /**
   * Stalls: the event loop late by more than 5 ms (a 1 ms timer's gaps), each attributed to what overlapped it —
   * a GC pause, a background job (by name), or nothing of ours ('unexplained': request work or the CPU given to
   * another process).
   */
  stallsOver5Ms: Record<string, { count: number; maxMs: number }>;
  /** Time the main thread waited for a CPU while runnable (Linux schedstat), ms: the machine, not the server. */
  runQueueWaitMs: number | null;
  /** Background work during the run, by name: how many runs and the longest time one held the event loop. */
  background: Record<string, { runs: number; totalMs: number; maxMs: number }>;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

// The kind of each GC entry: minor is a scavenge of the young generation, major a mark-compact of the whole heap.
const gcKinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Nanoseconds the main thread has spent runnable but waiting for a CPU (second field of schedstat). */
const runQueueWaitNs = (): number | null => {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return null;
  }
};

interface Span {
  start: number;
  end: number;
  name: string;
}

export const startStallRecorder = () => {
  let spans: Span[] = [];
  let stalls: Span[] = [];
  let waitAtReset = runQueueWaitNs();
  let last = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    if (now - last > 6) stalls.push({ start: last + 1, end: now, name: 'stall' });
    last = now;
  }, 1);
  sampler.unref();
  // Microseconds: a histogram records integers.
  const requests = createHistogram();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gcPauses: number[] = [];
  let gcByKind: StallReport['gcByKind'] = {};
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcPauses.push(entry.duration);
      spans.push({ start: entry.startTime, end: entry.startTime + entry.duration, name: 'gc' });
      const kind = gcKinds[(entry as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      const byKind = gcByKind[kind] ?? { count: 0, totalMs: 0, maxMs: 0 };
      byKind.count += 1;
      byKind.totalMs = round(byKind.totalMs + entry.duration);
      byKind.maxMs = round(Math.max(byKind.maxMs, entry.duration));
      gcByKind[kind] = byKind;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  let background: StallReport['background'] = {};
  subscribe(backgroundChannel, (message) => {
    const run = message as BackgroundRun;
    const now = performance.now();
    spans.push({ start: now - run.ms, end: now, name: run.name });
    const entry = background[run.name] ?? { runs: 0, totalMs: 0, maxMs: 0 };
    entry.runs += 1;
    entry.totalMs = round(entry.totalMs + run.ms);
    entry.maxMs = round(Math.max(entry.maxMs, run.ms));
    background[run.name] = entry;
  });
  return {
    /** Times every request of this HTTP server. */
    watch: (server: Server) => {
      server.on('request', (_request, response) => {
        const started = performance.now();
        response.once('finish', () =>
          requests.record(Math.max(1, Math.round((performance.now() - started) * 1000))),
        );
      });
    },
    reset: () => {
      requests.reset();
      loop.reset();
      gcPauses = [];
      gcByKind = {};
      background = {};
      spans = [];
      stalls = [];
      waitAtReset = runQueueWaitNs();
    },
    report: (): StallReport => {
      const sorted = [...gcPauses].sort((a, b) => a - b);
      return {
        serverP50Ms: round(requests.percentile(50) / 1000),
        serverP99Ms: round(requests.percentile(99) / 1000),
        loopDelayP99Ms: round(loop.percentile(99) / 1e6),
        loopDelayMaxMs: round(loop.max / 1e6),
        gcCount: sorted.length,
        gcTotalMs: round(sorted.reduce((sum, value) => sum + value, 0)),
        gcP99Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0),
        gcMaxMs: round(sorted.at(-1) ?? 0),
        gcByKind,
        stallsOver5Ms: attribute(stalls, spans),
        runQueueWaitMs: (() => {
          const now = runQueueWaitNs();
          return now === null || waitAtReset === null ? null : round((now - waitAtReset) / 1e6);
        })(),
        memory: Object.fromEntries(
          Object.entries(process.memoryUsage()).map(([name, bytes]) => [name, Math.round(bytes / 2 ** 20)]),
        ) as StallReport['memory'],
        background,
      };
    },
  };
};

/** Names each stall after the first span that overlaps it (GC first: it stops everything), else 'unexplained'. */
const attribute = (stalls: Span[], spans: Span[]): StallReport['stallsOver5Ms'] => {
  const out: StallReport['stallsOver5Ms'] = {};
  const ordered = [...spans].sort((a, b) => (a.name === 'gc' ? 0 : 1) - (b.name === 'gc' ? 0 : 1));
  for (const stall of stalls) {
    const cause =
      ordered.find((span) => span.start < stall.end && span.end > stall.start)?.name ?? 'unexplained';
    const entry = out[cause] ?? { count: 0, maxMs: 0 };
    entry.count += 1;
    entry.maxMs = round(Math.max(entry.maxMs, stall.end - stall.start));
    out[cause] = entry;
  }
  return out;
};

/**
 * The reports of several processes as one: counts and totals added, maxima and percentiles the highest of any
 * process (a p99 of the slowest process, not of the requests pooled: an upper bound), memory added.
 */
export const mergeStallReports = (reports: StallReport[]): StallReport => {
  const max = (pick: (report: StallReport) => number) => Math.max(0, ...reports.map(pick));
  const sum = (pick: (report: StallReport) => number) =>
    round(reports.reduce((total, report) => total + pick(report), 0));
  // Per-name entries: every figure added, except the longest (maxMs), which is the longest of any process.
  const mergeCounts = <T extends Record<string, object>>(pick: (report: StallReport) => T): T => {
    const out: Record<string, Record<string, number>> = {};
    for (const report of reports)
      for (const [name, entry] of Object.entries(pick(report))) {
        const into = out[name] ?? {};
        out[name] = into;
        for (const [field, value] of Object.entries(entry as Record<string, number>))
          into[field] =
            field === 'maxMs' ? Math.max(into[field] ?? 0, value) : round((into[field] ?? 0) + value);
      }
    return out as T;
  };
  const waits = reports.map((report) => report.runQueueWaitMs);
  return {
    serverP50Ms: max((report) => report.serverP50Ms),
    serverP99Ms: max((report) => report.serverP99Ms),
    loopDelayP99Ms: max((report) => report.loopDelayP99Ms),
    loopDelayMaxMs: max((report) => report.loopDelayMaxMs),
    gcCount: sum((report) => report.gcCount),
    gcTotalMs: sum((report) => report.gcTotalMs),
    gcP99Ms: max((report) => report.gcP99Ms),
    gcMaxMs: max((report) => report.gcMaxMs),
    gcByKind: mergeCounts((report) => report.gcByKind),
    stallsOver5Ms: mergeCounts((report) => report.stallsOver5Ms),
    runQueueWaitMs: waits.some((wait) => wait === null)
      ? null
      : round(waits.reduce<number>((total, wait) => total + (wait ?? 0), 0)),
    memory: {
      rss: sum((report) => report.memory.rss),
      heapTotal: sum((report) => report.memory.heapTotal),
      heapUsed: sum((report) => report.memory.heapUsed),
      external: sum((report) => report.memory.external),
      arrayBuffers: sum((report) => report.memory.arrayBuffers),
    },
    background: mergeCounts((report) => report.background),
  };
};
