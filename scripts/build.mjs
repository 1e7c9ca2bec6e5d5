#!/usr/bin/env node
// The build, shared by `npm install` (prepare), `npm run build` and `npm start`: the server (TypeScript → dist/)
// and the dashboard with the customer portal (web/ → web/dist and web/dist/portal, typechecked first so a renamed
// API field fails the build). With --if-stale (npm start, the tests) each part is built only when one of its
// inputs is newer than its last build, so a start with a current build costs no compile time; the server's
// compile itself is incremental (dist/.tsbuildinfo).
// --only server|web builds one part. A tree without web/ (a server-only checkout) builds the server alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const root = option('--root') ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const only = option('--only');
const ifStale = process.argv.includes('--if-stale');

const newestInput = (path) => {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestInput(join(path, entry)));
  }
  return newest;
};

const run = (args) => {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

/**
 * Brotli and gzip copies of the dashboard's scripts and styles beside them, served by the server to a browser that
 * accepts them (@fastify/static `preCompressed`): a third of the bytes on the wire, with no compression per request.
 */
const precompress = (dir) => {
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const bytes = readFileSync(join(dir, name));
    if (bytes.length < 1024) continue;
    writeFileSync(
      join(dir, `${name}.br`),
      brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
    writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  }
};

const parts = [
  {
    name: 'server',
    out: 'dist',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    build: () =>
      run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')]),
  },
  {
    name: 'dashboard',
    out: 'web/dist',
    present: () => existsSync(join(root, 'web', 'vite.config.ts')),
    // A build from before the portal existed lacks it: built again whatever the times say.
    complete: () => existsSync(join(root, 'web', 'dist', 'portal', 'index.html')),
    inputs: ['web', 'packages/sdk/src/management-api.ts', 'package.json'],
    build: () => {
      run([
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '-p',
        join(root, 'web', 'tsconfig.json'),
      ]);
      // The dashboard first (its build empties web/dist), then the customer portal into web/dist/portal.
      for (const config of ['vite.config.ts', 'portal/vite.config.ts'])
        run([
          join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          join(root, 'web', config),
          '--logLevel',
          'warn',
        ]);
      precompress(join(root, 'web', 'dist', 'assets'));
      precompress(join(root, 'web', 'dist', 'portal', 'assets'));
    },
  },
];

for (const part of parts) {
  if (only && only !== (part.name === 'dashboard' ? 'web' : part.name)) continue;
  if (part.present && !part.present()) continue;
  const stamp = join(root, part.out, '.build-stamp');
  const stale =
    !existsSync(stamp) ||
    (part.complete && !part.complete()) ||
    part.inputs.some((input) => newestInput(join(root, input)) > statSync(stamp).mtimeMs);
  if (ifStale && !stale) continue;
  const started = Date.now();
  mkdirSync(join(root, part.out), { recursive: true });
  part.build();
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`charter: built ${part.out}/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
