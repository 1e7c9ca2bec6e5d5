// Running a license utility (monitor.md "Servers"): the binary comes from configuration only, its arguments are an
// argument vector (never a shell), stdin is closed, the environment holds no license search paths and speaks C,
// output is capped, and at the timeout the whole process group is killed (SIGTERM, then SIGKILL a moment later),
// so a hung utility and any children it started go away.
import { spawn } from 'node:child_process';

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the utility could not be started (ENOENT, EACCES …). */
  spawnError: NodeJS.ErrnoException | null;
  durationMs: number;
}

/** Utility output past this is cut (a real `lmstat -a` of a large EDA server is 1.4 MB). */
export const outputCapBytes = 16 * 1024 * 1024;
const killGraceMs = 2000;

// Variables that would let a utility search other license files than the address it is given.
const strippedVariables = /^(LM_LICENSE_FILE|[A-Z0-9_]+_LICENSE_FILE|RLM_LICENSE|LMX_LICENSE_PATH)$/;

const utilityEnvironment = (base: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) if (!strippedVariables.test(key)) env[key] = value;
  return { ...env, LANG: 'C', LC_ALL: 'C' };
};

export const runUtility = (
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> =>
  new Promise((resolve) => {
    const started = performance.now();
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let kept = 0;
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    const child = spawn(command, args, {
      shell: false,
      detached: true,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: utilityEnvironment(options.env ?? process.env),
    });
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    let forceTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      forceTimer = setTimeout(() => killGroup('SIGKILL'), killGraceMs);
    }, options.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (kept >= outputCapBytes) return;
      into.push(chunk.subarray(0, outputCapBytes - kept));
      kept += chunk.length;
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (forceTimer) clearTimeout(forceTimer);
      // Children the utility left behind in its group go with it.
      if (timedOut) killGroup('SIGKILL');
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        exitCode,
        signal,
        timedOut,
        spawnError,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
