// Issuing licenses: POST /v1/licenses (a key generated, or supplied and checked), issuing under a policy inside
// another change's transaction (orders, store integrations), and trials. A key is stored as a lookup hash and a
// sealed copy; a policy counted from issue ends its duration after the start.
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { LicensesTable, PoliciesTable } from '../../db/schema.js';
import { type Executor, transactionUnique } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import { getReferencedCustomerOrThrow } from '../customers/service.js';
import { getReferencedPolicyOrThrow } from '../policies/service.js';
import { findReferencedProduct } from '../products/service.js';
import {
  generateLicenseKey,
  hasValidChecksum,
  isCharterShaped,
  licenseKeyHash,
  licenseKeyPrefix,
  normalizeLicenseKey,
} from './license-key.js';
import { emitLicenseEvent, type LicenseDeps, presentLicense, toLicense } from './present.js';
import type { CreateLicense, License } from './schemas.js';
import { findLicenseByKeyHash, insertLicense } from './store.js';

const keyTaken = () => new AppError('ALREADY_EXISTS', 'A license with this key exists', { field: 'key' });

export const createLicense = async (
  deps: LicenseDeps,
  caller: Caller,
  input: CreateLicense,
): Promise<License> => {
  const { db, clock } = deps;
  const key = input.key ? normalizeLicenseKey(input.key) : generateLicenseKey();
  if (input.key && isCharterShaped(key) && !hasValidChecksum(key)) {
    throw new AppError(
      'VALIDATION_ERROR',
      'The key has the shape of a Charter key but its checksum group is wrong',
      {
        issues: [{ path: ['key'], message: 'checksum group does not match', code: 'custom' }],
      },
    );
  }
  const now = clock.nowMs();
  return await transactionUnique(
    db,
    () => keyTaken(),
    async (tx) => {
      // The product named beside the policy checks it, and tells which product's policy a code means.
      const named = input.productId ? await findReferencedProduct(tx, input.productId) : undefined;
      const policy = await getReferencedPolicyOrThrow(tx, caller.principal, input.policyId, named?.id);
      if (input.productId) {
        if (!named)
          throw new AppError('UNKNOWN_PRODUCT', `No product ${input.productId}`, {
            productId: input.productId,
          });
        if (named.id !== policy.product_id) {
          throw new AppError('UNKNOWN_POLICY', `Policy ${policy.id} belongs to another product`, {
            policyId: policy.id,
          });
        }
      }
      const product = await findReferencedProduct(tx, policy.product_id);
      if (!product) throw new AppError('UNKNOWN_PRODUCT', `Product ${policy.product_id} was deleted`);
      if (product.status === 'archived')
        throw new AppError('PRODUCT_ARCHIVED', `Product ${product.code} is archived`);
      const customer = input.customerId
        ? await getReferencedCustomerOrThrow(tx, caller.principal, input.customerId)
        : undefined;
      const row = await issueLicense(deps, tx, caller, policy, {
        key,
        customerId: customer?.id ?? null,
        startsAt: input.startsAt ? Date.parse(input.startsAt) : now,
        expiresAt:
          input.expiresAt === undefined
            ? undefined
            : input.expiresAt === null
              ? null
              : Date.parse(input.expiresAt),
        trial: input.trial ?? false,
        maxMachines: input.maxMachines ?? null,
        features: input.features ?? null,
        metadata: input.metadata ?? {},
      });
      return presentLicense(deps, tx, caller.principal, row);
    },
  );
};

/** A new license row for `key`: active, with no machines, transfers or overrides unless `fields` say otherwise. */
const newLicenseRow = (
  sealer: Sealer,
  key: string,
  nowMs: number,
  fields: Pick<LicensesTable, 'product_id' | 'policy_id' | 'starts_at' | 'expires_at'> &
    Partial<LicensesTable>,
): LicensesTable => ({
  id: newId('lic', nowMs),
  key_hash: licenseKeyHash(key),
  key_sealed: sealer.seal(key),
  key_prefix: licenseKeyPrefix(key),
  customer_id: null,
  status: 'active',
  trial: 0,
  max_machines: null,
  transfers_count: 0,
  features: null,
  metadata: '{}',
  first_activated_at: null,
  created_at: nowMs,
  updated_at: nowMs,
  deleted_at: null,
  order_id: null,
  ...fields,
});

/**
 * Issues a license under a policy inside the caller's transaction (the policy and product already checked), and
 * audits it. Without an explicit end, a policy counted from issue ends its duration after the start; one counted
 * from activation gets its end at the first activation.
 */
export const issueLicense = async (
  deps: LicenseDeps,
  tx: Executor,
  caller: Caller,
  policy: PoliciesTable,
  input: {
    key?: string;
    customerId: string | null;
    startsAt: number;
    expiresAt?: number | null | undefined;
    trial?: boolean;
    maxMachines?: number | null;
    features?: unknown[] | null;
    metadata?: Record<string, unknown>;
    orderId?: string;
  },
): Promise<LicensesTable> => {
  const now = deps.clock.nowMs();
  const key = input.key ?? generateLicenseKey();
  const expiresAt =
    input.expiresAt !== undefined
      ? input.expiresAt
      : policy.duration_seconds !== null && policy.expiration_basis === 'issue'
        ? input.startsAt + policy.duration_seconds * 1000
        : null;
  const row = newLicenseRow(deps.sealer, key, now, {
    product_id: policy.product_id,
    policy_id: policy.id,
    customer_id: input.customerId,
    starts_at: input.startsAt,
    expires_at: expiresAt,
    trial: input.trial ? 1 : 0,
    max_machines: input.maxMachines ?? null,
    features: input.features ? JSON.stringify(input.features) : null,
    metadata: JSON.stringify(input.metadata ?? {}),
    order_id: input.orderId ?? null,
  });
  if (await findLicenseByKeyHash(tx, row.key_hash)) throw keyTaken();
  await insertLicense(tx, row);
  await recordAudit(tx, deps.clock, caller.audit, {
    action: 'license.create',
    target: { type: 'license', id: row.id },
    changes: {
      policyId: [null, row.policy_id],
      customerId: [null, row.customer_id],
      expiresAt: [null, isoOrNull(row.expires_at)],
    },
  });
  // A new license has no machines or meters yet: its answer needs no reads.
  const license = toLicense(row, policy, {
    nowMs: now,
    machinesCount: 0,
    sealer: deps.sealer,
    showKey: false,
  });
  await emitLicenseEvent(deps, tx, 'license.created', row, license);
  return row;
};

/** Issues a trial license inside the caller's transaction (POST /v1/client/trial); answers the row and its key. */
export const issueTrialLicense = async (
  deps: LicenseDeps,
  tx: Executor,
  input: { productId: string; policy: PoliciesTable; expiresAt: number; nowMs: number },
): Promise<{ row: LicensesTable; key: string }> => {
  const key = generateLicenseKey();
  const row = newLicenseRow(deps.sealer, key, input.nowMs, {
    product_id: input.productId,
    policy_id: input.policy.id,
    starts_at: input.nowMs,
    expires_at: input.expiresAt,
    trial: 1,
    first_activated_at: input.nowMs,
  });
  await insertLicense(tx, row);
  const license = toLicense(row, input.policy, {
    nowMs: input.nowMs,
    machinesCount: 0,
    sealer: deps.sealer,
    showKey: false,
  });
  await emitLicenseEvent(deps, tx, 'license.created', row, license);
  return { row, key };
};
