// Canonical JSON (api.md "Validation result"): object keys sorted at every depth (by UTF-16 code units, as
// Array.prototype.sort orders strings), no whitespace, values written as JSON.stringify writes them; undefined
// members are left out, as JSON.stringify leaves them out.

const writeSorted = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : writeSorted(item))).join(',')}]`;
  const object = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${writeSorted(member)}`);
  }
  return `{${members.join(',')}}`;
};

class IndexLikeKey extends Error {}
const indexLike = /^\d+$/;

// The fast way: JSON.stringify asks the replacer for each value before writing it, and a plain object comes back
// as a copy with its keys inserted in sorted order, which JSON.stringify then writes in that order. JavaScript
// enumerates integer-like keys ("2", "10") first and numerically whatever the insertion order, so an object
// with such a key (user metadata may have one) is written the slow way instead.
const sortKeys = (_key: string, value: unknown): unknown => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) {
    if (indexLike.test(key)) throw new IndexLikeKey();
    sorted[key] = object[key];
  }
  return sorted;
};

export const canonicalJson = (value: unknown): string => {
  try {
    return JSON.stringify(value, sortKeys) ?? 'null';
  } catch (error) {
    if (error instanceof IndexLikeKey) return writeSorted(value);
    throw error;
  }
};
