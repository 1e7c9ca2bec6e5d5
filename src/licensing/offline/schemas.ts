// Offline activation shapes (api.md "Offline activation"): the files an air-gapped machine's client writes, and
// what the operator uploads and gets back.
import { z } from 'zod';
import { licenseSchema } from '../licenses/schemas.js';
import { machineSchema } from '../machines/schemas.js';

/** A file as uploaded: base64 (or base64url) text; empty or undecodable answers OFFLINE_REQUEST_INVALID. */
const uploadedFile = z.string().max(65_536);

export const offlineActivateBodySchema = z.object({
  request: uploadedFile.describe('The activation request the client wrote: base64 of its JSON'),
});

export const offlineDeactivateBodySchema = z.object({
  proof: uploadedFile.describe('The deactivation proof the client wrote: base64 of its JSON'),
});

/** Inside an activation request: { v: 1, licenseKey, fingerprint, name, hostname, nonce, createdAt }. */
export const activationRequestSchema = z.object({
  v: z.literal(1),
  licenseKey: z.string().trim().min(1).max(128),
  fingerprint: z.string().min(1).max(255),
  name: z.string().max(255).nullish(),
  hostname: z.string().max(255).nullish(),
  platform: z.string().max(100).nullish(),
  nonce: z.string().min(8).max(128),
  createdAt: z.iso.datetime(),
});

/** Inside a deactivation proof: { v: 1, machineId, fingerprint, nonce, hmac }. */
export const deactivationProofSchema = z.object({
  v: z.literal(1),
  machineId: z.string().regex(/^mach_[0-9A-Z]{26}$/),
  fingerprint: z.string().min(1).max(255),
  nonce: z.string().min(8).max(128),
  hmac: z.string().regex(/^[0-9a-fA-F]{64}$/),
});

export const offlineActivationSchema = z
  .object({
    machine: machineSchema,
    license: licenseSchema,
    response: z
      .string()
      .describe(
        'The license file to carry to the machine: bound to its fingerprint, with its deactivationSecret in the signed payload',
      ),
  })
  .meta({ id: 'OfflineActivation' });
