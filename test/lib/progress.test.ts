// Long steps tell how far they are, how fast they go and about how long is left, at most once a second.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, formatDuration } from '../../src/lib/progress.js';

const capture = (isTTY: boolean) => {
  const lines: string[] = [];
  return { lines, stream: Object.assign({ write: (text: string) => lines.push(text) !== 0, isTTY }) };
};

describe('progress of a long step', () => {
  it('reports done, total, percentage, rate and the time left, no more than once per interval', () => {
    let now = 0;
    const { lines, stream } = capture(false);
    const progress = createProgress({
      label: 'export',
      total: 1_000_000,
      unit: 'licenses',
      stream: stream as unknown as NodeJS.WritableStream,
      now: () => now,
    });
    now = 500;
    progress.advance(50_000);
    assert.deepEqual(lines, [], 'nothing before the first second');
    now = 1000;
    progress.advance(50_000);
    assert.deepEqual(lines, ['export: 100,000 / 1,000,000 licenses (10 %), 100,000/s, about 9 s left\n']);
    now = 1500;
    progress.advance(100_000);
    assert.equal(lines.length, 1);
    now = 61_000;
    progress.advance(0);
    assert.match(
      lines[1] ?? '',
      /^export: 200,000 \/ 1,000,000 licenses \(20 %\), 3,279\/s, about 4 min 4 s left\n$/,
    );
    progress.finish();
    assert.equal(lines[2], 'export: 200,000 licenses in 1 min 1 s\n');
  });

  it('rewrites one line in place on a terminal, and without a total says only count and rate', () => {
    let now = 0;
    const { lines, stream } = capture(true);
    const progress = createProgress({
      label: 'backup',
      stream: stream as unknown as NodeJS.WritableStream,
      now: () => now,
    });
    now = 2000;
    progress.advance(10);
    assert.deepEqual(lines, ['backup: 10, 5/s\r']);
  });

  it('durations read as seconds, minutes or hours', () => {
    assert.equal(formatDuration(4_400), '4 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    assert.equal(formatDuration(7_380_000), '2 h 3 min');
  });
});
