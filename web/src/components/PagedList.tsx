// A list route read a page at a time with the API's cursors (nothing loads a whole table): Next follows
// nextCursor, Previous returns along the cursors already seen. A change of filters starts again at the first page.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import type { Page } from '../api/client';
import { ErrorBanner } from './ErrorBanner';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

export const PagedList = <T extends { id: string }>({
  label,
  queryKey,
  fetchPage,
  columns,
  empty = 'Nothing here yet.',
  pageSize = 25,
}: {
  /** The table's accessible name. */
  label: string;
  queryKey: readonly unknown[];
  fetchPage: (page: { limit: number; cursor?: string }) => Promise<Page<T>>;
  columns: Column<T>[];
  empty?: string;
  pageSize?: number;
}) => {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const filterKey = JSON.stringify(queryKey);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter (its key) starts at the first page
  useEffect(() => setCursors([undefined]), [filterKey]);
  const cursor = cursors[cursors.length - 1];
  const query = useQuery({
    queryKey: [...queryKey, 'page', pageSize, cursor ?? null],
    queryFn: () => fetchPage({ limit: pageSize, ...(cursor ? { cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  if (query.error) return <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />;
  const rows = query.data?.data ?? [];
  return (
    <div className="paged">
      <table aria-label={label} aria-busy={query.isFetching}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {columns.map((column) => (
                <td key={column.header}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {query.isPending ? <p className="muted">Loading…</p> : null}
      {!query.isPending && rows.length === 0 ? <p className="muted">{empty}</p> : null}
      <nav className="pager" aria-label={`${label} pages`}>
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors((seen) => seen.slice(0, -1))}
        >
          Previous
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          disabled={!query.data?.nextCursor}
          onClick={() => {
            const next = query.data?.nextCursor;
            if (next) setCursors((seen) => [...seen, next]);
          }}
        >
          Next
        </button>
      </nav>
    </div>
  );
};
