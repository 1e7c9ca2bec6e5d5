// Incident shapes (ops.md "Incidents"): the object, its timeline, the list filters and the bodies of the routes.
import { z } from 'zod';
import { listQuerySchema } from '../../http/pagination.js';

export const incidentKinds = [
  'license_server_down',
  'feature_saturated',
  'license_expiring',
  'activation_anomaly',
  'webhook_failing',
  'feature_expiring',
  'checkout_held_long',
] as const;
export type IncidentKind = (typeof incidentKinds)[number];

export const severities = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof severities)[number];

export const incidentStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const actorSchema = z.object({
  type: z.enum(['operator', 'api_key', 'oauth_client', 'rule', 'system', 'anonymous', 'license_user']),
  id: z.string().nullable(),
  name: z.string().nullable(),
});
export type Actor = z.infer<typeof actorSchema>;

export const timelineEntrySchema = z.object({
  at: z.string(),
  type: z.enum(['opened', 'acknowledged', 'resolved', 'note', 'action_proposed', 'notification_failed']),
  message: z.string(),
  actor: actorSchema,
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const incidentSchema = z
  .object({
    id: z.string(),
    kind: z.enum(incidentKinds),
    severity: z.enum(severities),
    status: z.enum(incidentStatuses),
    title: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    details: z.record(z.string(), z.unknown()).describe('What the rule saw when it opened the incident'),
    openedAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: actorSchema.nullable(),
    resolvedAt: z.string().nullable(),
    resolvedBy: actorSchema.nullable(),
    timeline: z.array(timelineEntrySchema),
  })
  .meta({ id: 'Incident' });
export type Incident = z.infer<typeof incidentSchema>;

export const incidentIdParams = z.object({ id: z.string().min(1).max(64) });

export const incidentListQuery = listQuerySchema({
  status: z.enum(incidentStatuses).optional(),
  kind: z.enum(incidentKinds).optional(),
  severity: z.enum(severities).optional(),
  subject: z.string().min(1).max(200).optional().describe("The subject's id (a license, server, endpoint …)"),
});

export const resolveIncidentSchema = z
  .strictObject({ note: z.string().trim().min(1).max(2000).optional() })
  .nullish()
  .describe('An optional note, kept on the timeline');

export const incidentNoteSchema = z.strictObject({ message: z.string().trim().min(1).max(2000) });
