// Canonical JSON as api.md defines it for signed validations: keys sorted at every depth, no whitespace,
// values as JSON.stringify writes them. Expected texts are written out by hand, not produced by the code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../src/lib/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth, inside arrays too, and writes no whitespace', () => {
    const value = { b: 1, a: { d: [{ z: true, y: null }], c: 'x' } };
    assert.equal(canonicalJson(value), '{"a":{"c":"x","d":[{"y":null,"z":true}]},"b":1}');
  });

  it('leaves out undefined members and writes undefined array items as null, as JSON.stringify does', () => {
    assert.equal(canonicalJson({ b: undefined, a: [undefined, 2] }), '{"a":[null,2]}');
  });

  it('escapes strings and keys exactly as JSON.stringify does', () => {
    assert.equal(canonicalJson({ 'é"\n': 'line\u2028\u0001' }), '{"é\\"\\n":"line\u2028\\u0001"}');
  });

  it('orders keys by UTF-16 code units, so capitals come before lowercase', () => {
    assert.equal(canonicalJson({ b: 1, B: 2, a: 3, _: 4 }), '{"B":2,"_":4,"a":3,"b":1}');
  });

  it('writes scalars and empty containers as JSON.stringify does', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson(1.5), '1.5');
    assert.equal(canonicalJson('s'), '"s"');
    assert.equal(canonicalJson({ a: {}, b: [] }), '{"a":{},"b":[]}');
  });
});

describe('canonicalJson with integer-like keys', () => {
  it('sorts them as strings too, though JavaScript enumerates them first and numerically', () => {
    assert.equal(
      canonicalJson({ meta: { b: 0, '10': 1, '2': 2, '!': 3 }, a: 1 }),
      '{"a":1,"meta":{"!":3,"10":1,"2":2,"b":0}}',
    );
  });
});
