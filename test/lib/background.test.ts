import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { type BackgroundRun, background, backgroundChannel } from '../../src/lib/background.js';

describe('background work', () => {
  it('publishes each job’s name, duration and outcome to a listener, and answers the job’s value', async () => {
    const runs: BackgroundRun[] = [];
    const listener = (message: unknown) => runs.push(message as BackgroundRun);
    subscribe(backgroundChannel, listener);
    try {
      const value = await background('sweep', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return 42;
      });
      assert.equal(value, 42);
      await assert.rejects(
        background('flush', async () => {
          throw new Error('disk full');
        }),
        /disk full/,
      );
    } finally {
      unsubscribe(backgroundChannel, listener);
    }
    assert.deepEqual(
      runs.map((run) => [run.name, run.failed]),
      [
        ['sweep', false],
        ['flush', true],
      ],
    );
    assert.ok((runs[0]?.ms ?? 0) >= 15, `a 20 ms job lasted ${runs[0]?.ms} ms`);
  });

  it('publishes nothing, and still runs the job, when nobody listens', async () => {
    const runs: unknown[] = [];
    const other = (message: unknown) => runs.push(message);
    // A listener on another channel sees nothing of ours.
    subscribe('charter:other', other);
    try {
      assert.equal(await background('sweep', async () => 'done'), 'done');
    } finally {
      unsubscribe('charter:other', other);
    }
    assert.deepEqual(runs, []);
  });
});
