// Builds the package from clean: ESM with its declarations in dist/, CommonJS with its own in dist/cjs/ (a
// package.json of type commonjs marks that folder, the package's own type being module). Run by `npm run build`
// and `npm pack` (prepack), and by the Charter repository's `npm install`.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(packageDir, 'dist');
// The compiler of the tree this package sits in (the Charter repository's, or this package's own install).
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json'])
  execFileSync(process.execPath, [tsc, '-p', path.join(packageDir, project)], { stdio: 'inherit' });
writeFileSync(path.join(dist, 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
