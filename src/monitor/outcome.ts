// From a utility run to a poll outcome (monitor.md's table): a run that could not start is exec_failed, one killed
// at its timeout is timeout; otherwise the text decides (it is parsed whatever the exit status: a triad with a dead
// member exits 0, and some failures exit 0 too). A non-zero exit whose text is not a status is query_failed when
// it printed something, exec_failed when it printed nothing (a loader that failed).
import type { ErrorCode } from '../errors/catalog.js';
import { parseLmstat } from './parsers/flexlm.js';
import { parseRlmstat } from './parsers/rlm.js';
import type { Snapshot } from './parsers/snapshot.js';
import { decodeUtilityOutput } from './parsers/text.js';
import type { RunResult } from './runner.js';

export type ServerKind = 'flexlm' | 'rlm';
export type PollOutcome = 'ok' | 'unreachable' | 'query_failed' | 'parse_error' | 'exec_failed' | 'timeout';

export const outcomeCodes: Record<Exclude<PollOutcome, 'ok'>, ErrorCode> = {
  unreachable: 'LICENSE_SERVER_UNREACHABLE',
  query_failed: 'LICENSE_QUERY_FAILED',
  parse_error: 'LICENSE_PARSE_ERROR',
  exec_failed: 'COMMAND_EXECUTION_FAILED',
  timeout: 'COMMAND_TIMEOUT',
};

export interface Interpretation {
  outcome: PollOutcome;
  code: ErrorCode | null;
  message: string | null;
  snapshot: Snapshot | null;
  /** stdout then stderr, decoded. */
  rawOutput: string;
}

export const interpretRun = (
  kind: ServerKind,
  command: string,
  run: RunResult,
  timeoutSeconds: number,
  now: Date,
): Interpretation => {
  const stdout = decodeUtilityOutput(run.stdout);
  const stderr = decodeUtilityOutput(run.stderr);
  const rawOutput = stderr.trim() === '' ? stdout : `${stdout}${stdout.endsWith('\n') ? '' : '\n'}${stderr}`;
  const failed = (outcome: Exclude<PollOutcome, 'ok'>, message: string): Interpretation => ({
    outcome,
    code: outcomeCodes[outcome],
    message,
    snapshot: null,
    rawOutput,
  });
  if (run.spawnError) {
    return failed(
      'exec_failed',
      `${command} could not be started: ${run.spawnError.code ?? run.spawnError.message}`,
    );
  }
  if (run.timedOut) return failed('timeout', `${command} ran past ${timeoutSeconds} s and was killed`);
  if (run.signal) return failed('exec_failed', `${command} was killed by ${run.signal}`);
  const parsed = (kind === 'flexlm' ? parseLmstat : parseRlmstat)(rawOutput, { now });
  if (parsed.ok) return { outcome: 'ok', code: null, message: null, snapshot: parsed.snapshot, rawOutput };
  if (parsed.outcome === 'parse_error' && run.exitCode !== 0) {
    const firstLine = rawOutput
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim();
    return firstLine
      ? failed('query_failed', `${command} exited ${run.exitCode}: ${firstLine.slice(0, 500)}`)
      : failed('exec_failed', `${command} exited ${run.exitCode} and printed nothing`);
  }
  return failed(parsed.outcome, parsed.message);
};
