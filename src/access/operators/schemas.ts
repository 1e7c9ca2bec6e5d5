// Operator shapes.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { roleSchema } from '../scopes.js';

export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(1024);
export const emailSchema = z
  .email()
  .max(320)
  .transform((email) => email.trim().toLowerCase());

export const createOperatorSchema = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(200).optional(),
  password: passwordSchema,
  role: roleSchema,
});
export type CreateOperator = z.infer<typeof createOperatorSchema>;

export const updateOperatorSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateOperator = z.infer<typeof updateOperatorSchema>;

export const operatorSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    disabledAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Operator' });
export type Operator = z.infer<typeof operatorSchema>;

export const operatorIdParams = z.object({ id: z.string().min(1).max(64) });

export const operatorListQuery = listQuerySchema({
  role: roleSchema.optional(),
  disabled: z.enum(['true', 'false']).optional(),
});
