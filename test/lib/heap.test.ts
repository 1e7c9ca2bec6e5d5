// The server's heap growth (lib/heap.ts): set for a server process, unless the operator chose one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverHeapGrowingPercent, tuneHeapGrowth } from '../../src/lib/heap.js';

describe('server heap growth', () => {
  it("leaves an operator's own --heap-growing-percent alone, on the command line or in NODE_OPTIONS", () => {
    assert.equal(tuneHeapGrowth(['--heap-growing-percent=20'], ''), false);
    assert.equal(tuneHeapGrowth([], '--max-old-space-size=512 --heap_growing_percent=80'), false);
  });

  it('sets a 1.5× growth when nothing else asks for one', () => {
    assert.equal(serverHeapGrowingPercent, 50);
    assert.equal(tuneHeapGrowth(['--enable-source-maps'], '--max-old-space-size=512'), true);
  });
});
