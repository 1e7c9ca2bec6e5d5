// The monitor's parser benchmark (issue 8): an lmstat -a output of 10,000 sessions across 500 features, generated
// here, parsed in under 200 ms. Prints the median of several runs and its ratio to a baseline measured in the same
// run: splitting the same text into trimmed lines, the least any parser must do.
import { parseLmstat } from '../src/monitor/parsers/flexlm.js';
import { outputLines } from '../src/monitor/parsers/text.js';

const features = 500;
const sessionsPerFeature = 20;

const generate = (): string => {
  const lines = [
    'lmutil - Copyright (c) 1989-2024 Flexera. All Rights Reserved.',
    'Flexible License Manager status on Mon 11/23/2026 9:15',
    '',
    'License server status: 27000@lic1,27000@lic2,27000@lic3',
    'lic1: license server UP (MASTER) v11.19.6',
    'lic2: license server UP v11.19.6',
    'lic3: license server UP v11.19.6',
    '',
    'Vendor daemon status (on lic1):',
    '',
    '  cadence: UP v11.19.6',
    'Feature usage info:',
    '',
  ];
  for (let feature = 0; feature < features; feature++) {
    lines.push(
      `Users of feature_${feature}:  (Total of 100 licenses issued;  Total of ${sessionsPerFeature + 2} licenses in use)`,
      '',
      `  "feature_${feature}" v23.1, vendor: cadence, expiry: 31-dec-2027`,
      '  floating license',
      '',
    );
    for (let session = 0; session < sessionsPerFeature; session++) {
      const hour = session % 10;
      lines.push(
        `    user${session} Work Station ${session} ws-${session}.example.com /dev/pts/${session} (v23.1) (lic1/27000 ${feature * 100 + session}), start Mon 11/23 ${hour}:${String(session).padStart(2, '0')}${session % 5 === 0 ? ', 2 licenses' : ''}${session % 7 === 0 ? ', PID: 4242' : ''}`,
      );
    }
    lines.push('    2 RESERVATIONs for GROUP designers (lic1/27000)', '');
  }
  return lines.join('\n');
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const time = (work: () => unknown, runs: number) => {
  for (let warm = 0; warm < 3; warm++) work();
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    work();
    samples.push(performance.now() - started);
  }
  return median(samples);
};

export const runParseBenchmark = () => {
  const text = generate();
  const now = new Date('2026-11-23T12:00:00Z');
  const result = parseLmstat(text, { now });
  if (!result.ok || result.snapshot.sessions.length !== features * sessionsPerFeature) {
    throw new Error('the generated output did not parse to 10,000 sessions');
  }
  const baselineMs = time(() => outputLines(text).map((line) => line.trim()), 21);
  const parseMs = time(() => parseLmstat(text, { now }), 21);
  return {
    sessions: result.snapshot.sessions.length,
    features: result.snapshot.features.length,
    bytes: Buffer.byteLength(text),
    parseMs: Math.round(parseMs * 10) / 10,
    baselineMs: Math.round(baselineMs * 100) / 100,
    ratioToBaseline: Math.round((parseMs / baselineMs) * 10) / 10,
    targetMs: 200,
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = runParseBenchmark();
  process.stdout.write(
    `lmstat parse: ${figures.sessions} sessions across ${figures.features} features (${Math.round(figures.bytes / 1024)} KiB) in ${figures.parseMs} ms (target < ${figures.targetMs} ms); line-split baseline ${figures.baselineMs} ms, ratio ${figures.ratioToBaseline}\n`,
  );
  if (figures.parseMs >= figures.targetMs) process.exitCode = 1;
}
