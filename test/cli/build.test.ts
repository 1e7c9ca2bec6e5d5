// npm start builds only what changed: scripts/build.mjs --if-stale compiles when a source or a build setting is
// newer than the last build, and not at all when the build is current (the start then takes no compile time).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const script = join(repo, 'scripts', 'build.mjs');

describe('build before start (scripts/build.mjs)', () => {
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'charter-build-'));
    await mkdir(join(root, 'src'));
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'src', 'index.ts'), 'export const answer: number = 42;\n');
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(root, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true },
      }),
    );
    writeFileSync(
      join(root, 'tsconfig.build.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: {
          noEmit: false,
          rootDir: 'src',
          outDir: 'dist',
          incremental: true,
          tsBuildInfoFile: 'dist/.tsbuildinfo',
        },
        include: ['src'],
      }),
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const build = (...args: string[]) => run(process.execPath, [script, '--root', root, ...args]);
  const stampTime = () => statSync(join(root, 'dist', '.build-stamp')).mtimeMs;

  it('builds when there is no build yet, then does nothing while the build is current', async () => {
    const first = await build('--if-stale');
    assert.match(first.stderr, /built dist\/ in/);
    assert.ok(existsSync(join(root, 'dist', 'index.js')));
    const built = stampTime();
    const again = await build('--if-stale');
    assert.equal(again.stderr, '');
    assert.equal(stampTime(), built);
  });

  it('builds again when a source file is newer than the last build, and a plain build always builds', async () => {
    const source = join(root, 'src', 'index.ts');
    writeFileSync(source, 'export const answer: number = 43;\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);
    const rebuilt = await build('--if-stale');
    assert.match(rebuilt.stderr, /built dist\/ in/);
    assert.match(
      await import('node:fs/promises').then((fs) => fs.readFile(join(root, 'dist', 'index.js'), 'utf8')),
      /43/,
    );
    utimesSync(
      join(root, 'dist', '.build-stamp'),
      new Date(Date.now() + 10_000),
      new Date(Date.now() + 10_000),
    );
    assert.equal((await build('--if-stale')).stderr, '');
    assert.match((await build()).stderr, /built dist\/ in/);
  });

  it('a compile error fails the build and leaves the stamp alone, so the next start tries again', async () => {
    const before = stampTime();
    writeFileSync(join(root, 'src', 'index.ts'), 'export const answer: number = "forty-two";\n');
    const later = new Date(Date.now() + 20_000);
    utimesSync(join(root, 'src', 'index.ts'), later, later);
    await assert.rejects(build('--if-stale'));
    assert.equal(stampTime(), before);
  });
});
