// SQL of the Client API's hot path. Validation reads the license, its policy, product, customer state, live
// machine count and (with a fingerprint) that machine and its blocklist state in one indexed query, compiled once
// per database and executed with fresh parameters: the cost of every client start. A bundle license's read also
// carries its bundle's members (id, code, status of each, one text column; products/service.ts "Bundles"): a
// standard product's row skips that subquery (`case` on its kind), so the common read costs what it did.
import { CompiledQuery, sql } from 'kysely';
import { type Database, type DialectName, preparedOnPostgres } from '../../db/connection.js';
import {
  type LeasesTable,
  type LicensesTable,
  leaseColumns,
  type MachinesTable,
  machineColumns,
  type PoliciesTable,
  policyColumns,
} from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/** A member product of a bundle, as the Client API checks it. */
export interface BundleMember {
  id: string;
  code: string;
  status: string;
}

export interface ClientLicense {
  license: LicensesTable;
  policy: PoliciesTable;
  product: {
    id: string;
    code: string;
    status: string;
    licenseModel: string;
    /** A bundle's live members (none: an empty list); null for a standard product. */
    members: readonly BundleMember[] | null;
  };
  customerStatus: string | null;
}

/** The license and policy rows hold only the columns validation reads (see validation*Columns). */
export interface ValidationRead extends ClientLicense {
  /** Active machines that are not dead (silent past 2× the heartbeat). */
  liveMachines: number;
  /** With a fingerprint: its active machine on this license, if any. */
  machine: MachinesTable | undefined;
  /** With a fingerprint: whether it is on the blocklist for this product or all. */
  blocked: boolean;
  /** With a fingerprint: when its latest active seat lease of the license ends (floating licenses), if any. */
  leaseExpiresAt: number | null;
  /** When the first of the live machines dies (the live count changes with time alone then); Infinity if never. */
  liveMachinesUntil: number;
  /** The license-level consumption meter, once used. */
  meter: { used: number; period_starts_at: number } | undefined;
}

const licenseColumns = [
  'id',
  'key_hash',
  'key_sealed',
  'key_prefix',
  'product_id',
  'policy_id',
  'customer_id',
  'status',
  'starts_at',
  'expires_at',
  'trial',
  'max_machines',
  'transfers_count',
  'features',
  'metadata',
  'first_activated_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const satisfies readonly (keyof LicensesTable)[];

type Row = Record<string, unknown>;

const pick = <T>(row: Row, prefix: string, columns: readonly string[]): T => {
  const out: Row = {};
  for (const column of columns) out[column] = row[prefix + column];
  return out as T;
};

/**
 * A bundle's live members as one text column, `id code status` per member, comma-separated (ids, codes and
 * statuses hold neither); '' for a bundle without members, null for a standard product, whose row never runs the
 * subquery. string_agg is both engines' (SQLite's since 3.44; better-sqlite3 ships its own SQLite).
 */
const membersColumn = `case when pr.kind = 'bundle' then coalesce((select string_agg(mp.id || ' ' || mp.code || ' ' || mp.status, ',')
    from product_members bm join products mp on mp.id = bm.member_id
    where bm.bundle_id = pr.id and mp.deleted_at is null), '') end`;

/** What validation reads: every field of the answer, nothing more (no sealed key; rows are built per request). */
const validationLicenseColumns = licenseColumns.filter(
  (column) => column !== 'key_sealed' && column !== 'key_hash',
);
const validationPolicyColumns = [
  'id',
  'expiration_strategy',
  'consumption',
  'max_machines',
  'features',
  'heartbeat_seconds',
  'floating',
] as const satisfies readonly (keyof PoliciesTable)[];
const validationSelect = sql.raw(
  [
    ...validationLicenseColumns.map((column) => `l.${column} as l__${column}`),
    ...validationPolicyColumns.map((column) => `p.${column} as p__${column}`),
    'pr.code as pr__code',
    'pr.status as pr__status',
    `${membersColumn} as pr__members`,
    'mt.used as mt__used',
    'mt.period_starts_at as mt__period_starts_at',
  ].join(', '),
);

const selectList = sql.raw(
  [
    ...licenseColumns.map((column) => `l.${column} as l__${column}`),
    ...policyColumns.map((column) => `p.${column} as p__${column}`),
    'pr.code as pr__code',
    'pr.status as pr__status',
    'pr.license_model as pr__license_model',
    'c.status as c__status',
    `${membersColumn} as pr__members`,
  ].join(', '),
);

/** The members column as read: null for a standard product, else the bundle's members. */
const membersFrom = (value: unknown): readonly BundleMember[] | null => {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (text === '') return noMembers;
  return text.split(',').map((entry) => {
    const [id = '', code = '', status = ''] = entry.split(' ');
    return { id, code, status };
  });
};
const noMembers: readonly BundleMember[] = Object.freeze([]);
const heldSelect = sql.raw(leaseColumns.map((column) => `hl.${column} as hl__${column}`).join(', '));
const machineSelect = sql.raw(machineColumns.map((column) => `fm.${column} as m__${column}`).join(', '));
const joins = sql`from licenses l
  join policies p on p.id = l.policy_id
  join products pr on pr.id = l.product_id
  left join customers c on c.id = l.customer_id`;

const validationJoins = sql`from licenses l
  join policies p on p.id = l.policy_id
  join products pr on pr.id = l.product_id
  left join meters mt on mt.license_id = l.id and mt.feature = ''`;

const toClientLicense = (row: Row): ClientLicense => ({
  license: pick<LicensesTable>(row, 'l__', licenseColumns),
  policy: pick<PoliciesTable>(row, 'p__', policyColumns),
  product: {
    id: String(row.l__product_id),
    code: String(row.pr__code),
    status: String(row.pr__status),
    licenseModel: String(row.pr__license_model),
    members: membersFrom(row.pr__members),
  },
  customerStatus: row.c__status === null || row.c__status === undefined ? null : String(row.c__status),
});

// Compiled once per database (placeholders differ by dialect); parameters are bound on every execution.
const compiled = new WeakMap<
  Database,
  { byKey: string; byKeyAndFingerprint: string; forSeat: string; lockLicense: string }
>();

const queriesFor = (db: Database) => {
  let queries = compiled.get(db);
  if (!queries) {
    const now = 0;
    const liveCount = sql`(select count(*) from machines m where m.license_id = l.id and m.status = 'active'
      and (p.heartbeat_seconds is null or m.last_seen_at + 2000 * p.heartbeat_seconds > ${now})) as live_machines`;
    // The last heartbeat of the live machine that dies first: validation's state holds until then (a cached read
    // is kept no longer; see validation-cache.ts).
    const liveOldest = sql`(select min(m.last_seen_at) from machines m where m.license_id = l.id and m.status = 'active'
      and p.heartbeat_seconds is not null and m.last_seen_at + 2000 * p.heartbeat_seconds > ${now}) as live_oldest`;
    const byKey = sql`select ${validationSelect}, ${liveCount}, ${liveOldest} ${validationJoins} where l.key_hash = ${''} and l.deleted_at is null`;
    // A floating license's machine must also hold a live seat (LEASE_NOT_FOUND otherwise): its lease's end is
    // read, and compared with the time at each validation.
    const byKeyAndFingerprint = sql`select ${validationSelect}, ${liveCount}, ${liveOldest}, ${machineSelect},
      exists(select 1 from blocklist b where b.fingerprint = ${''} and (b.product_id is null or b.product_id = l.product_id)) as blocked,
      (select max(ls.expires_at) from leases ls where ls.license_id = l.id and ls.feature = '' and ls.fingerprint = ${''}
        and ls.status = 'active') as lease_expires_at
      ${validationJoins}
      left join machines fm on fm.license_id = l.id and fm.fingerprint = ${''} and fm.status = 'active'
      where l.key_hash = ${''} and l.deleted_at is null`;
    // Activation's and the seat calls' read: the whole license (with the sealed key for its file), its customer's
    // state, this fingerprint's active machine (dead or alive) and the blocklist, plus the seats in use and this
    // fingerprint's active seat lease.
    const forSeat = sql`select ${selectList}, ${liveCount}, ${machineSelect},
      exists(select 1 from blocklist b where b.fingerprint = ${''} and (b.product_id is null or b.product_id = l.product_id)) as blocked,
      (select count(*) from leases sl where sl.license_id = l.id and sl.feature = '' and sl.status = 'active'
        and sl.expires_at > ${now}) as seats_in_use, ${heldSelect}
      ${joins}
      left join machines fm on fm.license_id = l.id and fm.fingerprint = ${''} and fm.status = 'active'
      left join leases hl on hl.license_id = l.id and hl.feature = '' and hl.fingerprint = ${''} and hl.status = 'active'
      where l.key_hash = ${''} and l.deleted_at is null`;
    const lockLicense = sql`select l.id from licenses l where l.key_hash = ${''} and l.deleted_at is null for update`;
    queries = {
      byKey: byKey.compile(db.kysely).sql,
      byKeyAndFingerprint: byKeyAndFingerprint.compile(db.kysely).sql,
      forSeat: forSeat.compile(db.kysely).sql,
      lockLicense: lockLicense.compile(db.kysely).sql,
    };
    // Every client call runs one of these: planned once per PostgreSQL connection, not per call.
    if (db.dialect === 'postgres') for (const text of Object.values(queries)) preparedOnPostgres(text);
    compiled.set(db, queries);
  }
  return queries;
};

/** Copies `columns.length` values from `values` at `offset` into a row keyed by the column names. */
const rowFrom = <T>(values: readonly unknown[], offset: number, columns: readonly string[]): T => {
  const out: Row = {};
  for (let index = 0; index < columns.length; index++) out[columns[index] as string] = values[offset + index];
  return out as T;
};

// Where each part starts in the select list of the validation queries (validationSelect: license, policy,
// product with its members, meter; then the count, then with a fingerprint the machine columns and the blocklist
// flag).
const policyAt = validationLicenseColumns.length;
const productAt = policyAt + validationPolicyColumns.length;
const membersAt = productAt + 2;
const meterAt = productAt + 3;
const liveAt = meterAt + 2;
const liveOldestAt = liveAt + 1;
const machineAt = liveOldestAt + 1;
const blockedAt = machineAt + machineColumns.length;
const leaseExpiresAt = blockedAt + 1;

/** The first row's values in select order: SQLite's read connection gives them so; pg's rows keep that order. */
const firstRowValues = async (db: Database, query: CompiledQuery): Promise<unknown[] | undefined> => {
  if (db.reader) return db.reader.firstRowValues(query.sql, query.parameters);
  const row = (await db.kysely.executeQuery<Row>(query)).rows[0];
  return row && Object.values(row);
};

/** Everything validation needs about a key (and a fingerprint), in one read. */
export const readForValidation = async (
  db: Database,
  keyHash: string,
  nowMs: number,
  fingerprint: string | undefined,
): Promise<ValidationRead | undefined> => {
  const queries = queriesFor(db);
  const query =
    fingerprint === undefined
      ? CompiledQuery.raw(queries.byKey, [nowMs, nowMs, keyHash])
      : CompiledQuery.raw(queries.byKeyAndFingerprint, [
          nowMs,
          nowMs,
          fingerprint,
          fingerprint,
          fingerprint,
          keyHash,
        ]);
  const values = await firstRowValues(db, query);
  if (!values) return undefined;
  const license = rowFrom<LicensesTable>(values, 0, validationLicenseColumns);
  const machineId = fingerprint === undefined ? null : values[machineAt];
  const blocked = fingerprint === undefined ? false : values[blockedAt];
  const leaseEnd = fingerprint === undefined ? null : values[leaseExpiresAt];
  const meterUsed = values[meterAt];
  const policy = rowFrom<PoliciesTable>(values, policyAt, validationPolicyColumns);
  const liveOldest = values[liveOldestAt];
  return {
    license,
    policy,
    // Validation does not read the license model or the customer: neither is one of its checks.
    product: {
      id: license.product_id,
      code: String(values[productAt]),
      status: String(values[productAt + 1]),
      licenseModel: '',
      members: membersFrom(values[membersAt]),
    },
    customerStatus: null,
    liveMachines: Number(values[liveAt]),
    machine:
      machineId === null || machineId === undefined
        ? undefined
        : rowFrom<MachinesTable>(values, machineAt, machineColumns),
    blocked: blocked === true || blocked === 1,
    leaseExpiresAt: leaseEnd === null || leaseEnd === undefined ? null : Number(leaseEnd),
    liveMachinesUntil:
      liveOldest === null || liveOldest === undefined || policy.heartbeat_seconds === null
        ? Number.POSITIVE_INFINITY
        : Number(liveOldest) + 2000 * policy.heartbeat_seconds,
    meter:
      meterUsed === null || meterUsed === undefined
        ? undefined
        : { used: Number(meterUsed), period_starts_at: Number(values[meterAt + 1]) },
  };
};

/**
 * The license of a key hash with its policy, product and customer. With `lock`, the license row is locked for
 * the transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock).
 */
export const findClientLicense = async (
  db: Executor,
  keyHash: string,
  options: { lock?: DialectName } = {},
): Promise<ClientLicense | undefined> => {
  const lock = options.lock === 'postgres' ? sql` for update of l` : sql``;
  const { rows } =
    await sql<Row>`select ${selectList} ${joins} where l.key_hash = ${keyHash} and l.deleted_at is null${lock}`.execute(
      db,
    );
  const row = rows[0];
  return row ? toClientLicense(row) : undefined;
};

/**
 * What activation and the floating seat calls check, in one read inside their transaction: the license with its
 * policy, product and customer, this fingerprint's active machine (dead or alive), the blocklist, the live machine
 * count, and the license pool's seats in use with this fingerprint's seat lease.
 */
export interface SeatRead extends ClientLicense {
  /** Active machines that are not dead, this fingerprint's included when it is live. */
  liveMachines: number;
  /** This fingerprint's active row on the license, dead or alive. */
  machine: MachinesTable | undefined;
  blocked: boolean;
  /** Live leases of the license's own pool, this holder's included when live. */
  seatsInUse: number;
  /** This fingerprint's active seat lease, live or lapsed. */
  held: LeasesTable | undefined;
}

export const readForSeat = async (
  db: Database,
  tx: Executor,
  keyHash: string,
  fingerprint: string,
  nowMs: number,
): Promise<SeatRead | undefined> => {
  const queries = queriesFor(db);
  if (db.dialect === 'postgres') await tx.executeQuery(CompiledQuery.raw(queries.lockLicense, [keyHash]));
  const query = CompiledQuery.raw(queries.forSeat, [
    nowMs,
    fingerprint,
    nowMs,
    fingerprint,
    fingerprint,
    keyHash,
  ]);
  // Values in select order: SQLite's writer gives them so (no 75-key object per read); pg's rows keep that order.
  const values = db.writerValues
    ? db.writerValues.firstRowValues(query.sql, query.parameters)
    : await rowValues(tx, query);
  return values && seatReadFrom(values);
};

const rowValues = async (tx: Executor, query: CompiledQuery): Promise<unknown[] | undefined> => {
  const row = (await tx.executeQuery<Row>(query)).rows[0];
  return row && Object.values(row);
};

// Where each part starts in forSeat's select list: selectList (license, policy, product, customer, the bundle's
// members), the live count, the machine, the blocklist flag, the seats in use, then the held lease.
const seatPolicyAt = licenseColumns.length;
const seatProductAt = seatPolicyAt + policyColumns.length;
const seatLiveAt = seatProductAt + 5;
const seatMachineAt = seatLiveAt + 1;
const seatBlockedAt = seatMachineAt + machineColumns.length;
const seatInUseAt = seatBlockedAt + 1;
const seatHeldAt = seatInUseAt + 1;

const seatReadFrom = (values: readonly unknown[]): SeatRead => {
  const license = rowFrom<LicensesTable>(values, 0, licenseColumns);
  const customerStatus = values[seatProductAt + 3];
  const blocked = values[seatBlockedAt];
  return {
    license,
    policy: rowFrom<PoliciesTable>(values, seatPolicyAt, policyColumns),
    product: {
      id: license.product_id,
      code: String(values[seatProductAt]),
      status: String(values[seatProductAt + 1]),
      licenseModel: String(values[seatProductAt + 2]),
      members: membersFrom(values[seatProductAt + 4]),
    },
    customerStatus: customerStatus === null || customerStatus === undefined ? null : String(customerStatus),
    liveMachines: Number(values[seatLiveAt]),
    machine:
      values[seatMachineAt] === null || values[seatMachineAt] === undefined
        ? undefined
        : rowFrom<MachinesTable>(values, seatMachineAt, machineColumns),
    blocked: blocked === true || blocked === 1,
    seatsInUse: Number(values[seatInUseAt]),
    held:
      values[seatHeldAt] === null || values[seatHeldAt] === undefined
        ? undefined
        : rowFrom<LeasesTable>(values, seatHeldAt, leaseColumns),
  };
};
