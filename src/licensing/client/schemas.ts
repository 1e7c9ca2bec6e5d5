// Client API shapes (api.md "Client API").
import { z } from 'zod';
import type { ErrorCode } from '../../errors/catalog.js';
import { leaseSchema } from '../floating/schemas.js';
import { licenseSchema } from '../licenses/schemas.js';
import { deviceLicenseSchema, machineSchema } from '../machines/schemas.js';
import { productCodeSchema } from '../products/schemas.js';
import { userPasswordSchema } from '../users/schemas.js';

export const licenseKeyField = z.string().trim().min(1).max(128);
export const fingerprintField = z.string().min(1).max(255);
/** The product the caller runs (checks.ts): the license's, or a member of its bundle; else PRODUCT_MISMATCH. */
export const productCodeField = z
  .string()
  .min(1)
  .max(64)
  .describe(
    "The product this software is: the license's product or, for a bundle's license, one of its members; any other answers PRODUCT_MISMATCH",
  );

/**
 * A license user signing in instead of sending `licenseKey` (user-based products; licensing/client/user-sign-in.ts
 * turns them into the key of the user's license before this schema is checked).
 */
const userSignInFields = {
  email: z
    .email()
    .max(320)
    .optional()
    .describe(
      'With password and without licenseKey: a license user signs in, and the call runs with the license they hold of the product (productCode) — user-based products only',
    ),
  password: z.string().min(1).max(1024).optional().describe("The license user's password, with email"),
};
const signedInKeyField = licenseKeyField.describe(
  'The license key; leave it out when a license user signs in with email and password',
);

export const validateBodySchema = z.object({
  licenseKey: signedInKeyField,
  ...userSignInFields,
  fingerprint: fingerprintField.optional(),
  productCode: productCodeField.optional(),
  features: z.array(z.string().min(1).max(64)).max(100).optional(),
  nonce: z.string().min(8).max(128).optional().describe('Ask for a signed result; the nonce is echoed'),
});
export type ValidateBody = z.infer<typeof validateBodySchema>;

export const validationResultSchema = z
  .object({
    valid: z.boolean(),
    code: z.string().describe('VALID, or the catalog code of the first failing check'),
    message: z.string(),
    license: licenseSchema.nullable(),
    machine: machineSchema.nullable(),
    checkedAt: z.string(),
    nonce: z.string().optional(),
    signature: z
      .string()
      .optional()
      .describe('base64 Ed25519 over the canonical JSON of the result without signature and kid'),
    kid: z.string().optional(),
  })
  .meta({ id: 'ValidationResult' });
export type ValidationResult = z.infer<typeof validationResultSchema>;

export const activateBodySchema = z.object({
  licenseKey: signedInKeyField,
  ...userSignInFields,
  fingerprint: fingerprintField,
  name: z.string().max(255).optional(),
  hostname: z.string().max(255).optional(),
  platform: z.string().max(100).optional(),
  cores: z.number().int().min(1).max(100_000).optional(),
  isVm: z.boolean().optional(),
  userEmail: z.email().max(320).optional(),
  deviceKey: z
    .string()
    .min(1)
    .max(16_384)
    .optional()
    .describe(
      "The device's Ed25519 public key, PEM: SPKI (BEGIN PUBLIC KEY) or an X.509 certificate. Registered when the call is signed with it (Charter-Device-Signature); required by a policy with requireDeviceKey",
    ),
  productCode: productCodeField.optional(),
});
export type ActivateBody = z.infer<typeof activateBodySchema>;

export const activationSchema = z
  .object({
    machine: machineSchema,
    license: licenseSchema,
    licenseFile: z.string(),
    lease: leaseSchema
      .optional()
      .describe('On a floating license, activation checks out a seat: this is its lease'),
  })
  .meta({ id: 'Activation' });

export const checkoutSchema = z
  .object({
    lease: leaseSchema,
    machine: machineSchema,
    license: licenseSchema,
    licenseFile: z.string().describe('A signed license file that expires with the lease'),
  })
  .meta({ id: 'Checkout' });

export const borrowBodySchema = z.object({
  licenseKey: signedInKeyField,
  ...userSignInFields,
  fingerprint: fingerprintField,
  until: z.iso.datetime({ offset: true }).describe("The borrow's end: at most maxBorrowSeconds from now"),
  productCode: productCodeField.optional(),
});
export type BorrowBody = z.infer<typeof borrowBodySchema>;

export const borrowResultSchema = z
  .object({
    lease: leaseSchema,
    licenseFile: z.string().describe("A signed license file valid until the borrow's end"),
  })
  .meta({ id: 'BorrowResult' });

export const featureParams = z.object({ code: productCodeSchema });
export const featureLeaseSchema = z.object({ lease: leaseSchema }).meta({ id: 'FeatureLease' });

export const consumeBodySchema = z.object({
  licenseKey: signedInKeyField,
  ...userSignInFields,
  amount: z
    .number()
    .int()
    .min(-1_000_000_000_000)
    .max(1_000_000_000_000)
    .refine((amount) => amount !== 0, 'must not be zero'),
  feature: productCodeSchema
    .optional()
    .describe("A consumption feature's code; omit for the license's meter"),
  fingerprint: fingerprintField.optional(),
  productCode: productCodeField.optional(),
});
export type ConsumeBody = z.infer<typeof consumeBodySchema>;

export const meterSchema = z
  .object({
    feature: z.string().nullable(),
    used: z.number(),
    max: z.number().nullable(),
    remaining: z.number().nullable(),
    periodStartsAt: z.string(),
    resetsAt: z
      .string()
      .nullable()
      .describe('When the meter next starts from zero; null when it never resets'),
  })
  .meta({ id: 'Meter' });

export const machineBodySchema = z.object({
  licenseKey: signedInKeyField,
  ...userSignInFields,
  fingerprint: fingerprintField,
  productCode: productCodeField.optional(),
});
export type MachineBody = z.infer<typeof machineBodySchema>;

export const heartbeatResultSchema = z
  .object({
    machine: machineSchema,
    lease: leaseSchema
      .nullable()
      .optional()
      .describe("The license seat's lease, extended (floating licenses)"),
    leases: z.array(leaseSchema).describe('Every live lease of this machine on the license, extended'),
  })
  .meta({ id: 'HeartbeatResult' });

export const licenseFileResultSchema = z
  .object({
    licenseFile: z.string().describe('-----BEGIN CHARTER LICENSE FILE----- … (api.md "License file")'),
  })
  .meta({ id: 'LicenseFileResult' });

export const trialBodySchema = z.object({
  productCode: z.string().min(1).max(64),
  fingerprint: fingerprintField,
  email: z.email().max(320).optional(),
});

export const trialResultSchema = z
  .object({
    licenseKey: z.string(),
    license: licenseSchema,
    machine: machineSchema,
    licenseFile: z.string(),
  })
  .meta({ id: 'TrialResult' });

export const userSignInErrors = [
  'INVALID_CREDENTIALS',
  'ACCOUNT_DISABLED',
  'INVALID_PRODUCT_AUTH_METHOD',
  'USER_NOT_ASSIGNED_TO_PRODUCT',
  'RATE_LIMIT_EXCEEDED',
] as const satisfies readonly ErrorCode[];

export const userLicensesBodySchema = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
  productCode: z.string().min(1).max(64).optional(),
});

export const userLicensesSchema = z
  .object({
    data: z.array(z.object({ productCode: z.string(), license: licenseSchema })),
  })
  .meta({ id: 'UserLicenses' });

export const changePasswordBodySchema = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
  newPassword: userPasswordSchema,
});
export const deviceLicensesBodySchema = z.object({
  fingerprint: fingerprintField,
  productCode: z.string().min(1).max(64).optional(),
});
export type DeviceLicensesBody = z.infer<typeof deviceLicensesBodySchema>;

export const deviceLicensesSchema = z
  .object({ data: z.array(deviceLicenseSchema) })
  .meta({ id: 'DeviceLicenses' });

/** What refuses a call about a machine with a device key (machines/device-keys.ts). */
export const deviceSignatureErrors = [
  'HARDWARE_KEY_REQUIRED',
  'HARDWARE_KEY_SIGNATURE_MISMATCH',
] as const satisfies readonly ErrorCode[];

/** What refuses a license that may not run now (the state checks of every client call, api.md's order). */
export const licenseStateErrors = [
  'LICENSE_NOT_FOUND',
  'LICENSE_SUSPENDED',
  'LICENSE_REVOKED',
  'LICENSE_EXPIRED',
  'LICENSE_NOT_STARTED',
  'TRIAL_EXPIRED',
  'PRODUCT_DISABLED',
  'PRODUCT_MISMATCH',
] as const satisfies readonly ErrorCode[];

/** What refuses an activation, online or offline. */
export const activationErrors = [
  ...licenseStateErrors,
  'PRODUCT_ARCHIVED',
  'CUSTOMER_INACTIVE',
  'MACHINE_LIMIT_EXCEEDED',
  'DEVICE_BLOCKED',
  'VM_NOT_ALLOWED',
  'LICENSE_USER_NOT_FOUND',
  'USER_MACHINE_LIMIT_EXCEEDED',
  // On a floating license, activation is a checkout.
  'FLOATING_NOT_AVAILABLE',
] as const satisfies readonly ErrorCode[];
