// Free-form metadata on resources: a flat JSON object of at most 50 keys, scalar values, 16 KiB in all.
import { z } from 'zod';

export const metadataSchema = z
  .record(z.string().min(1).max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 keys')
  .refine((value) => JSON.stringify(value).length <= 16_384, 'at most 16 KiB');

export type Metadata = z.infer<typeof metadataSchema>;

export const parseMetadata = (text: string): Metadata => JSON.parse(text) as Metadata;
