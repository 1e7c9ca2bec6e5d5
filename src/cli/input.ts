// What the resource commands share about their input: reading options, parsing them with the route's own schema
// (so the CLI refuses exactly what the API refuses), walking every page of a list, and the caller the CLI acts as.
import type { parseArgs } from 'node:util';
import { systemAuditContext } from '../access/audit/service.js';
import type { Caller } from '../access/caller.js';
import { decodeCursor } from '../db/pagination.js';
import { AppError } from '../errors/app-error.js';
import { normalizeLicenseKey } from '../licensing/licenses/license-key.js';
import type { LicenseDeps } from '../licensing/licenses/present.js';
import type { License } from '../licensing/licenses/schemas.js';
import { getLicense, licensePage } from '../licensing/licenses/service.js';

export type Values = ReturnType<typeof parseArgs>['values'];

/** The CLI acts with every right and is audited as itself. */
export const cliSystemCaller: Caller = { principal: undefined, audit: systemAuditContext('cli') };

export const text = (values: Values, name: string): string | undefined =>
  typeof values[name] === 'string' ? (values[name] as string) : undefined;

/** Every value of a repeatable option (`--item a --item b`). */
export const texts = (values: Values, name: string): string[] => {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
};

export const integer = (values: Values, name: string): number | undefined =>
  text(values, name) === undefined ? undefined : Number(text(values, name));

/** An option holding JSON (`--metadata '{"plan":"pro"}'`). */
export const json = (values: Values, name: string): unknown => {
  const value = text(values, name);
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new AppError('VALIDATION_ERROR', `--${name} must be JSON`, {
      issues: [{ path: [name], message: 'must be JSON', code: 'custom' }],
    });
  }
};

export const oneOf = <T extends string>(
  values: Values,
  name: string,
  allowed: readonly T[],
): T | undefined => {
  const value = text(values, name);
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new AppError('VALIDATION_ERROR', `--${name} must be one of ${allowed.join(', ')}`, {
    issues: [{ path: [name], message: `one of ${allowed.join(', ')}`, code: 'custom' }],
  });
};

export const needId = (id: string | undefined, what: string): string => {
  if (!id)
    throw new AppError('VALIDATION_ERROR', `Name the ${what}`, {
      issues: [{ path: ['id'], message: 'required', code: 'custom' }],
    });
  return id;
};

/** Parses CLI input with the route's own schema, so the CLI refuses exactly what the API refuses. */
export const parse = <T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string; code: string }[] } };
  },
  input: unknown,
): T => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
    code: issue.code,
  }));
  throw new AppError(
    'VALIDATION_ERROR',
    issues.map((issue) => `--${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; '),
    { issues },
  );
};

/** The fields that were given. */
export const drop = (value: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));

/**
 * Every page of a list, in order. A page's `nextCursor` is the opaque cursor the API answers; a service takes the
 * position it names, as the route's query schema decodes it.
 */
export async function* pages<T>(
  page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    yield next.data;
    cursor = next.nextCursor === null ? undefined : decodeCursor(next.nextCursor);
  } while (cursor !== undefined);
}

/** Every item of a list (the lists a person reads: a table of them is in memory anyway). */
export const all = async <T>(
  page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<T[]> => {
  const rows: T[] = [];
  for await (const data of pages(page)) rows.push(...data);
  return rows;
};

/** A license named by its id (lic_…) or its key, as written or printed. */
export const licenseByReference = async (deps: LicenseDeps, reference: string): Promise<License> => {
  if (reference.startsWith('lic_')) return getLicense(deps, undefined, reference);
  const found = await licensePage(deps, undefined, { limit: 1, key: normalizeLicenseKey(reference) });
  const [license] = found.data;
  if (!license) throw new AppError('NOT_FOUND', 'No license has this key');
  return license;
};
