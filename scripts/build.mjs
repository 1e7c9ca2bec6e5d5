#!/usr/bin/env node
// The server's build (TypeScript → dist/), shared by `npm install` (prepare), `npm run build` and `npm start`.
// With --if-stale (npm start) it compiles only when a source or build setting is newer than the last build, so a
// start with a current build costs no compile time; the compile itself is incremental (dist/.tsbuildinfo).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootAt = process.argv.indexOf('--root');
const root = rootAt > 0 ? process.argv[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

const newestInput = (path) => {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestInput(join(path, entry)));
  return newest;
};

const stale = () => {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newestInput(join(root, input)) > built);
};

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

const started = Date.now();
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
mkdirSync(join(root, 'dist'), { recursive: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stderr.write(`charter: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
