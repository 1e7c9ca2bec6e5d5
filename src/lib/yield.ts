// Letting requests in during long background work. On SQLite every query runs on the event loop and an awaited
// query resolves in a microtask, so a job of many queries never lets a request through until it ends; awaiting
// this between pages does (the setImmediate queue runs after the pending I/O callbacks).
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Every row a keyset read answers, page by page with a turn of the event loop between pages: `read` gets the
 * last row so far (undefined for the first page) and how many to take. Stops at a short page or at `limit` rows.
 */
export const readInPages = async <T>(
  read: (last: T | undefined, size: number) => Promise<T[]>,
  { pageSize = 500, limit = Number.POSITIVE_INFINITY }: { pageSize?: number; limit?: number } = {},
): Promise<T[]> => {
  const rows: T[] = [];
  for (;;) {
    const size = Math.min(pageSize, limit - rows.length);
    const next = await read(rows.at(-1), size);
    rows.push(...next);
    if (next.length < size || rows.length >= limit) return rows;
    await yieldToEventLoop();
  }
};
