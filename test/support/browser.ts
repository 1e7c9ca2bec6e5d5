// A real Chromium for the dashboard's tests (playwright-core drives Debian's /usr/bin/chromium; .ci/run installs
// it). Without Chromium the browser suites skip with one line saying so, except under CI=true, where they fail.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from './cli.js';

export const chromiumPath = process.env.CHARTER_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser suites cannot run here, or undefined when they can. */
export const browserMissing = (): string | undefined => {
  if (existsSync(chromiumPath)) return undefined;
  const reason = `no Chromium at ${chromiumPath} (apt-get install chromium): the dashboard's browser tests are skipped`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason;
};

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });

const screenshots = path.join(repoRoot, 'test-results', 'dashboard');

/** Writes a screenshot of the page under test-results/dashboard/ (ignored by git). */
export const screenshot = async (page: Page, name: string) => {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
};

/** The accessibility violations axe rates serious or critical on the page as it is now, as readable lines. */
export const seriousViolations = async (page: Page): Promise<string[]> => {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node: { target: unknown[] }) => node.target.join(' '))
          .join('; ')}`,
    );
};

/** The pages a suite checked with axe, each with its serious or critical violations (none expected). */
export type AccessibilityLog = Record<string, string[]>;

/** Waits for the page's heading, keeps its screenshot and checks it with axe into `log`. */
export const look = async (page: Page, name: string, log: AccessibilityLog) => {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await screenshot(page, name);
  log[name] = await seriousViolations(page);
};

/** Follows a section of the dashboard's sidebar. */
export const go = (page: Page, section: string) =>
  page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('link', { name: section, exact: true })
    .click();

/** Signs in through the dashboard's page as a person does, and waits for the overview. */
export const signInThroughPage = async (
  page: Page,
  url: string,
  who: { email: string; password: string },
) => {
  await page.goto(url);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
};
