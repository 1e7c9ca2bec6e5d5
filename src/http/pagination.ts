// Cursor pagination of every list route, its HTTP side: `?limit=` (1–200, default 50) and `?cursor=` exactly as a
// previous page returned it in `nextCursor`. Unknown filters and bad cursors answer INVALID_QUERY. The page
// protocol itself (one row more, nextCursor) is db/pagination.ts.
import { z } from 'zod';
import { type CursorPosition, decodeCursor } from '../db/pagination.js';

/** Issues carrying this marker make the error handler answer INVALID_QUERY rather than VALIDATION_ERROR. */
export const invalidQueryMarker = 'INVALID_QUERY';

export const cursorSchema = z
  .string()
  .max(1000)
  .transform((value, ctx): CursorPosition => {
    const position = decodeCursor(value);
    if (position !== undefined) return position;
    ctx.addIssue({
      code: 'custom',
      message: 'is not a cursor this server returned in nextCursor',
      params: { catalogCode: invalidQueryMarker },
    });
    return z.NEVER;
  });

export const paginationShape = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursorSchema.optional(),
};

/** The query schema of a list route: pagination plus the route's filters; any other parameter is refused. */
export const listQuerySchema = <Filters extends z.ZodRawShape>(filters: Filters) =>
  z.strictObject({ ...paginationShape, ...filters });

/**
 * A list filter naming one record (`?licenseId=`, `?productId=`…): `names` says what it takes. The rule of every
 * such filter: one that names nothing the caller may see answers 404 NOT_FOUND, never an empty list.
 */
export const recordFilter = (names: string, maxLength = 64) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .optional()
    .describe(`${names}; one that does not exist answers 404 NOT_FOUND, never an empty list`);

export const pageSchema = <Item extends z.ZodType>(item: Item) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });
