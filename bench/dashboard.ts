// The dashboard's first load, measured in Debian's Chromium against `charter serve` (the compiled server, as
// `npm start` runs it): the JavaScript and CSS of the first load (bytes, and gzip as a server or proxy would send
// them), and the time from navigating to /licenses (signed in, nothing cached) until the first page of licenses
// is on screen, on an empty database (the baseline) and on the benchmarks' seeded one (1,000,000 licenses by
// default, BENCH_LICENSES), with the overview (licenses counted by status) beside it. Each figure is the median
// of BENCH_REPEAT loads (5); the ratio to the empty database is what to compare across these noisy machines.
//   npx tsx bench/dashboard.ts
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { seed } from './seed.js';

const root = path.resolve(import.meta.dirname, '..');
const licenses = Number(process.env.BENCH_LICENSES ?? 1_000_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 5);
const owner = { email: 'bench@example.com', password: 'bench password 12345' };
const chromiumPath = process.env.CHARTER_CHROMIUM ?? '/usr/bin/chromium';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const serve = async (dataDir: string) => {
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/index.js'), 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      CHARTER_DATA_DIR: dataDir,
      CHARTER_BOOTSTRAP_EMAIL: owner.email,
      CHARTER_BOOTSTRAP_PASSWORD: owner.password,
      CHARTER_RATE_LIMIT_MANAGEMENT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('close', () => reject(new Error(`server exited: ${output}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
};

/** Median milliseconds from navigation to the first licenses row, and to the overview's figures. */
const measure = async (url: string) => {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const list: number[] = [];
  const overview: number[] = [];
  try {
    for (let run = 0; run < repeat; run += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url);
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      let started = performance.now();
      await page.goto(`${url}/licenses`);
      // The first row, or on the empty database the list's own word that there is none.
      await page
        .getByRole('table', { name: 'Licenses' })
        .getByRole('row')
        .nth(1)
        .or(page.getByText('No license matches.'))
        .waitFor({ timeout: 60_000 });
      list.push(performance.now() - started);
      started = performance.now();
      await page.goto(url);
      await page.getByRole('link', { name: /^\d+ active$/ }).waitFor({ timeout: 60_000 });
      overview.push(performance.now() - started);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { list: median(list), overview: median(overview) };
};

const firstLoad = () => {
  const html = readFileSync(path.join(root, 'web/dist/index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(path.join(root, 'web/dist', file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 6 }).length;
  }
  const lazy = readdirSync(path.join(root, 'web/dist/assets')).filter(
    (file) => !files.includes(`assets/${file}`),
  );
  return { files: files.length, raw, gzip, lazy: lazy.length };
};

const main = async () => {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium)`);
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('the build failed');
  const load = firstLoad();
  console.log(
    `first load: ${load.files} files, ${(load.raw / 1024).toFixed(1)} KiB, ${(load.gzip / 1024).toFixed(1)} KiB gzip (${load.lazy} more files load with their pages)`,
  );

  const results: { name: string; list: number; overview: number }[] = [];
  for (const [name, count] of [
    ['empty database (baseline)', 0],
    [`${licenses.toLocaleString('en')} licenses`, licenses],
  ] as const) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'charter-bench-dashboard-'));
    try {
      if (count > 0) await seed(dataDir, { licenses: count, machinesPerLicense: 2, activationPool: 0 });
      const server = await serve(dataDir);
      try {
        results.push({ name, ...(await measure(server.url)) });
      } finally {
        server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const [baseline] = results;
  console.log('| database | license list on screen (ms) | ratio | overview figures (ms) | ratio |');
  console.log('|---|---|---|---|---|');
  for (const result of results)
    console.log(
      `| ${result.name} | ${result.list.toFixed(0)} | ${(result.list / (baseline?.list ?? 1)).toFixed(2)} | ${result.overview.toFixed(0)} | ${(result.overview / (baseline?.overview ?? 1)).toFixed(2)} |`,
    );
};

await main();
