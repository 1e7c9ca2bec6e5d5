// One dashboard under test: the web build (rebuilt when a source is newer), `charter serve` on a fresh SQLite data
// directory with the bootstrap owner and the operators a suite needs, and a Chromium. `signIn` opens a context
// signed in through the page (dialogs accepted), `look` screenshots a page and records its axe findings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type AccessibilityLog, launchBrowser, look, signInThroughPage } from './browser.js';
import { repoRoot, type ServedCli, serveCli, signInAsOwner } from './cli.js';

export interface Operator {
  email: string;
  password: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin' | 'owner';
}

export interface Dashboard {
  server: ServedCli;
  dataDir: string;
  browser: Browser;
  /** A Management call as the bootstrap owner. */
  call: Awaited<ReturnType<typeof signInAsOwner>>;
  /** The pages looked at, each with its serious or critical axe violations. */
  accessibility: AccessibilityLog;
  look: (page: Page, name: string) => Promise<void>;
  signIn: (who: { email: string; password: string }) => Promise<{ context: BrowserContext; page: Page }>;
  close: () => Promise<void>;
}

export const openDashboard = async (
  name: string,
  /** The server's environment (given the data directory, for what lives in it). */
  env: Record<string, string> | ((dataDir: string) => Record<string, string>),
  operators: readonly Operator[],
): Promise<Dashboard> => {
  const build = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts/build.mjs'), '--if-stale', '--only', 'web'],
    { encoding: 'utf8' },
  );
  assert.equal(build.status, 0, build.stderr);
  const dataDir = mkdtempSync(path.join(tmpdir(), `charter-${name}-`));
  const server = await serveCli({
    CHARTER_DATA_DIR: dataDir,
    ...(typeof env === 'function' ? env(dataDir) : env),
  });
  const call = await signInAsOwner(server.url);
  for (const operator of operators) {
    const created = await call('POST', '/v1/operators', operator);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const browser = await launchBrowser();
  const accessibility: AccessibilityLog = {};
  return {
    server,
    dataDir,
    browser,
    call,
    accessibility,
    look: (page, pageName) => look(page, pageName, accessibility),
    signIn: async (who) => {
      const context = await browser.newContext();
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await signInThroughPage(page, server.url, who);
      return { context, page };
    },
    close: async () => {
      await browser.close();
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
