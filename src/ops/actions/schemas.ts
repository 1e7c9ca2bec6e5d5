// Action shapes (ops.md "Actions and approvals"): the kinds with their params, the proposal, the decision bodies
// and the action as answered.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';
import { actorSchema } from '../incidents/schemas.js';

export const actionKinds = [
  'suspend_license',
  'reinstate_license',
  'revoke_license',
  'extend_license',
  'set_max_machines',
  'deactivate_machine',
  'release_lease',
  'block_device',
] as const;
export type ActionKind = (typeof actionKinds)[number];

export const actionStatuses = ['pending', 'approved', 'rejected', 'executed', 'failed', 'expired'] as const;
export type ActionStatus = (typeof actionStatuses)[number];

const id = z.string().trim().min(1).max(64);
const licenseTarget = z.strictObject({ licenseId: id });

/** Each kind's params: the target it names, and its own values. */
export const paramsByKind = {
  suspend_license: licenseTarget,
  reinstate_license: licenseTarget,
  revoke_license: licenseTarget,
  extend_license: z.strictObject({
    licenseId: id,
    seconds: z
      .number()
      .int()
      .min(1)
      .max(10 * 366 * 86400)
      .describe('How much longer the license runs, from its end (or from now when it has passed)'),
  }),
  set_max_machines: z.strictObject({
    licenseId: id,
    maxMachines: z.number().int().min(0).max(1_000_000).nullable().describe('null: the policy decides again'),
  }),
  deactivate_machine: z.strictObject({ machineId: id }),
  release_lease: z.strictObject({ leaseId: id }),
  block_device: z.strictObject({
    fingerprint: z.string().min(1).max(256),
    productId: id.optional().describe('Block for one product (its id or code); all products when absent'),
    reason: z.string().trim().max(500).optional(),
  }),
} as const satisfies Record<ActionKind, z.ZodType>;

export type ActionParams<K extends ActionKind> = z.infer<(typeof paramsByKind)[K]>;

const reason = z.string().trim().min(1).max(2000).describe('Why: what the approver reads');

const proposal = <K extends ActionKind>(kind: K) =>
  z.strictObject({
    kind: z.literal(kind),
    params: paramsByKind[kind],
    reason,
    incidentId: id.optional().describe('The incident the action answers'),
  });

export const proposeActionSchema = z.discriminatedUnion('kind', [
  proposal('suspend_license'),
  proposal('reinstate_license'),
  proposal('revoke_license'),
  proposal('extend_license'),
  proposal('set_max_machines'),
  proposal('deactivate_machine'),
  proposal('release_lease'),
  proposal('block_device'),
]);
export type ProposeAction = z.infer<typeof proposeActionSchema>;

export const rejectActionSchema = z.strictObject({ reason: z.string().trim().min(1).max(2000) });

export const actionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(actionKinds),
    params: z.record(z.string(), z.unknown()),
    reason: z.string(),
    status: z.enum(actionStatuses),
    proposedBy: actorSchema,
    decidedBy: actorSchema.nullable(),
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable().describe('Why it was rejected'),
    executedAt: z.string().nullable(),
    result: z.unknown().describe('What the execution answered (the license, machine … as changed)'),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    incidentId: z.string().nullable(),
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Action' });
export type Action = z.infer<typeof actionSchema>;

export const actionIdParams = z.object({ id });
export const actionListQuery = listQuerySchema({
  status: z.enum(actionStatuses).optional(),
  kind: z.enum(actionKinds).optional(),
  incidentId: id
    .optional()
    .describe('An incident id; one that does not exist answers 404 NOT_FOUND, never an empty list'),
});
