// The shape of a CLI command: its options (node:util parseArgs), its help text and what it runs.
import type { ParseArgsConfig, parseArgs } from 'node:util';

export interface Command {
  summary: string;
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  positionals?: boolean;
  /** Resolves to the process exit code; long-running commands resolve only when they stop. */
  run(parsed: ReturnType<typeof parseArgs>): Promise<number>;
}

export const configFileOption = (parsed: ReturnType<typeof parseArgs>): { file?: string } => {
  const file = parsed.values.config;
  return typeof file === 'string' ? { file } : {};
};
