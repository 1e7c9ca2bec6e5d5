// Usage report shapes (api.md "Usage": per bucket, validations, activations, deactivations, checkouts, denials and
// peak seats in use).
import { z } from 'zod';

const dayMs = 86_400_000;
/** Longest range of one report: 400 days by day, 62 days by hour (a dense series of at most ~1,500 points). */
export const maxRangeMs = { day: 400 * dayMs, hour: 62 * dayMs } as const;

export const usageQuerySchema = z
  .strictObject({
    productId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'A product by id or code; one that does not exist answers 404 NOT_FOUND, never an empty list; omit for every product you may see',
      ),
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('Start (default: 7 days before `to` by day, 24 h by hour)'),
    to: z.iso.datetime({ offset: true }).optional().describe('End, exclusive (default: now)'),
    bucket: z.enum(['hour', 'day']).default('day'),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to) {
      const span = Date.parse(query.to) - Date.parse(query.from);
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      if (span > maxRangeMs[query.bucket])
        ctx.addIssue({
          code: 'custom',
          path: ['from'],
          message: `a report by ${query.bucket} spans at most ${maxRangeMs[query.bucket] / dayMs} days`,
        });
    }
  });
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageBucketSchema = z.object({
  start: z.string(),
  end: z.string(),
  validations: z.number(),
  activations: z.number(),
  deactivations: z.number(),
  checkouts: z.number(),
  denials: z.number(),
  peakSeats: z
    .number()
    .describe('The most seats in use at once on one seat pool of the product(s) in the bucket'),
});

export const usageReportSchema = z
  .object({
    productId: z.string().nullable(),
    bucket: z.enum(['hour', 'day']),
    from: z.string(),
    to: z.string(),
    data: z.array(usageBucketSchema),
    seatsInUse: z
      .number()
      .int()
      .describe('Floating seats held now (live leases of every pool), whatever the range asked for'),
  })
  .meta({ id: 'UsageReport' });
export type UsageReport = z.infer<typeof usageReportSchema>;
