// License user shapes (api.md "License users", README "Customers and the portal"): the user as every API shows
// it, and the bodies that create and change one. A password is write-only: answers say only whether one is set.
import { z } from 'zod';
import { emailSchema, passwordSchema } from '../../access/operators/schemas.js';
import { listQuerySchema } from '../../http/pagination.js';

export { emailSchema as userEmailSchema, passwordSchema as userPasswordSchema };

export const userStatusSchema = z.enum(['active', 'disabled']);

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    status: userStatusSchema.describe(
      'disabled: refused at sign-in (Client API and portal), its sessions ended',
    ),
    passwordSet: z.boolean().describe('Whether the user can sign in with a password yet'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'LicenseUser' });
export type User = z.infer<typeof userSchema>;

export const createUserSchema = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1).max(200).optional(),
  password: passwordSchema.optional().describe('Set by the vendor; otherwise send an invitation'),
});
export type CreateUser = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    password: passwordSchema
      .optional()
      .describe("Replaces the user's password and ends their portal sessions"),
    status: userStatusSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateUser = z.infer<typeof updateUserSchema>;

export const userIdParams = z.object({ id: z.string().min(1).max(64) });
export const licenseUserParams = z.object({
  id: z.string().min(1).max(64),
  userId: z.string().min(1).max(64),
});
export const userListQuery = listQuerySchema({ email: z.string().max(320).optional() });

export const invitationSchema = z
  .object({
    userId: z.string(),
    url: z
      .string()
      .describe(
        'The link that lets the user set a password; shown once. Mailed to the user when customer mail is on',
      ),
    token: z.string().describe('The secret in the link, for a vendor that builds its own link'),
    expiresAt: z.string(),
  })
  .meta({ id: 'UserInvitation' });
