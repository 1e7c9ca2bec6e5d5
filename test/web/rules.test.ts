// The dashboard's form rules (web/src/api/rules.ts) are what browsers compile them as (an HTML `pattern` is a
// whole-value match with the `v` flag; one that fails to compile is silently ignored), and they accept and refuse
// exactly what the API's own schemas do on a set of typical and edge values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { productCodeSchema } from '../../src/licensing/products/schemas.js';
import { createReleaseSchema, releaseFileSchema } from '../../src/licensing/releases/schemas.js';
import { codeRule, sha256Rule, versionRule } from '../../web/src/api/rules.js';

/** How a browser applies `pattern` (HTML: `^(?:pattern)$` with the v flag). */
const asBrowser = (pattern: string) => new RegExp(`^(?:${pattern})$`, 'v');

const agree = (pattern: string, api: (value: string) => boolean, values: string[]) => {
  const browser = asBrowser(pattern);
  const disagreements = values.filter((value) => browser.test(value) !== api(value));
  assert.deepEqual(disagreements, [], `the form and the API disagree on ${JSON.stringify(disagreements)}`);
};

describe('dashboard form rules', () => {
  it('codes: the form accepts exactly what the API does', () => {
    agree(codeRule.pattern, (value) => productCodeSchema.safeParse(value).success, [
      'cad',
      'cad-suite',
      'a1',
      'x',
      'CAD',
      'cad_suite',
      'cad suite',
      '-cad',
      'é',
      'a'.repeat(64),
      'a'.repeat(65),
      '',
    ]);
  });

  it('versions: the form accepts exactly what the API does', () => {
    const api = (version: string) =>
      createReleaseSchema.safeParse({ productId: 'cad', version, channel: 'stable', files: [] }).success;
    agree(versionRule.pattern, api, [
      '2.4.1',
      '0.0.0',
      '3.0.0-beta.2',
      '1.0.0+build.5',
      '1.0.0-rc.1+build.5',
      '1.0.0-alpha-1',
      '1.0.0-alpha..1',
      '1.0.0-01',
      '1.0.0-0a',
      '1.0.0--',
      '2.4',
      'v2.4.1',
      '01.2.3',
      '1.2.3-',
      '1.2.3.4',
      '',
    ]);
  });

  it('file digests: the form accepts exactly what the API does', () => {
    const api = (sha256: string) =>
      releaseFileSchema.safeParse({ platform: 'linux-x64', url: 'https://example.com/a', sha256, size: 1 })
        .success;
    agree(sha256Rule.pattern, api, [
      'a'.repeat(64),
      '0123456789abcdef'.repeat(4),
      'A'.repeat(64),
      'a'.repeat(63),
      'g'.repeat(64),
    ]);
  });
});
