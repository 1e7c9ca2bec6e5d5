// Customer shapes (api.md "Customer").
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { metadataSchema } from '../metadata.js';

const emailSchema = z
  .email()
  .max(320)
  .transform((email) => email.trim().toLowerCase());

export const createCustomerSchema = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(200).optional(),
  company: z.string().trim().min(1).max(200).nullable().optional(),
  status: z.enum(['active', 'inactive']).optional(),
  metadata: metadataSchema.optional(),
});
export type CreateCustomer = z.infer<typeof createCustomerSchema>;

export const updateCustomerSchema = z
  .strictObject({
    email: emailSchema.optional(),
    name: z.string().trim().min(1).max(200).optional(),
    company: z.string().trim().min(1).max(200).nullable().optional(),
    status: z.enum(['active', 'inactive']).optional(),
    metadata: metadataSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateCustomer = z.infer<typeof updateCustomerSchema>;

export const customerSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    company: z.string().nullable(),
    status: z.enum(['active', 'inactive']),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Customer' });
export type Customer = z.infer<typeof customerSchema>;

export const customerIdParams = z.object({ id: z.string().min(1).max(64) });
export const customerListQuery = listQuerySchema({
  status: z.enum(['active', 'inactive']).optional(),
  email: z.string().max(320).optional(),
});
