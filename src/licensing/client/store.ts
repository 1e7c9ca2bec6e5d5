// SQL of the Client API's hot path: a license with its policy, product and customer state in one indexed read.
import { sql } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type { LicensesTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { policyColumns } from '../policies/store.js';

export interface ClientLicense {
  license: LicensesTable;
  policy: PoliciesTable;
  product: { id: string; code: string; status: string };
  customerStatus: string | null;
}

const policySelect = sql.raw(policyColumns.map((column) => `p.${column} as p__${column}`).join(', '));

/**
 * The license of a key hash, live (not deleted), joined with its policy, product and customer. With `lock`, the
 * license row is locked for the transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock).
 */
export const findClientLicense = async (
  db: Executor,
  keyHash: string,
  options: { lock?: DialectName } = {},
): Promise<ClientLicense | undefined> => {
  const lock = options.lock === 'postgres' ? sql` for update of l` : sql``;
  const { rows } = await sql<Record<string, unknown>>`
    select l.*, ${policySelect}, pr.code as pr__code, pr.status as pr__status, c.status as c__status
    from licenses l
    join policies p on p.id = l.policy_id
    join products pr on pr.id = l.product_id
    left join customers c on c.id = l.customer_id
    where l.key_hash = ${keyHash} and l.deleted_at is null${lock}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const policy: Record<string, unknown> = {};
  const license: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith('p__')) policy[column.slice(3)] = value;
    else if (!column.startsWith('pr__') && !column.startsWith('c__')) license[column] = value;
  }
  return {
    license: license as unknown as LicensesTable,
    policy: policy as unknown as PoliciesTable,
    product: { id: String(row.product_id), code: String(row.pr__code), status: String(row.pr__status) },
    customerStatus: row.c__status === null || row.c__status === undefined ? null : String(row.c__status),
  };
};
