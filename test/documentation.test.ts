// The repository's documentation stands alone: every relative link in README, ARCHITECTURE, docs/, deploy/ and
// the SDK's README leads to a file (and heading) of this repository, and none points outside it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '..');
const documents = [
  'README.md',
  'ARCHITECTURE.md',
  ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`),
  ...['deploy/README.md', 'packages/sdk/README.md'].filter((path) => existsSync(join(root, path))),
].filter((path) => path.endsWith('.md'));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (text: string) =>
  new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));

describe('documentation', () => {
  it('names no file outside the repository', () => {
    for (const document of documents) {
      const text = readFileSync(join(root, document), 'utf8');
      assert.doesNotMatch(text, /\.\.\/shared|shared\/spec|spec\/[a-z]+\.md/, document);
    }
  });

  it('every relative link leads to a file of the repository, and every #anchor to a heading', () => {
    const broken: string[] = [];
    for (const document of documents) {
      const text = readFileSync(join(root, document), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const file = path ? resolve(dirname(join(root, document)), path) : join(root, document);
        if (!file.startsWith(root) || !existsSync(file)) {
          broken.push(`${document}: ${target}`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor))
          broken.push(`${document}: ${target} (no heading #${anchor} in ${relative(root, file)})`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
