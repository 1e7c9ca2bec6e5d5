// Configuration: one Zod schema over the environment and an optional charter.config.json; the only reader of process.env.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes');

const int = (min: number, max: number) =>
  z
    .union([z.number(), z.string().trim().regex(/^\d+$/, 'must be a whole number')])
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(','))
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1_000_000,
  mib: 1024 * 1024,
};
const byteSize = z
  .union([z.number().int().positive(), z.string().trim()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const match = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i.exec(value);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'must be a byte count such as 1048576, 512kib or 1mib' });
      return z.NEVER;
    }
    return Number(match[1]) * (sizeUnits[(match[2] ?? '').toLowerCase()] ?? 1);
  })
  .pipe(
    z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024),
  );

/** `feature=hours` pairs, comma-separated (`Virtuoso=4,render=24`): a per-feature setting over a default. */
const hoursByFeature = z
  .union([z.record(z.string(), z.number()), z.string()])
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    const out: Record<string, number> = {};
    for (const pair of value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)) {
      const match = /^(.+?)\s*=\s*(\d+)$/.exec(pair);
      if (!match?.[1]) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not feature=hours` });
        return z.NEVER;
      }
      out[match[1]] = Number(match[2]);
    }
    return out;
  })
  .pipe(z.record(z.string().min(1).max(200), z.number().int().min(0).max(8760)));

/** Comma-separated email addresses. */
const emails = list.pipe(z.array(z.email()).min(1));

/** The kinds of customer mail (CHARTER_CUSTOMER_MAIL), each off unless listed. */
export const customerMailKinds = [
  'license_issued',
  'trial_started',
  'license_expiring',
  'user_invited',
  'consumption_limit',
] as const;
export type CustomerMailKind = (typeof customerMailKinds)[number];

/** Comma-separated customer mail kinds; an unknown one is named with the kinds there are. */
const customerMailList = list.pipe(
  z.array(
    z.enum(customerMailKinds, {
      error: (issue) => `unknown kind "${String(issue.input)}" (kinds: ${customerMailKinds.join(', ')})`,
    }),
  ),
);

const url = (protocols: string[]) =>
  z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`) }).describe(`a ${protocols.join(' or ')} URL`);

/** Trust proxy: `true`/`false`, a hop count, or a comma-separated list of addresses/CIDRs (Fastify's trustProxy). */
const trustProxy = z.union([z.boolean(), z.number().int().min(0), z.string().trim()]).transform((value) => {
  if (typeof value !== 'string') return value;
  if (/^(true|false)$/.test(value)) return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
});

const secretKey = z
  .string()
  .trim()
  .refine(
    (value) => /^[0-9a-fA-F]{64}$/.test(value) || Buffer.from(value, 'base64').length === 32,
    'must be 32 bytes as 64 hex characters or base64',
  );

export const configSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  CHARTER_DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  CHARTER_PG_PREPARED_STATEMENTS: bool.default(true),
  CHARTER_VALIDATION_CACHE_SIZE: int(0, 10_000_000).default(50_000),
  CHARTER_VALIDATION_CACHE_TTL_SECONDS: int(1, 86_400).default(60),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  CHARTER_BODY_LIMIT: byteSize.default(1024 * 1024),
  CHARTER_TRUST_PROXY: trustProxy.default(false),
  CHARTER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHARTER_BOOTSTRAP_EMAIL: z.email().optional(),
  CHARTER_BOOTSTRAP_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  CHARTER_REQUIRE_APPROVAL: list.default([]),
  CHARTER_METRICS_PUBLIC: bool.default(false),
  CHARTER_SECRET_KEY: secretKey.optional(),
  CHARTER_OAUTH_REQUIRED: bool.default(false),
  CHARTER_WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
  CHARTER_STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  CHARTER_GENERIC_WEBHOOK_SECRET: z.string().min(1).optional(),
  CHARTER_STRIPE_API_KEY: z.string().min(1).optional(),
  CHARTER_STRIPE_API_URL: url(['https', 'http']).default('https://api.stripe.com'),
  CHARTER_SESSION_IDLE_SECONDS: int(60, 31 * 86400).default(1800),
  CHARTER_SESSION_MAX_SECONDS: int(60, 366 * 86400).default(43200),
  CHARTER_RATE_LIMIT_CLIENT_KEY: int(0, 1_000_000_000).default(60),
  CHARTER_RATE_LIMIT_CLIENT_IP: int(0, 1_000_000_000).default(600),
  CHARTER_RATE_LIMIT_MANAGEMENT: int(0, 1_000_000_000).default(1200),
  CHARTER_RATE_LIMIT_TRIAL_IP: int(0, 1_000_000_000).default(10),
  CHARTER_LMUTIL: z.string().trim().min(1).default('lmutil'),
  CHARTER_RLMUTIL: z.string().trim().min(1).default('rlmutil'),
  CHARTER_MONITOR_CONCURRENCY: int(1, 64).default(4),
  CHARTER_MONITOR_LOG_DIR: z.string().trim().min(1).optional(),
  CHARTER_DASHBOARD_DIR: z.string().trim().min(1).optional(),
  CHARTER_MONITOR_POLLING: bool.default(true),
  CHARTER_LEASE_REAPER_SECONDS: int(1, 3600).default(10),
  CHARTER_USAGE_FLUSH_SECONDS: int(1, 300).default(5),
  CHARTER_LIFECYCLE_SCAN_SECONDS: int(1, 3600).default(60),
  CHARTER_WEBHOOK_SENDERS: int(0, 64).default(4),
  CHARTER_WEBHOOK_INTERVAL_MS: int(50, 60_000).default(1000),
  CHARTER_EVENT_RETENTION_DAYS: int(1, 3650).default(30),
  CHARTER_ACTION_TTL_HOURS: int(1, 8760).default(72),
  CHARTER_EXPIRY_NOTICE_DAYS: int(1, 365).default(7),
  CHARTER_INCIDENT_EVALUATE_SECONDS: int(5, 3600).default(60),
  CHARTER_INCIDENT_SERVER_DOWN_POLLS: int(0, 1000).default(3),
  CHARTER_INCIDENT_SATURATION_MINUTES: int(0, 1440).default(15),
  CHARTER_INCIDENT_EXPIRY_DAYS: int(0, 365).default(14),
  CHARTER_INCIDENT_ANOMALY_FACTOR: int(0, 1000).default(3),
  CHARTER_INCIDENT_WEBHOOK_FAILURES: int(0, 1000).default(10),
  CHARTER_INCIDENT_FEATURE_EXPIRY_DAYS: int(0, 365).default(14),
  CHARTER_INCIDENT_CHECKOUT_HOURS: int(0, 8760).default(12),
  CHARTER_INCIDENT_CHECKOUT_HOURS_BY_FEATURE: hoursByFeature.default({}),
  CHARTER_SMTP_URL: url(['smtp', 'smtps']).optional(),
  CHARTER_MAIL_FROM: z.string().trim().min(3).optional(),
  CHARTER_MAIL_INCIDENT_SEVERITY: z.enum(['critical', 'warning', 'info', 'none']).default('critical'),
  CHARTER_MAIL_TO_CRITICAL: emails.optional(),
  CHARTER_MAIL_TO_WARNING: emails.optional(),
  CHARTER_MAIL_TO_INFO: emails.optional(),
  CHARTER_MAIL_TO_APPROVERS: emails.optional(),
  CHARTER_CUSTOMER_MAIL: customerMailList.default([]),
  CHARTER_PUBLIC_URL: url(['https', 'http']).optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
type RawConfig = z.output<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The dashboard's built files (index.html, assets/), served at `/`: web/dist of this package by default. */
  dashboardDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** PostgreSQL: run the hot statements as named prepared statements (off behind a transaction-mode pooler). */
  pgPreparedStatements: boolean;
  /** What validation read, kept per process until a change to it commits (entries; 0 turns it off), with a backstop age. */
  validationCache: { size: number; ttlSeconds: number };
  bodyLimit: number;
  trustProxy: boolean | number | string[];
  logLevel: RawConfig['CHARTER_LOG_LEVEL'];
  bootstrap: { email: string; password: string } | undefined;
  requireApproval: string[];
  metricsPublic: boolean;
  secretKey: string | undefined;
  oauthRequired: boolean;
  webhooksAllowPrivate: boolean;
  stripeWebhookSecret: string | undefined;
  genericWebhookSecret: string | undefined;
  /** Reads a checkout session's line items when Stripe's event does not carry them. */
  stripeApi: { key: string | undefined; url: string };
  session: { idleSeconds: number; maxSeconds: number };
  /** Per minute, but trialIp: trial requests per hour per address. */
  rateLimits: { clientKey: number; clientIp: number; management: number; trialIp: number };
  /** `polling`: whether this process polls on schedule (false: API only; another process polls). */
  monitor: {
    lmutil: string;
    rlmutil: string;
    concurrency: number;
    logDir: string | undefined;
    polling: boolean;
  };
  /**
   * Notification mail (off without an SMTP URL): incidents of `incidentSeverity` and above, and pending approvals.
   * Recipients per severity (and for approvals) when configured; else the operators who can act on them.
   */
  mail: {
    smtpUrl: string | undefined;
    from: string | undefined;
    incidentSeverity: 'critical' | 'warning' | 'info' | 'none';
    to: { critical?: string[]; warning?: string[]; info?: string[]; approvers?: string[] };
  };
  /** The kinds of customer mail turned on (CHARTER_CUSTOMER_MAIL; needs CHARTER_SMTP_URL); none by default. */
  customerMail: CustomerMailKind[];
  /**
   * Where customers reach this server (CHARTER_PUBLIC_URL), for the absolute links of customer mail (invitations);
   * without it an invitation answers its link as a path. Required when user_invited mail is on.
   */
  publicUrl: string | undefined;
  /** Background work: how often lapsed leases are marked expired, usage counters written, and the lifecycle
   * watch (license.expired / expiring_soon, machine.heartbeat_dead) looks. */
  workers: { leaseReaperSeconds: number; usageFlushSeconds: number; lifecycleScanSeconds: number };
  /** Outbound webhooks: deliveries this process sends at once (0: none), how often it looks, how long events stay. */
  webhooks: { senders: number; intervalMs: number; eventRetentionDays: number };
  /** How long a proposed action waits for a decision before it expires. */
  actions: { ttlHours: number };
  /** license.expiring_soon: this many days before a license's end. */
  expiryNoticeDays: number;
  /** The incident rules (ops.md "Incidents"): how often the leader evaluates them, and each rule's threshold or
   * window; 0 turns a rule off. */
  incidents: {
    evaluateSeconds: number;
    serverDownPolls: number;
    saturationMinutes: number;
    expiryDays: number;
    anomalyFactor: number;
    webhookFailures: number;
    featureExpiryDays: number;
    checkoutHours: number;
    checkoutHoursByFeature: Record<string, number>;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const knownKeys = new Set(Object.keys(configSchema.shape));

const describeIssues = (issues: z.core.$ZodIssue[]): string =>
  issues
    .map((issue) => {
      const key = issue.path.join('.') || '(config)';
      return `  ${key}: ${issue.message}`;
    })
    .join('\n');

/** Reads the JSON config file, if any: `--config` path, else `charter.config.json` in the working directory. */
const readConfigFile = (file: string | undefined, cwd: string): Record<string, unknown> => {
  const target = file ? path.resolve(cwd, file) : path.join(cwd, 'charter.config.json');
  if (!existsSync(target)) {
    if (file) throw new ConfigError(`Config file ${target} does not exist`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(target, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Config file ${target} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${target} must hold a JSON object of configuration keys`);
  }
  const unknown = Object.keys(parsed).filter((key) => !knownKeys.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(`Config file ${target} has unknown keys: ${unknown.join(', ')}`);
  }
  return parsed as Record<string, unknown>;
};

/**
 * Builds the configuration: file values first, the environment over them; empty environment values count as unset.
 * Throws ConfigError naming every bad variable and what it allows.
 */
export const loadConfig = (
  options: { env?: NodeJS.ProcessEnv; file?: string; cwd?: string; overrides?: Partial<ConfigInput> } = {},
): Config => {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const merged: Record<string, unknown> = { ...readConfigFile(options.file, cwd) };
  for (const key of knownKeys) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  Object.assign(merged, options.overrides);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(`Invalid configuration:\n${describeIssues(result.error.issues)}`);
  }
  const raw = result.data;
  if ((raw.CHARTER_BOOTSTRAP_EMAIL === undefined) !== (raw.CHARTER_BOOTSTRAP_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  CHARTER_BOOTSTRAP_EMAIL and CHARTER_BOOTSTRAP_PASSWORD: set both or neither',
    );
  }
  if (raw.CHARTER_SMTP_URL !== undefined && raw.CHARTER_MAIL_FROM === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  CHARTER_MAIL_FROM: required with CHARTER_SMTP_URL (the sender of notification mail)',
    );
  }
  if (raw.CHARTER_CUSTOMER_MAIL.length > 0 && raw.CHARTER_SMTP_URL === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  CHARTER_CUSTOMER_MAIL: needs CHARTER_SMTP_URL and CHARTER_MAIL_FROM (the mail server and sender)',
    );
  }
  if (raw.CHARTER_CUSTOMER_MAIL.includes('user_invited') && raw.CHARTER_PUBLIC_URL === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  CHARTER_PUBLIC_URL: required when CHARTER_CUSTOMER_MAIL lists user_invited (the link in the mail)',
    );
  }
  if (raw.CHARTER_SESSION_IDLE_SECONDS > raw.CHARTER_SESSION_MAX_SECONDS) {
    throw new ConfigError(
      'Invalid configuration:\n  CHARTER_SESSION_IDLE_SECONDS: must not exceed CHARTER_SESSION_MAX_SECONDS',
    );
  }
  return {
    port: raw.PORT,
    host: raw.HOST,
    dataDir: path.resolve(cwd, raw.CHARTER_DATA_DIR),
    dashboardDir: raw.CHARTER_DASHBOARD_DIR
      ? path.resolve(cwd, raw.CHARTER_DASHBOARD_DIR)
      : path.resolve(import.meta.dirname, '../web/dist'),
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    pgPreparedStatements: raw.CHARTER_PG_PREPARED_STATEMENTS,
    validationCache: {
      size: raw.CHARTER_VALIDATION_CACHE_SIZE,
      ttlSeconds: raw.CHARTER_VALIDATION_CACHE_TTL_SECONDS,
    },
    bodyLimit: raw.CHARTER_BODY_LIMIT,
    trustProxy: raw.CHARTER_TRUST_PROXY,
    logLevel: raw.CHARTER_LOG_LEVEL,
    bootstrap:
      raw.CHARTER_BOOTSTRAP_EMAIL && raw.CHARTER_BOOTSTRAP_PASSWORD
        ? { email: raw.CHARTER_BOOTSTRAP_EMAIL, password: raw.CHARTER_BOOTSTRAP_PASSWORD }
        : undefined,
    requireApproval: raw.CHARTER_REQUIRE_APPROVAL,
    metricsPublic: raw.CHARTER_METRICS_PUBLIC,
    secretKey: raw.CHARTER_SECRET_KEY,
    oauthRequired: raw.CHARTER_OAUTH_REQUIRED,
    webhooksAllowPrivate: raw.CHARTER_WEBHOOKS_ALLOW_PRIVATE,
    stripeWebhookSecret: raw.CHARTER_STRIPE_WEBHOOK_SECRET,
    genericWebhookSecret: raw.CHARTER_GENERIC_WEBHOOK_SECRET,
    stripeApi: { key: raw.CHARTER_STRIPE_API_KEY, url: raw.CHARTER_STRIPE_API_URL },
    session: { idleSeconds: raw.CHARTER_SESSION_IDLE_SECONDS, maxSeconds: raw.CHARTER_SESSION_MAX_SECONDS },
    rateLimits: {
      clientKey: raw.CHARTER_RATE_LIMIT_CLIENT_KEY,
      clientIp: raw.CHARTER_RATE_LIMIT_CLIENT_IP,
      management: raw.CHARTER_RATE_LIMIT_MANAGEMENT,
      trialIp: raw.CHARTER_RATE_LIMIT_TRIAL_IP,
    },
    monitor: {
      lmutil: raw.CHARTER_LMUTIL,
      rlmutil: raw.CHARTER_RLMUTIL,
      concurrency: raw.CHARTER_MONITOR_CONCURRENCY,
      logDir: raw.CHARTER_MONITOR_LOG_DIR,
      polling: raw.CHARTER_MONITOR_POLLING,
    },
    mail: {
      smtpUrl: raw.CHARTER_SMTP_URL,
      from: raw.CHARTER_MAIL_FROM,
      incidentSeverity: raw.CHARTER_MAIL_INCIDENT_SEVERITY,
      to: {
        ...(raw.CHARTER_MAIL_TO_CRITICAL ? { critical: raw.CHARTER_MAIL_TO_CRITICAL } : {}),
        ...(raw.CHARTER_MAIL_TO_WARNING ? { warning: raw.CHARTER_MAIL_TO_WARNING } : {}),
        ...(raw.CHARTER_MAIL_TO_INFO ? { info: raw.CHARTER_MAIL_TO_INFO } : {}),
        ...(raw.CHARTER_MAIL_TO_APPROVERS ? { approvers: raw.CHARTER_MAIL_TO_APPROVERS } : {}),
      },
    },
    customerMail: [...new Set(raw.CHARTER_CUSTOMER_MAIL)],
    publicUrl: raw.CHARTER_PUBLIC_URL?.replace(/\/+$/, ''),
    workers: {
      leaseReaperSeconds: raw.CHARTER_LEASE_REAPER_SECONDS,
      usageFlushSeconds: raw.CHARTER_USAGE_FLUSH_SECONDS,
      lifecycleScanSeconds: raw.CHARTER_LIFECYCLE_SCAN_SECONDS,
    },
    webhooks: {
      senders: raw.CHARTER_WEBHOOK_SENDERS,
      intervalMs: raw.CHARTER_WEBHOOK_INTERVAL_MS,
      eventRetentionDays: raw.CHARTER_EVENT_RETENTION_DAYS,
    },
    actions: { ttlHours: raw.CHARTER_ACTION_TTL_HOURS },
    expiryNoticeDays: raw.CHARTER_EXPIRY_NOTICE_DAYS,
    incidents: {
      evaluateSeconds: raw.CHARTER_INCIDENT_EVALUATE_SECONDS,
      serverDownPolls: raw.CHARTER_INCIDENT_SERVER_DOWN_POLLS,
      saturationMinutes: raw.CHARTER_INCIDENT_SATURATION_MINUTES,
      expiryDays: raw.CHARTER_INCIDENT_EXPIRY_DAYS,
      anomalyFactor: raw.CHARTER_INCIDENT_ANOMALY_FACTOR,
      webhookFailures: raw.CHARTER_INCIDENT_WEBHOOK_FAILURES,
      featureExpiryDays: raw.CHARTER_INCIDENT_FEATURE_EXPIRY_DAYS,
      checkoutHours: raw.CHARTER_INCIDENT_CHECKOUT_HOURS,
      checkoutHoursByFeature: raw.CHARTER_INCIDENT_CHECKOUT_HOURS_BY_FEATURE,
    },
  };
};

/**
 * Test-time variables (the only other process.env reads): where the PostgreSQL and Redis suites find their servers.
 * Outside CI a missing one skips its suites; under CI=true it is an error, so a run cannot pass by skipping them.
 */
export const testServices = (env: NodeJS.ProcessEnv = process.env) => {
  const services = {
    databaseUrl: env.TEST_DATABASE_URL || undefined,
    redisUrl: env.TEST_REDIS_URL || undefined,
  };
  if (env.CI === 'true') {
    const missing = [
      { name: 'TEST_DATABASE_URL', url: services.databaseUrl, suites: 'PostgreSQL' },
      { name: 'TEST_REDIS_URL', url: services.redisUrl, suites: 'Redis' },
    ].filter((service) => !service.url);
    if (missing.length > 0) {
      const names = missing.map((service) => service.name).join(' and ');
      const suites = missing.map((service) => service.suites).join(' and ');
      throw new ConfigError(
        `CI=true, but ${names} ${missing.length > 1 ? 'are' : 'is'} unset: the ${suites} suites would be skipped`,
      );
    }
  }
  return services;
};
