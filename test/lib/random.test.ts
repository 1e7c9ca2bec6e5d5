// Ids: prefixed ULIDs, and within one millisecond each id sorts after the one drawn before it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId, ulid } from '../../src/lib/random.js';

describe('ids', () => {
  it('ids drawn in one millisecond sort in the order they were drawn', () => {
    const at = Date.parse('2026-11-23T06:00:00.000Z');
    const ids = Array.from({ length: 1000 }, () => newId('evt', at));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('a later millisecond sorts after an earlier one, whatever the random part', () => {
    const earlier = ulid(1_000);
    const later = ulid(1_001);
    assert.ok(earlier < later);
    assert.equal(later.slice(0, 10) > earlier.slice(0, 10), true);
  });
});
