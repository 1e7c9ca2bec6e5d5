// Cursor pagination shared by every list route: `?limit=` (1–200, default 50) and `?cursor=` exactly as a
// previous page returned it in `nextCursor`. Unknown filters and bad cursors answer INVALID_QUERY.
import { z } from 'zod';

/** Issues carrying this marker make the error handler answer INVALID_QUERY rather than VALIDATION_ERROR. */
export const invalidQueryMarker = 'INVALID_QUERY';

const cursorPayload = z.strictObject({ v: z.literal(1), after: z.string().min(1).max(200) });

export type CursorPosition = z.infer<typeof cursorPayload>['after'];

export const encodeCursor = (after: CursorPosition): string =>
  Buffer.from(JSON.stringify({ v: 1, after })).toString('base64url');

export const cursorSchema = z
  .string()
  .max(400)
  .transform((value, ctx): CursorPosition => {
    try {
      return cursorPayload.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))).after;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'is not a cursor this server returned in nextCursor',
        params: { catalogCode: invalidQueryMarker },
      });
      return z.NEVER;
    }
  });

export const paginationShape = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursorSchema.optional(),
};

/** The query schema of a list route: pagination plus the route's filters; any other parameter is refused. */
export const listQuerySchema = <Filters extends z.ZodRawShape>(filters: Filters) =>
  z.strictObject({ ...paginationShape, ...filters });

/** One page from rows fetched with limit + 1: the extra row only tells that a next page exists. */
export const toPage = <Row, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
  positionOf: (row: Row) => CursorPosition,
): { data: Item[]; nextCursor: string | null } => {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
};

export const pageSchema = <Item extends z.ZodType>(item: Item) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });
