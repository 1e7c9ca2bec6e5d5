// Progress of a long step (a backup, an export, the bench seed) on a terminal stream: how far, how fast and about
// how long is left, rewritten at most once a second, and a last line when done.

export interface Progress {
  /** `done` units more are through. */
  advance(done: number): void;
  /** The last line: the total and the time it took. */
  finish(): void;
}

export interface ProgressOptions {
  label: string;
  /** What the whole is, when known (a row count, pages): without it, no percentage and no time left. */
  total?: number | undefined;
  unit?: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds between two lines (default 1,000). */
  everyMs?: number;
  now?: () => number;
}

const formatCount = (value: number) => Math.round(value).toLocaleString('en-US');

export const formatDuration = (ms: number): string => {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

export const createProgress = (options: ProgressOptions): Progress => {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 1000;
  const unit = options.unit ? ` ${options.unit}` : '';
  const started = now();
  // On a terminal the line is rewritten in place; elsewhere (a log, a pipe) each report is a line of its own.
  const end = stream.isTTY ? '\r' : '\n';
  let done = 0;
  let lastReport = started;

  const line = (at: number): string => {
    const elapsed = at - started;
    const rate = elapsed > 0 ? (done / elapsed) * 1000 : 0;
    const { total } = options;
    if (total === undefined || total <= 0)
      return `${options.label}: ${formatCount(done)}${unit}, ${formatCount(rate)}/s`;
    const percent = Math.min(100, (done / total) * 100);
    const left = rate > 0 ? ((total - done) / rate) * 1000 : undefined;
    return `${options.label}: ${formatCount(done)} / ${formatCount(total)}${unit} (${percent.toFixed(0)} %), ${formatCount(rate)}/s${
      left === undefined ? '' : `, about ${formatDuration(left)} left`
    }`;
  };

  return {
    advance(more) {
      done += more;
      const at = now();
      if (at - lastReport < everyMs) return;
      lastReport = at;
      stream.write(`${line(at)}${end}`);
    },
    finish() {
      const elapsed = now() - started;
      stream.write(`${options.label}: ${formatCount(done)}${unit} in ${formatDuration(elapsed)}\n`);
    },
  };
};
