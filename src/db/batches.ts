// Statements over many values run in batches: SQLite allows at most 32,766 bound parameters per statement and
// PostgreSQL 65,535, so a list of ids or rows is cut into pieces that stay well inside both.

/** The values per statement: a row of up to ~60 columns, or an `in (…)` list, stays inside both limits. */
export const batchSize = 500;

/** Runs `statement` on each batch of `items`, one after another (inside the caller's transaction), and joins the rows. */
export const inBatches = async <T, R>(
  items: readonly T[],
  statement: (batch: T[]) => Promise<R[]>,
): Promise<R[]> => {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += batchSize)
    results.push(...(await statement(items.slice(start, start + batchSize))));
  return results;
};
