// The numbered migrations, in order. Forward-only: a landed migration is never edited, a new number is added.
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-meta.js';
import * as m0002 from './0002-access.js';
import * as m0003 from './0003-rate-limits.js';
import * as m0004 from './0004-oauth-signing.js';
import * as m0005 from './0005-products.js';
import * as m0006 from './0006-policies-customers.js';
import * as m0007 from './0007-licenses-machines.js';
import * as m0008 from './0008-blocklist.js';
import * as m0009 from './0009-users-trials.js';
import * as m0010 from './0010-live-machines-index.js';
import * as m0011 from './0011-offline-machines.js';
import * as m0012 from './0012-leases-meters-usage.js';
import * as m0013 from './0013-idempotency-keys.js';
import * as m0014 from './0014-orders.js';
import * as m0015 from './0015-releases.js';
import * as m0016 from './0016-webhook-endpoints.js';
import * as m0017 from './0017-webhook-deliveries.js';
import * as m0018 from './0018-monitor.js';
import * as m0019 from './0019-poll-claims.js';
import * as m0020 from './0020-incidents-actions.js';
import * as m0021 from './0021-license-key-prefix.js';
import * as m0022 from './0022-license-status-counts.js';
import * as m0023 from './0023-orders-by-customer.js';
import * as m0024 from './0024-licenses-ending-by-status.js';
import * as m0025 from './0025-validation-changes.js';
import * as m0026 from './0026-customer-accounts.js';
import * as m0027 from './0027-customer-mail.js';
import * as m0028 from './0028-device-keys.js';
import * as m0029 from './0029-bundles.js';

export const migrations: Record<string, Migration> = {
  '0001-meta': m0001,
  '0002-access': m0002,
  '0003-rate-limits': m0003,
  '0004-oauth-signing': m0004,
  '0005-products': m0005,
  '0006-policies-customers': m0006,
  '0007-licenses-machines': m0007,
  '0008-blocklist': m0008,
  '0009-users-trials': m0009,
  '0010-live-machines-index': m0010,
  '0011-offline-machines': m0011,
  '0012-leases-meters-usage': m0012,
  '0013-idempotency-keys': m0013,
  '0014-orders': m0014,
  '0015-releases': m0015,
  '0016-webhook-endpoints': m0016,
  '0017-webhook-deliveries': m0017,
  '0018-monitor': m0018,
  '0019-poll-claims': m0019,
  '0020-incidents-actions': m0020,
  '0021-license-key-prefix': m0021,
  '0022-license-status-counts': m0022,
  '0023-orders-by-customer': m0023,
  '0024-licenses-ending-by-status': m0024,
  '0025-validation-changes': m0025,
  '0026-customer-accounts': m0026,
  '0027-customer-mail': m0027,
  '0028-device-keys': m0028,
  '0029-bundles': m0029,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export const latestMigration = Object.keys(migrations).at(-1) ?? '';
