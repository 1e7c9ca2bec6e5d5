// SQL of machines.
import { prepared } from '../../db/prepared.js';
import { type MachinesTable, machineColumns } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

// Every activation inserts one: built once (db/prepared.ts).
const insertMachineRow = prepared<MachinesTable>(machineColumns, (db, row) =>
  db.insertInto('machines').values(row),
);

export const insertMachine = async (db: Executor, row: MachinesTable): Promise<void> => {
  await insertMachineRow(db, row);
};

export const findMachine = (db: Executor, id: string): Promise<MachinesTable | undefined> =>
  db.selectFrom('machines').selectAll().where('id', '=', id).executeTakeFirst();

/** The active machine of a fingerprint on a license (dead ones included: they are still `active` rows). */
export const findActiveMachine = (
  db: Executor,
  licenseId: string,
  fingerprint: string,
): Promise<MachinesTable | undefined> =>
  db
    .selectFrom('machines')
    .selectAll()
    .where('license_id', '=', licenseId)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'active')
    .executeTakeFirst();

export const activeMachinesOf = (
  db: Executor,
  licenseId: string,
): Promise<Pick<MachinesTable, 'id' | 'last_seen_at' | 'user_id'>[]> =>
  db
    .selectFrom('machines')
    .select(['id', 'last_seen_at', 'user_id'])
    .where('license_id', '=', licenseId)
    .where('status', '=', 'active')
    .execute();

export const countDeactivationsSince = async (
  db: Executor,
  licenseId: string,
  sinceMs: number,
): Promise<number> => {
  const row = await db
    .selectFrom('machines')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('license_id', '=', licenseId)
    .where('status', '=', 'deactivated')
    .where('deactivated_at', '>', sinceMs)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
};

export const updateMachineRow = async (
  db: Executor,
  id: string,
  patch: Partial<MachinesTable>,
): Promise<void> => {
  await db.updateTable('machines').set(patch).where('id', '=', id).execute();
};

export const listMachines = (
  db: Executor,
  filter: {
    after?: string | undefined;
    licenseId?: string | undefined;
    productIds?: readonly string[] | undefined;
    status?: string | undefined;
    fingerprint?: string | undefined;
    limit: number;
  },
): Promise<MachinesTable[]> => {
  let query = db.selectFrom('machines').selectAll('machines');
  if (filter.productIds) {
    query = query
      .innerJoin('licenses', 'licenses.id', 'machines.license_id')
      .where((eb) =>
        filter.productIds?.length ? eb('licenses.product_id', 'in', filter.productIds) : eb.lit(false),
      );
  }
  if (filter.after) query = query.where('machines.id', '>', filter.after);
  if (filter.licenseId) query = query.where('machines.license_id', '=', filter.licenseId);
  if (filter.fingerprint !== undefined) query = query.where('machines.fingerprint', '=', filter.fingerprint);
  if (filter.status === 'deactivated') query = query.where('machines.status', '=', 'deactivated');
  if (filter.status === 'active' || filter.status === 'dead')
    query = query.where('machines.status', '=', 'active');
  return query.orderBy('machines.id').limit(filter.limit).execute();
};

/** The product and policy of the licenses machines belong to (visibility and heartbeat rules). */
export const licensesOfMachines = (
  db: Executor,
  licenseIds: readonly string[],
): Promise<{ id: string; product_id: string; policy_id: string }[]> =>
  licenseIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('licenses')
        .select(['id', 'product_id', 'policy_id'])
        .where('id', 'in', licenseIds)
        .execute();

// The machine writes of every heartbeat and checkout, built once (db/prepared.ts).
const touchMachineRow = prepared<{ id: string; last_seen_at: number }>(['id', 'last_seen_at'], (db, row) =>
  db.updateTable('machines').set({ last_seen_at: row.last_seen_at }).where('id', '=', row.id),
);

/** A heartbeat: the machine was seen now. */
export const touchMachine = async (db: Executor, id: string, lastSeenAt: number): Promise<void> => {
  await touchMachineRow(db, { id, last_seen_at: lastSeenAt });
};

export type MachineReport = Pick<
  MachinesTable,
  'name' | 'hostname' | 'platform' | 'cores' | 'is_vm' | 'activated_at' | 'last_seen_at'
>;
const refreshMachineRow = prepared<MachineReport & { id: string }>(
  ['id', 'name', 'hostname', 'platform', 'cores', 'is_vm', 'activated_at', 'last_seen_at'],
  (db, row) =>
    db
      .updateTable('machines')
      .set({
        name: row.name,
        hostname: row.hostname,
        platform: row.platform,
        cores: row.cores,
        is_vm: row.is_vm,
        activated_at: row.activated_at,
        last_seen_at: row.last_seen_at,
      })
      .where('id', '=', row.id),
);

/** A checkout by a known machine: what it reports now, and when it was (re)activated and seen. */
export const refreshMachine = async (db: Executor, id: string, report: MachineReport): Promise<void> => {
  await refreshMachineRow(db, { id, ...report });
};

/** The active machines (dead ones included) a license user activated, or of a customer's licenses: the portal's. */
export const activeMachinesWhere = (
  db: Executor,
  filter: { userId: string } | { customerId: string },
): Promise<MachinesTable[]> => {
  let query = db
    .selectFrom('machines')
    .innerJoin('licenses', 'licenses.id', 'machines.license_id')
    .selectAll('machines')
    .where('machines.status', '=', 'active')
    .where('licenses.deleted_at', 'is', null);
  query =
    'userId' in filter
      ? query.where('machines.user_id', '=', filter.userId)
      : query.where('licenses.customer_id', '=', filter.customerId);
  return query.orderBy('machines.id').limit(1000).execute();
};

/** The active machines of a fingerprint on live licenses (of one product, when named), oldest first. */
export const activeMachinesOfFingerprint = (
  db: Executor,
  fingerprint: string,
  productCode: string | undefined,
  limit: number,
) => {
  let query = db
    .selectFrom('machines')
    .innerJoin('licenses', 'licenses.id', 'machines.license_id')
    .innerJoin('policies', 'policies.id', 'licenses.policy_id')
    .innerJoin('products', 'products.id', 'licenses.product_id')
    .select([
      'machines.id',
      'machines.license_id',
      'machines.status',
      'machines.activated_at',
      'machines.last_seen_at',
      'machines.device_public_key',
      'licenses.status as license_status',
      'licenses.starts_at',
      'licenses.expires_at',
      'licenses.trial',
      'policies.heartbeat_seconds',
      'policies.expiration_strategy',
      'products.code as product_code',
    ])
    .where('machines.fingerprint', '=', fingerprint)
    .where('machines.status', '=', 'active')
    .where('licenses.deleted_at', 'is', null)
    .where('products.deleted_at', 'is', null);
  if (productCode !== undefined) query = query.where('products.code', '=', productCode);
  return query.orderBy('machines.activated_at').orderBy('machines.id').limit(limit).execute();
};
