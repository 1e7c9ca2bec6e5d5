// The CSV fields of `charter licenses export`: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { csvField } from '../../src/cli/license-export.js';

/** Reads one RFC 4180 field back (what a spreadsheet shows). */
const unquote = (field: string) => (field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field);

describe('licenses export: CSV fields', () => {
  it('quotes a field holding a comma, a quote or a line break and doubles its quotes', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField({ seats: 5 }), '"{""seats"":5}"');
  });

  it('a text starting as a formula (=, +, -, @, tab, CR) gets a leading apostrophe; numbers stay numbers', () => {
    for (const hostile of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      assert.equal(unquote(csvField(hostile)), `'${hostile}`);
    assert.equal(csvField(-5), '-5');
    assert.equal(csvField('ABCD-1234'), 'ABCD-1234');
  });

  it('no generated text yields a cell that starts with a formula character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const shown = unquote(csvField(text));
        assert.ok(!/^[=+\-@\t\r]/.test(shown), JSON.stringify(shown));
        assert.equal(shown.replace(/^'(?=[=+\-@\t\r])/, ''), text);
      }),
      { numRuns: 2000 },
    );
  });
});
