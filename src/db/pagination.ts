// The page protocol of every list: fetch one row more than the page holds (the extra row only tells that a next
// page exists), answer the page's rows as items, and the position of its last row as an opaque `nextCursor`.
// Lists are ordered by a unique key (the row id, or a time-ordered id), so a cursor is where the next page starts.

/** Where a page starts: after the row at this position (its id, for lists ordered by id). */
export type CursorPosition = string;

export interface PageQuery {
  limit: number;
  cursor?: CursorPosition | undefined;
}

/** What a store's list function is asked for: rows after `after`, at most `limit`. */
export interface PageWindow {
  after: CursorPosition | undefined;
  limit: number;
}

export interface Page<Item> {
  data: Item[];
  nextCursor: string | null;
}

/** The longest position a cursor carries: an id, or the key of an item of a list assembled in memory. */
const maxPositionLength = 600;

export const encodeCursor = (after: CursorPosition): string =>
  Buffer.from(JSON.stringify({ v: 1, after })).toString('base64url');

/** The position a cursor names, or undefined when it is not one this server made. */
export const decodeCursor = (cursor: string): CursorPosition | undefined => {
  try {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { v, after, ...rest } = payload as { v?: unknown; after?: unknown };
    if (v !== 1 || typeof after !== 'string' || after.length === 0 || after.length > maxPositionLength)
      return undefined;
    return Object.keys(rest).length === 0 ? after : undefined;
  } catch {
    return undefined;
  }
};

const byId = (row: { id: string }): CursorPosition => row.id;

/**
 * One page of a list: `fetch` reads the window (one row more than the page), `present` turns the page's rows into
 * items (it may load what they need, in one query for the page), `positionOf` says where a row stands (its id by
 * default).
 */
export function readPage<Row extends { id: string }, Item>(
  query: PageQuery,
  fetch: (window: PageWindow) => Promise<Row[]>,
  present: (rows: Row[]) => Item[] | Promise<Item[]>,
): Promise<Page<Item>>;
export function readPage<Row, Item>(
  query: PageQuery,
  fetch: (window: PageWindow) => Promise<Row[]>,
  present: (rows: Row[]) => Item[] | Promise<Item[]>,
  positionOf: (row: Row) => CursorPosition,
): Promise<Page<Item>>;
export async function readPage<Row, Item>(
  query: PageQuery,
  fetch: (window: PageWindow) => Promise<Row[]>,
  present: (rows: Row[]) => Item[] | Promise<Item[]>,
  positionOf: (row: Row) => CursorPosition = byId as unknown as (row: Row) => CursorPosition,
): Promise<Page<Item>> {
  const rows = await fetch({ after: query.cursor, limit: query.limit + 1 });
  const pageRows = rows.slice(0, query.limit);
  const last = pageRows.at(-1);
  return {
    data: await present(pageRows),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}

/**
 * One page of a list assembled in memory from several sources (bounded lists, such as the monitor's current
 * usage): `keyOf` gives each item a key whose string order is the list's order; items with the same key are told
 * apart by their rank among them. The cursor holds the last key answered, and the next page starts after it, so
 * an item that appears or goes between two pages moves no other item to another page.
 */
export const pageInMemory = <Item>(
  items: readonly Item[],
  query: PageQuery,
  keyOf: (item: NoInfer<Item>) => string,
): Page<Item> => {
  const keyed = items
    .map((item) => ({ key: keyOf(item), item }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const seen = new Map<string, number>();
  for (const entry of keyed) {
    const rank = seen.get(entry.key) ?? 0;
    seen.set(entry.key, rank + 1);
    entry.key = `${entry.key}\u0000${String(rank).padStart(6, '0')}`;
  }
  const after = query.cursor;
  const start = after === undefined ? 0 : keyed.findIndex((entry) => entry.key > after);
  const page = start < 0 ? [] : keyed.slice(start, start + query.limit);
  const last = page.at(-1);
  const more = start >= 0 && start + query.limit < keyed.length;
  return {
    data: page.map((entry) => entry.item),
    nextCursor: more && last ? encodeCursor(last.key) : null,
  };
};
