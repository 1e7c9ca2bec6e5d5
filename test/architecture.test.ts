// The house's layout rules, read from the imports of src/ (ARCHITECTURE.md "Layout rules"): the kernel knows no
// domain, nothing imports in a circle, a store is its own domain's, and services know nothing of HTTP. Each
// failure names the file and the import that break the rule.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const srcRoot = path.resolve(import.meta.dirname, '../src');

interface Import {
  /** The importing file, relative to src/. */
  from: string;
  /** The imported file relative to src/, or the package name. */
  to: string;
  /** The import as written. */
  spec: string;
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });

const files = sourceFiles(srcRoot).map((file) => path.relative(srcRoot, file).split(path.sep).join('/'));
const known = new Set(files);

const imports: Import[] = files.flatMap((file) => {
  const text = readFileSync(path.join(srcRoot, file), 'utf8');
  // Static imports, re-exports, type-only imports and dynamic import() alike.
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: spec }) => {
    if (!spec.startsWith('.')) return { from: file, to: spec, spec };
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    return { from: file, to: resolved.replace(/\.js$/, '.ts'), spec };
  });
});
const local = imports.filter((entry) => known.has(entry.to));

const kernel = ['lib/', 'errors/', 'db/', 'http/', 'config.ts'];
const inKernel = (file: string) => kernel.some((prefix) => file === prefix || file.startsWith(prefix));
const domainRoots = ['access/', 'licensing/', 'monitor/', 'ops/', 'health/', 'events/'];
const inDomain = (file: string) => domainRoots.some((prefix) => file.startsWith(prefix));

/**
 * The domain a file belongs to: access/, licensing/ and ops/ group one domain per folder (licensing/machines);
 * monitor/ and health/ are one domain each, their subfolders parts of it. Files at a group's top (access/scopes.ts,
 * licensing/visibility.ts) belong to the group.
 */
const domainOf = (file: string): string => {
  const [top, second] = file.split('/');
  if ((top === 'access' || top === 'licensing' || top === 'ops') && second && !second.endsWith('.ts'))
    return `${top}/${second}`;
  return top ?? file;
};
const isStore = (file: string) => /(^|\/)([a-z-]+-)?store\.ts$/.test(file);
const isService = (file: string) => /(^|\/)service\.ts$/.test(file);
const show = (entries: Import[]) => entries.map((entry) => `${entry.from} imports ${entry.spec}`).join('\n');

describe('architecture: the import graph of src/', () => {
  it('reads the imports of every source file', () => {
    assert.ok(files.length > 100 && local.length > 500, `${files.length} files, ${local.length} imports`);
  });

  it('the kernel (lib, errors, db, http, config.ts) imports no domain, nor the app, the start-up or the CLI', () => {
    const wrong = local.filter(
      (entry) =>
        inKernel(entry.from) &&
        (inDomain(entry.to) ||
          entry.to === 'app.ts' ||
          entry.to === 'main.ts' ||
          entry.to.startsWith('cli/')),
    );
    assert.deepEqual(wrong, [], `the kernel reaches into a domain:\n${show(wrong)}`);
  });

  it('events/ (the outbox every domain writes to) imports no domain, and only ops/ imports the operations layer', () => {
    const wrong = local.filter(
      (entry) =>
        (entry.from.startsWith('events/') && inDomain(entry.to) && !entry.to.startsWith('events/')) ||
        (entry.to.startsWith('ops/') && inDomain(entry.from) && !entry.from.startsWith('ops/')),
    );
    assert.deepEqual(wrong, [], show(wrong));
  });

  it('no domain imports the app, the start-up or the CLI', () => {
    const wrong = local.filter(
      (entry) =>
        inDomain(entry.from) &&
        (entry.to === 'app.ts' || entry.to === 'main.ts' || entry.to.startsWith('cli/')),
    );
    assert.deepEqual(wrong, [], show(wrong));
  });

  it('nothing imports in a circle', () => {
    const edges = new Map<string, string[]>();
    for (const entry of local) edges.set(entry.from, [...(edges.get(entry.from) ?? []), entry.to]);
    // Tarjan's strongly connected components: every component of more than one file (or a file importing
    // itself) is a circle.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    const visit = (file: string) => {
      index.set(file, counter);
      low.set(file, counter);
      counter += 1;
      stack.push(file);
      onStack.add(file);
      for (const next of edges.get(file) ?? []) {
        if (!index.has(next)) {
          visit(next);
          low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
        } else if (onStack.has(next)) {
          low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
        }
      }
      if (low.get(file) === index.get(file)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== file);
        if (component.length > 1 || (edges.get(file) ?? []).includes(file)) circles.push(component.sort());
      }
    };
    for (const file of files) if (!index.has(file)) visit(file);
    const described = circles.map((circle) => {
      const inside = new Set(circle);
      return show(local.filter((entry) => inside.has(entry.from) && inside.has(entry.to)));
    });
    assert.deepEqual(described, [], `import circles:\n${described.join('\n---\n')}`);
  });

  it("a store is its own domain's: no file imports another domain's store, and no store imports a service", () => {
    const wrong = local.filter(
      (entry) =>
        (isStore(entry.to) && domainOf(entry.to) !== domainOf(entry.from)) ||
        (isStore(entry.from) && isService(entry.to)),
    );
    assert.deepEqual(wrong, [], show(wrong));
  });

  it('no module re-exports a store: what other domains may call, a service names and documents', () => {
    const wrong = files.flatMap((file) => {
      if (isStore(file)) return [];
      const text = readFileSync(path.join(srcRoot, file), 'utf8');
      const fromStore = new Set(
        [...text.matchAll(/import \{([^}]*)\} from '\.\/([a-z-]+-)?store\.js'/g)].flatMap((match) =>
          (match[1] ?? '').split(',').map((name) => name.trim().split(' as ').pop() ?? ''),
        ),
      );
      const reexports = [
        ...text.matchAll(/^export (type )?\{([^}]*)\}( from '\.\/([a-z-]+-)?store\.js')?;/gm),
      ].flatMap((match) =>
        (match[2] ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '' && (match[3] !== undefined || fromStore.has(name))),
      );
      return reexports.map((name) => `${file} re-exports ${name} of its store`);
    });
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });

  it('services and stores import neither http/ nor Fastify', () => {
    const wrong = imports.filter(
      (entry) =>
        (isService(entry.from) || isStore(entry.from)) &&
        (entry.to.startsWith('http/') ||
          entry.to === 'fastify' ||
          entry.to.startsWith('fastify-') ||
          entry.to.startsWith('@fastify/')),
    );
    assert.deepEqual(wrong, [], show(wrong));
  });

  it('SQL is written in stores and db/ only', () => {
    const sqlShape = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/;
    const wrong = files.filter(
      (file) =>
        !isStore(file) &&
        !file.startsWith('db/') &&
        sqlShape.test(readFileSync(path.join(srcRoot, file), 'utf8')),
    );
    assert.deepEqual(wrong, [], `SQL outside a store:\n${wrong.join('\n')}`);
  });
});
