// Typed tables for Kysely. Column conventions (both dialects): text ids, integer epoch-ms timestamps,
// integer 0/1 booleans mapped in the stores, JSON as text parsed with Zod on read.
import type { Generated } from 'kysely';

export interface CharterMetaTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  /** JSON array of scopes. */
  scopes: string;
  /** JSON array of product ids, or null for every product. */
  product_ids: string | null;
  read_only: number;
  require_signature: number;
  /** AES-256-GCM sealed signing secret (keys with requireSignature). */
  signing_secret: string | null;
  rate_limit: number | null;
  /** JSON { daily?, monthly? }. */
  quota: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  created_by_type: string;
  created_by_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface OperatorsTable {
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  operator_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON { field: [before, after] }. */
  changes: string | null;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface SigningKeysTable {
  id: string;
  algorithm: string;
  /** base64 SPKI DER. */
  public_key: string;
  /** PKCS#8 DER, sealed with the server secret key. */
  private_key: string;
  /** active | verify_only | retired. */
  status: string;
  created_at: number;
  updated_at: number;
}

export interface OauthClientsTable {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  product_ids: string | null;
  token_ttl_seconds: number;
  revoked_at: number | null;
  created_by_type: string;
  created_by_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface RequestNoncesTable {
  key: string;
  expires_at: number;
}

export interface ProductsTable {
  id: string;
  code: string;
  name: string;
  /** active | disabled | archived. */
  status: string;
  /** key | user. */
  license_model: string;
  /** JSON { enabled, days, requireEmail }. */
  trial: string;
  /** JSON object. */
  metadata: string;
  /** standard | bundle (set at creation, never changed). */
  kind: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** A bundle's member products (a bundle is a product of kind `bundle`; its members are standard products). */
export interface ProductMembersTable {
  bundle_id: string;
  member_id: string;
  created_at: number;
}

export interface FeaturesTable {
  id: string;
  product_id: string;
  code: string;
  name: string;
  /** boolean | consumption | floating. */
  kind: string;
  seats: number | null;
  max_consumption: number | null;
  created_at: number;
  updated_at: number;
}

export interface PoliciesTable {
  id: string;
  product_id: string;
  code: string;
  name: string;
  duration_seconds: number | null;
  floating: number;
  max_machines: number | null;
  max_users: number | null;
  max_activations_per_user: number | null;
  max_transfers: number | null;
  /** JSON { count, periodSeconds } or null. */
  max_deactivations: string | null;
  /** issue | activation. */
  expiration_basis: string;
  /** restrict | maintenance. */
  expiration_strategy: string;
  allow_vm: number;
  allow_offline: number;
  allow_borrow: number;
  max_borrow_seconds: number | null;
  lease_seconds: number;
  heartbeat_seconds: number | null;
  /** JSON { max, allowNegative, allowOverage, resetPeriod } or null. */
  consumption: string | null;
  /** JSON [{ code, seats?, maxConsumption? }]. */
  features: string;
  license_file_ttl_seconds: number;
  metadata: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Whether license users of its licenses may change their own password (0/1). */
  allow_password_change: number;
  /** 1: activation must register a device key (machines/device-keys.ts). */
  require_device_key: number;
}

/** Every column of a policy row, for queries that join it under a prefix. */
export const policyColumns = [
  'id',
  'product_id',
  'code',
  'name',
  'duration_seconds',
  'floating',
  'max_machines',
  'max_users',
  'max_activations_per_user',
  'max_transfers',
  'max_deactivations',
  'expiration_basis',
  'expiration_strategy',
  'allow_vm',
  'allow_offline',
  'allow_borrow',
  'max_borrow_seconds',
  'lease_seconds',
  'heartbeat_seconds',
  'consumption',
  'features',
  'license_file_ttl_seconds',
  'metadata',
  'created_at',
  'updated_at',
  'deleted_at',
  'allow_password_change',
  'require_device_key',
] as const satisfies readonly (keyof PoliciesTable)[];

export interface CustomersTable {
  id: string;
  email: string;
  name: string;
  company: string | null;
  /** active | inactive. */
  status: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface LicensesTable {
  id: string;
  key_hash: string;
  /** The key sealed with the server secret key, for display to callers with licenses:read. */
  key_sealed: string;
  key_prefix: string;
  product_id: string;
  policy_id: string;
  customer_id: string | null;
  /** active | suspended | revoked (expired is derived from expires_at). */
  status: string;
  starts_at: number;
  expires_at: number | null;
  trial: number;
  max_machines: number | null;
  transfers_count: number;
  /** JSON [{ code, seats?, maxConsumption? }] overriding the policy's, or null. */
  features: string | null;
  metadata: string;
  first_activated_at: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** The order that issued the license, if any. */
  order_id: string | null;
}

export interface MachinesTable {
  id: string;
  license_id: string;
  fingerprint: string;
  name: string | null;
  hostname: string | null;
  platform: string | null;
  cores: number | null;
  is_vm: number;
  user_id: string | null;
  /** active | deactivated (dead is derived from last_seen_at and the policy's heartbeat). */
  status: string;
  offline: number;
  activated_at: number;
  last_seen_at: number;
  deactivated_at: number | null;
  /** Offline activations: the secret of the deactivation proof, sealed; null otherwise. */
  deactivation_secret: string | null;
  /** The device key (Ed25519 SPKI PEM) every Client API call about this machine is signed with; null: none. */
  device_public_key: string | null;
  /** Hex SHA-256 of the device key's SPKI DER; null without a key. */
  device_key_sha256: string | null;
  /** Hex SHA-256 of the X.509 certificate that carried the device key, when one did. */
  device_certificate_sha256: string | null;
}

/** Every column of a machine, in table order (inserts, and the Client API's reads that join it). */
export const machineColumns = [
  'id',
  'license_id',
  'fingerprint',
  'name',
  'hostname',
  'platform',
  'cores',
  'is_vm',
  'user_id',
  'status',
  'offline',
  'activated_at',
  'last_seen_at',
  'deactivated_at',
  'deactivation_secret',
  'device_public_key',
  'device_key_sha256',
  'device_certificate_sha256',
] as const satisfies readonly (keyof MachinesTable)[];

export interface BlocklistTable {
  id: string;
  fingerprint: string;
  /** null: every product. */
  product_id: string | null;
  reason: string | null;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** scrypt hash (lib/secrets.ts), null until set by the vendor or through an invitation. */
  password_hash: string | null;
  password_changed_at: number | null;
  /** active | disabled. */
  status: string;
}

export interface CustomerUsersTable {
  customer_id: string;
  user_id: string;
  /** member | manager. */
  role: string;
  created_at: number;
}

export interface UserInvitationsTable {
  id: string;
  user_id: string;
  /** SHA-256 of the invitation token; the token itself is only in the link. */
  token_hash: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface PortalSessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface LicenseUsersTable {
  license_id: string;
  user_id: string;
  created_at: number;
}

export interface TrialsTable {
  id: string;
  product_id: string;
  fingerprint: string;
  email: string | null;
  license_id: string;
  created_at: number;
}

export interface LeasesTable {
  id: string;
  license_id: string;
  product_id: string;
  machine_id: string;
  fingerprint: string;
  /** '' for the license's own seat, else the floating feature's code. */
  feature: string;
  /** active | released | expired (a lease past expires_at is no longer counted before the reaper marks it). */
  status: string;
  checked_out_at: number;
  /** The lease's end: the heartbeat or repeated checkout pushes it on; a borrow sets it to the borrow's end. */
  expires_at: number;
  borrowed_until: number | null;
  ended_at: number | null;
  updated_at: number;
}

/** Every column of a lease, in table order (inserts, and the Client API's seat read that joins it). */
export const leaseColumns = [
  'id',
  'license_id',
  'product_id',
  'machine_id',
  'fingerprint',
  'feature',
  'status',
  'checked_out_at',
  'expires_at',
  'borrowed_until',
  'ended_at',
  'updated_at',
] as const satisfies readonly (keyof LeasesTable)[];

export interface LeaseDenialsTable {
  id: string;
  license_id: string;
  product_id: string;
  feature: string;
  fingerprint: string;
  seats: number;
  in_use: number;
  at: number;
}

export interface MetersTable {
  license_id: string;
  /** '' for the license's meter, else the consumption feature's code. */
  feature: string;
  used: number;
  /** Start of the period `used` counts from; a consumption in a later period starts from zero. */
  period_starts_at: number;
  updated_at: number;
}

export interface UsageCountersTable {
  product_id: string;
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  /** validations | activations | deactivations | checkouts | denials | peak_seats. */
  metric: string;
  value: number;
}

export interface EventsTable {
  id: string;
  type: string;
  subject_type: string;
  subject_id: string;
  license_id: string | null;
  /** JSON: the event's data.object. */
  data: string;
  created_at: number;
  /** 1 once the outbox has made its deliveries (0017). */
  dispatched: number;
}

export interface IdempotencyKeysTable {
  /** The credential: `${principal type}:${principal id}`. */
  scope: string;
  key: string;
  /** SHA-256 of method, path with query and the canonical JSON body. */
  request_hash: string;
  /** Null while the first request runs. */
  response_status: number | null;
  /** The answer's body, sealed (AES-256-GCM with the server key): it may hold a license key or a secret. */
  response_body: string | null;
  /** JSON object of the headers replayed with the answer (content-type, location). */
  response_headers: string | null;
  created_at: number;
  expires_at: number;
}

export interface OrdersTable {
  id: string;
  external_id: string;
  customer_id: string;
  /** JSON [{ productCode, policyCode, quantity, users? }] as ordered. */
  items: string;
  metadata: string;
  created_at: number;
}

export interface ReleasesTable {
  id: string;
  product_id: string;
  /** semver, unique per product. */
  version: string;
  /** stable | beta. */
  channel: string;
  /** Clients see a release from this time on. */
  published_at: number;
  /** JSON [{ platform, url, sha256, size }]. */
  files: string;
  notes: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of event types, or ["*"]. */
  events: string;
  /** The whsec_ secret, sealed with the server key (shown once at creation). */
  secret: string;
  enabled: number;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
  /** When the current run of failed attempts began; null after a success. */
  failing_since: number | null;
  last_success_at: number | null;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  /** The license of the event, else its subject: deliveries of one key to one endpoint go in event order. */
  order_key: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  claim_token: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at: number;
  status_code: number | null;
  latency_ms: number;
  /** The first 2 KiB of the answer. */
  response_body: string | null;
  error: string | null;
}

export interface InboundEventsTable {
  provider: string;
  event_id: string;
  type: string;
  received_at: number;
  /** JSON: what applying it did (the answer a replay gets). */
  outcome: string;
}

export interface MonitorServersTable {
  id: string;
  name: string;
  kind: 'flexlm' | 'rlm';
  address: string;
  poll_seconds: number;
  timeout_seconds: number;
  enabled: number;
  status: 'unknown' | 'up' | 'degraded' | 'down' | 'error';
  last_poll_at: number | null;
  last_error_code: string | null;
  last_error_message: string | null;
  /** Unreachable or timed-out polls in a row (3 make the server down). */
  failure_streak: number;
  debug_log_path: string | null;
  /** How far the debug log has been read, and which file that was (device:inode), to notice rotation. */
  log_offset: number;
  log_identity: string | null;
  /** JSON: the latest successful snapshot. */
  snapshot: string | null;
  snapshot_at: number | null;
  next_poll_at: number;
  /** While a process polls the server: when its claim lapses (the poll's timeout and a margin); else null. */
  poll_claimed_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface MonitorPollsTable {
  id: string;
  server_id: string;
  started_at: number;
  duration_ms: number;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  exit_code: number | null;
  /** Kept for failed polls and the last 20 successful ones of each server. */
  raw_output: string | null;
  snapshot: string | null;
}

export interface MonitorSamplesTable {
  server_id: string;
  feature: string;
  at: number;
  issued: number | null;
  in_use: number;
  denials: number;
}

export interface MonitorRollupsTable {
  server_id: string;
  feature: string;
  hour: number;
  samples: number;
  in_use_sum: number;
  in_use_max: number;
  issued: number | null;
  denials: number;
}

export interface MonitorDenialsTable {
  id: string;
  server_id: string;
  feature: string;
  user: string;
  host: string;
  reason: string | null;
  at: number;
}

export interface JobMarksTable {
  name: string;
  at: number;
  after_id: string;
}

export interface LicenseSubscriptionsTable {
  provider: string;
  subscription_id: string;
  license_id: string;
}

/** An incident (ops.md "Incidents"). `open_key` is `kind:subject_type:subject_id` while not resolved, else null. */
export interface IncidentsTable {
  id: string;
  kind: string;
  severity: string;
  status: string;
  title: string;
  subject_type: string;
  subject_id: string;
  /** JSON: what the rule saw when it opened the incident. */
  details: string;
  open_key: string | null;
  opened_at: number;
  acknowledged_at: number | null;
  /** JSON actor { type, id, name }. */
  acknowledged_by: string | null;
  resolved_at: number | null;
  /** JSON actor { type, id, name }. */
  resolved_by: string | null;
  updated_at: number;
}

export interface IncidentTimelineTable {
  id: string;
  incident_id: string;
  at: number;
  type: string;
  message: string;
  /** JSON actor { type, id, name }. */
  actor: string;
}

/** An action proposed for approval (ops.md "Actions and approvals"). Actors are JSON { type, id, name }. */
export interface ActionsTable {
  id: string;
  kind: string;
  /** JSON: the target (licenseId, machineId, leaseId, fingerprint) and the kind's own values. */
  params: string;
  reason: string;
  status: string;
  proposed_by: string;
  decided_by: string | null;
  decided_at: number | null;
  decision_reason: string | null;
  executed_at: number | null;
  /** JSON: what the execution answered. */
  result: string | null;
  /** JSON { code, message } of a failed execution. */
  error: string | null;
  incident_id: string | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
}

/** Activation attempts (successful or refused), one row per license, hour and fingerprint digest. */
export interface ActivationAttemptsTable {
  license_id: string;
  /** A digest of the fingerprint: the rule counts distinct devices, it never needs the value. */
  fingerprint: string;
  /** The hour of the attempt, epoch ms at its start. */
  hour: number;
}

/** Notification mail waiting to be sent, sent, or given up on (the queue the mail worker drains). */
export interface MailOutboxTable {
  id: string;
  /** JSON array of addresses. */
  recipients: string;
  subject: string;
  body: string;
  incident_id: string | null;
  action_id: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  last_error: string | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
  /** Customer mail (migration 0027): its kind (CHARTER_CUSTOMER_MAIL), null for operator mail. */
  kind: string | null;
  /** The HTML part, when the mail has one. */
  html: string | null;
  /** What a customer mail concerns. */
  order_id: string | null;
  license_id: string | null;
  user_id: string | null;
  /** 1: body and html are sealed (customer mail carries license keys and invitation links); both are emptied once
   * the mail is sent or given up. */
  sealed: number;
  /** Unique when set: a second mail with the same key is not queued. */
  dedupe_key: string | null;
}

/** SQLite only (migration 0025): the license each committed change touched ('*' for all), in commit order. */
export interface ValidationChangesTable {
  seq: Generated<number>;
  license_id: string;
}

export interface Schema {
  charter_meta: CharterMetaTable;
  api_keys: ApiKeysTable;
  operators: OperatorsTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  signing_keys: SigningKeysTable;
  oauth_clients: OauthClientsTable;
  request_nonces: RequestNoncesTable;
  products: ProductsTable;
  product_members: ProductMembersTable;
  features: FeaturesTable;
  policies: PoliciesTable;
  customers: CustomersTable;
  licenses: LicensesTable;
  machines: MachinesTable;
  blocklist: BlocklistTable;
  users: UsersTable;
  license_users: LicenseUsersTable;
  customer_users: CustomerUsersTable;
  user_invitations: UserInvitationsTable;
  portal_sessions: PortalSessionsTable;
  trials: TrialsTable;
  leases: LeasesTable;
  lease_denials: LeaseDenialsTable;
  meters: MetersTable;
  usage_counters: UsageCountersTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  orders: OrdersTable;
  releases: ReleasesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  inbound_events: InboundEventsTable;
  license_subscriptions: LicenseSubscriptionsTable;
  job_marks: JobMarksTable;
  monitor_servers: MonitorServersTable;
  monitor_polls: MonitorPollsTable;
  monitor_samples: MonitorSamplesTable;
  monitor_rollups: MonitorRollupsTable;
  monitor_denials: MonitorDenialsTable;
  incidents: IncidentsTable;
  incident_timeline: IncidentTimelineTable;
  actions: ActionsTable;
  activation_attempts: ActivationAttemptsTable;
  mail_outbox: MailOutboxTable;
  validation_changes: ValidationChangesTable;
}
