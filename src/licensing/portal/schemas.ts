// Customer portal shapes (/v1/portal/*).
import { z } from 'zod';
import { customerSchema } from '../customers/schemas.js';
import { licenseSchema } from '../licenses/schemas.js';
import { machineSchema } from '../machines/schemas.js';
import { userEmailSchema, userPasswordSchema, userSchema } from '../users/schemas.js';

export const portalLoginSchema = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

export const portalSessionSchema = z
  .object({
    user: userSchema,
    managedCustomers: z.array(customerSchema).describe('The customers this user is a license manager of'),
    csrfToken: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'PortalSession' });

export const acceptInvitationSchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: userPasswordSchema,
});

export const heldLicensesSchema = z
  .object({ data: z.array(z.object({ productCode: z.string(), license: licenseSchema })) })
  .meta({ id: 'HeldLicenses' });
export const portalMachinesSchema = z.object({ data: z.array(machineSchema) }).meta({ id: 'PortalMachines' });
export const portalLicensesSchema = z.object({ data: z.array(licenseSchema) }).meta({ id: 'PortalLicenses' });
export const seatHoldersSchema = z
  .object({ data: z.array(userSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'SeatHolders' });

export const assignSeatSchema = z.strictObject({
  email: userEmailSchema,
  name: z.string().trim().min(1).max(200).optional(),
  customerId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('When sent, must be the customer of the path (else 422 CUSTOMER_ACCOUNT_MISMATCH)'),
});

export const usageSchema = z
  .object({
    data: z.array(
      z.object({
        licenseId: z.string(),
        status: z.string(),
        expiresAt: z.string().nullable(),
        machines: z.object({ used: z.number(), max: z.number().nullable() }),
        users: z.object({ used: z.number(), max: z.number().nullable() }),
        consumption: z.object({ used: z.number(), max: z.number(), periodStartsAt: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'CustomerUsage' });

export const customerParams = z.object({ customerId: z.string().min(1).max(64) });
export const customerLicenseParams = customerParams.extend({ licenseId: z.string().min(1).max(64) });
export const seatParams = customerLicenseParams.extend({ userId: z.string().min(1).max(64) });
export const customerMachineParams = customerParams.extend({ machineId: z.string().min(1).max(64) });
export const machineParams = z.object({ machineId: z.string().min(1).max(64) });
