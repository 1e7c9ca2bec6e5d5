// Runs the charter CLI as a child process (argument vector, no shell): the compiled one in dist/, the program a
// user runs (bin/charter.js), rebuilt first when a source is newer than the last build. Starting it through tsx
// instead costs about 3 s a run, which the CLI suites pay a few hundred times.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repoRoot, 'dist/cli/index.js');

let built = false;
/** Brings dist/ up to date with src/ once per test process (a no-op costs about 0.2 s). */
const ensureBuilt = () => {
  if (built) return;
  const build = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts/build.mjs'), '--if-stale', '--only', 'server'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0)
    throw new Error(`the CLI could not be built (scripts/build.mjs):\n${build.stdout}${build.stderr}`);
  built = true;
};

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...env,
});

export const startCli = (args: string[], env: Record<string, string> = {}, cwd = repoRoot): ChildProcess => {
  ensureBuilt();
  return spawn(process.execPath, [entry, ...args], {
    cwd,
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
};

export const runCli = (
  args: string[],
  env: Record<string, string> = {},
  cwd = repoRoot,
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = startCli(args, env, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** The bootstrap owner every served test server is given (CHARTER_BOOTSTRAP_EMAIL/PASSWORD). */
export const owner = { email: 'owner@example.com', password: 'correct horse battery staple' };

export interface ServedCli {
  child: ChildProcess;
  /** http://127.0.0.1:<port>, read from the server's "Server listening at" line. */
  url: string;
  /** The exit code, once the process has ended. */
  exited: Promise<number | null>;
}

/** `charter serve` on a free port with the bootstrap owner and rate limits off; resolves once it listens. */
export const serveCli = async (env: Record<string, string>, args: string[] = []): Promise<ServedCli> => {
  const child = startCli(['serve', ...args], {
    PORT: '0',
    CHARTER_BOOTSTRAP_EMAIL: owner.email,
    CHARTER_BOOTSTRAP_PASSWORD: owner.password,
    CHARTER_RATE_LIMIT_CLIENT_KEY: '0',
    CHARTER_RATE_LIMIT_CLIENT_IP: '0',
    CHARTER_RATE_LIMIT_MANAGEMENT: '0',
    ...env,
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('close', () => reject(new Error(`server exited early: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, url, exited };
};

/** Signs in as an operator: a Management call with the session cookie and CSRF token (a 204 answers `{}`). */
export const signInAs = async (url: string, who: { email: string; password: string }) => {
  const login = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
};

/** Signs in as the bootstrap owner. */
export const signInAsOwner = (url: string) => signInAs(url, owner);
