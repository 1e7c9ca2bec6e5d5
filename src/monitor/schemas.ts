// Shapes of the monitor API (monitor.md "Servers", "Polls", "API").
import { z } from 'zod';
import { listQuerySchema, recordFilter } from '../http/pagination.js';

/** monitor.md: `port@host`, or a triad of three, comma-separated. Anything else never reaches a utility. */
export const addressPattern = /^\d{1,5}@[A-Za-z0-9.-]+(,\d{1,5}@[A-Za-z0-9.-]+){0,2}$/;

const addressField = z
  .string()
  .trim()
  .max(600)
  .regex(addressPattern, 'must be port@host, or a triad port@h1,port@h2,port@h3');

export const serverKinds = ['flexlm', 'rlm'] as const;

export const createServerSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(serverKinds),
  address: addressField,
  pollSeconds: z.number().int().min(30).max(86_400).default(300),
  timeoutSeconds: z.number().int().min(1).max(300).default(30),
  enabled: z.boolean().default(true),
  debugLogPath: z
    .string()
    .trim()
    .min(1)
    .max(4096)
    .nullable()
    .optional()
    .describe('FlexLM debug log to read DENIED lines from; must lie inside CHARTER_MONITOR_LOG_DIR'),
});
export type CreateServer = z.infer<typeof createServerSchema>;

export const updateServerSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    address: addressField.optional(),
    pollSeconds: z.number().int().min(30).max(86_400).optional(),
    timeoutSeconds: z.number().int().min(1).max(300).optional(),
    enabled: z.boolean().optional(),
    debugLogPath: z.string().trim().min(1).max(4096).nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');
export type UpdateServer = z.infer<typeof updateServerSchema>;

export const serverStatuses = ['unknown', 'up', 'degraded', 'down', 'error'] as const;

export const serverSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(serverKinds),
    address: z.string(),
    pollSeconds: z.number().int(),
    timeoutSeconds: z.number().int(),
    enabled: z.boolean(),
    status: z.enum(serverStatuses),
    lastPollAt: z.string().nullable(),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    debugLogPath: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'MonitoredServer' });
export type MonitoredServer = z.infer<typeof serverSchema>;

const blockSchema = z.object({
  version: z.string(),
  kind: z.enum(['floating', 'nodelocked', 'uncounted']),
  expiresAt: z.string().nullable().optional(),
  count: z.number().int().nullable().optional(),
  inUse: z.number().int().optional(),
});

export const snapshotFeatureSchema = z.object({
  name: z.string(),
  vendor: z.string().nullable(),
  issued: z.number().int().nullable(),
  inUse: z.number().int(),
  checkedOut: z.number().int(),
  reservations: z.number().int(),
  queued: z.number().int(),
  blocks: z.array(blockSchema),
  error: z.string().optional(),
});

export const sessionSchema = z
  .object({
    feature: z.string(),
    user: z.string(),
    host: z.string(),
    display: z.string(),
    identity: z.string(),
    version: z.string(),
    count: z.number().int(),
    startedAt: z.string().nullable().describe("The license server's local time (no zone is printed)"),
    handle: z.string(),
    pid: z.number().int().optional(),
    borrowed: z.boolean().optional(),
    lingerSeconds: z.number().int().optional(),
  })
  .meta({ id: 'MonitorSession' });

export const snapshotSchema = z
  .object({
    server: z.object({
      up: z.boolean(),
      master: z.string().nullable(),
      version: z.string().nullable(),
      members: z.array(
        z.object({
          host: z.string(),
          port: z.number().int().nullable(),
          up: z.boolean(),
          master: z.boolean(),
          version: z.string().nullable(),
          error: z.string().nullable(),
        }),
      ),
      vendorDaemons: z.array(
        z.object({
          name: z.string(),
          up: z.boolean(),
          version: z.string().nullable(),
          error: z.string().nullable(),
        }),
      ),
    }),
    features: z.array(snapshotFeatureSchema),
    sessions: z.array(sessionSchema),
    unknownLines: z.number().int(),
    denialsToday: z.number().int().optional(),
  })
  .meta({ id: 'Snapshot' });

export const pollOutcomes = [
  'ok',
  'unreachable',
  'query_failed',
  'parse_error',
  'exec_failed',
  'timeout',
] as const;

export const pollSummarySchema = z
  .object({
    id: z.string(),
    serverId: z.string(),
    startedAt: z.string(),
    durationMs: z.number().int(),
    outcome: z.enum(pollOutcomes),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    exitCode: z.number().int().nullable(),
  })
  .meta({ id: 'PollSummary' });

export const pollSchema = pollSummarySchema
  .extend({
    rawOutput: z
      .string()
      .nullable()
      .describe('Kept for failed polls and the last 20 successful ones per server'),
    snapshot: snapshotSchema.nullable(),
  })
  .meta({ id: 'Poll' });

export const serverStatusSchema = z
  .object({
    server: serverSchema,
    snapshotAt: z.string().nullable(),
    snapshot: snapshotSchema.nullable(),
  })
  .meta({ id: 'MonitoredServerStatus' });

export const featureUsageSchema = z
  .object({
    serverId: z.string(),
    feature: z.string(),
    // The counts as the latest snapshot has them.
    ...snapshotFeatureSchema.pick({
      vendor: true,
      issued: true,
      inUse: true,
      checkedOut: true,
      reservations: true,
      queued: true,
    }).shape,
    utilization: z.number().nullable().describe('inUse / issued in %, null when uncounted'),
    peakToday: z.number().int(),
    denialsToday: z.number().int(),
  })
  .meta({ id: 'FeatureUsage' });

export const serverIdParams = z.object({ id: z.string().min(1).max(64) });
export const serverListQuery = listQuerySchema({
  status: z.enum(serverStatuses).optional(),
  kind: z.enum(serverKinds).optional(),
});
export const pollListQuery = listQuerySchema({
  serverId: recordFilter('A monitored server id, or `charter` for Charter’s own pools'),
  outcome: z.enum(pollOutcomes).optional(),
});
const serverOrCharter = z
  .string()
  .min(1)
  .max(64)
  .describe('A monitored server’s id, or `charter` for Charter’s own floating pools');
export const featuresQuery = listQuerySchema({
  serverId: serverOrCharter.optional().describe('Default: every server, and Charter’s own pools'),
});
export const sessionsQuery = listQuerySchema({
  serverId: serverOrCharter.optional().describe('Default: every server, and Charter’s own pools'),
  feature: z.string().min(1).max(200).optional(),
  user: z.string().min(1).max(200).optional(),
});

export const usageQuery = z.strictObject({
  serverId: serverOrCharter,
  feature: z.string().min(1).max(200).optional().describe('Default: every feature of the server, summed'),
  from: z.iso.datetime({ offset: true }).optional().describe('Default: a day before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('End, exclusive (default: now)'),
  bucket: z
    .enum(['5m', 'hour', 'day'])
    .optional()
    .describe('Default: 5m up to 2 days, hour up to 62 days, else day'),
});

export const usagePointSchema = z
  .object({
    at: z.string(),
    inUseAvg: z.number().nullable(),
    inUseMax: z.number().nullable(),
    issued: z.number().nullable(),
    denials: z.number().int(),
  })
  .meta({ id: 'UsagePoint' });

export const denialsQuery = listQuerySchema({
  serverId: serverOrCharter.optional().describe('Default: every server, and Charter’s own pools'),
  feature: z.string().min(1).max(200).optional(),
  user: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Case-insensitive; for Charter’s pools, the fingerprint'),
  from: z.iso.datetime({ offset: true }).optional().describe('Default: the start of today (UTC)'),
  to: z.iso.datetime({ offset: true }).optional().describe('End, exclusive (default: now)'),
});

export const denialCountSchema = z
  .object({
    serverId: z.string(),
    feature: z.string(),
    user: z.string(),
    host: z.string(),
    count: z.number().int(),
    lastAt: z.string(),
  })
  .meta({ id: 'MonitorDenialCount' });
