// charter licenses export: every license of the list's filters as CSV or JSON Lines, written page by page as it is
// read (a million licenses never sit in memory), to stdout or a file; progress (count, rate, time left) on stderr
// when it is a terminal or with --progress.
import { once } from 'node:events';
import { createWriteStream, openSync } from 'node:fs';
import { AppError } from '../errors/app-error.js';
import { createProgress } from '../lib/progress.js';
import type { LicenseDeps } from '../licensing/licenses/present.js';
import type { License } from '../licensing/licenses/schemas.js';
import { type LicenseListFilters, licenseCount, licensePage } from '../licensing/licenses/service.js';
import type { Command } from './command.js';
import { integer, oneOf, pages, text, type Values } from './input.js';

export const licenseExportUsage = [
  '       charter licenses export [--format csv|jsonl] [--output <file>] [--progress] [--page-size <n>]',
  '                               [--product <id|code>] [--policy <id|code>] [--customer <id|email>] [--status <status>]',
].join('\n');

export const licenseExportOptions: NonNullable<Command['options']> = {
  format: { type: 'string' },
  output: { type: 'string' },
  progress: { type: 'boolean' },
  'page-size': { type: 'string' },
};

const formats = ['csv', 'jsonl'] as const;

/** The CSV columns, in order: a license as the API answers it, features and metadata as JSON. */
const columns = [
  'id',
  'key',
  'status',
  'productId',
  'policyId',
  'customerId',
  'trial',
  'startsAt',
  'expiresAt',
  'maxMachines',
  'machinesCount',
  'transfersCount',
  'features',
  'metadata',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof License)[];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, its quotes doubled. A text that
 * a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return: a key a vendor
 * imported, say) gets a leading apostrophe, as OWASP's CSV-injection advice has it; numbers stay numbers.
 */
export const csvField = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const raw = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csvLine = (values: readonly unknown[]) => `${values.map(csvField).join(',')}\r\n`;

const pageSizeOf = (values: Values): number => {
  const size = integer(values, 'page-size') ?? 1000;
  if (!Number.isInteger(size) || size < 1 || size > 10_000)
    throw new AppError('VALIDATION_ERROR', '--page-size must be a whole number from 1 to 10000', {
      issues: [{ path: ['page-size'], message: 'from 1 to 10000', code: 'custom' }],
    });
  return size;
};

interface Sink {
  /** Resolves when the chunk is taken, waiting while the reader is slower than the database. */
  write(chunk: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where the export goes: stdout, or a file opened at the first write, so a filter naming nothing (which fails with
 * the first page) leaves no file behind.
 */
const openSink = (file: string | undefined): Sink => {
  let out: NodeJS.WritableStream | undefined;
  let failure: Error | undefined;
  const stream = () => {
    if (out) return out;
    if (file === undefined) out = process.stdout;
    else {
      out = createWriteStream('', { fd: openSync(file, 'w') });
      // stdout's errors are the CLI's (index.ts: a reader gone ends it quietly); a file's (a full disk) fail the
      // export.
      out.on('error', (error: Error) => {
        failure = error;
      });
    }
    return out;
  };
  const check = () => {
    if (failure) throw failure;
  };
  return {
    write: async (chunk) => {
      check();
      const target = stream();
      if (!target.write(chunk)) await once(target, 'drain');
      check();
    },
    close: async () => {
      check();
      if (out === undefined || out === process.stdout) return;
      out.end();
      await once(out, 'finish');
    },
  };
};

export const exportLicenses = async (
  deps: LicenseDeps,
  values: Values,
  filters: LicenseListFilters,
): Promise<void> => {
  const format = oneOf(values, 'format', formats) ?? 'csv';
  const limit = pageSizeOf(values);
  const showProgress = values.progress === true || process.stderr.isTTY === true;
  // Counted first, so the progress can say how much is left.
  const progress = showProgress
    ? createProgress({
        label: 'licenses export',
        total: await licenseCount(deps, undefined, filters),
        unit: 'licenses',
      })
    : undefined;
  // Unread output never piles up in memory: each page waits until the reader took the one before.
  const sink = openSink(text(values, 'output'));
  // The CSV header goes out with the first page, so a filter naming nothing fails before any output.
  let header = format === 'csv' ? csvLine(columns) : '';
  for await (const licenses of pages((cursor) =>
    licensePage(deps, undefined, { ...filters, limit, cursor }),
  )) {
    const lines = licenses.map((license) =>
      format === 'csv' ? csvLine(columns.map((column) => license[column])) : `${JSON.stringify(license)}\n`,
    );
    await sink.write(header + lines.join(''));
    header = '';
    progress?.advance(licenses.length);
  }
  await sink.close();
  progress?.finish();
};
