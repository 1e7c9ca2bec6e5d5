// Trials (POST /v1/client/trial): a product that offers one gives each device (and each email) one trial license
// under its built-in trial policy (trial.days, one machine), activated on that device in the same transaction;
// the trial_started mail goes to the email the request gave, if any.
import { isUniqueViolation } from '../../db/errors.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import { isBlocked } from '../blocklist/service.js';
import { type CustomerMailDeps, notifyTrialStarted } from '../customer-mail/service.js';
import { issueTrialLicense } from '../licenses/issue.js';
import type { LicenseDeps } from '../licenses/present.js';
import { activateFirstMachine } from '../machines/activation.js';
import { ensureTrialPolicy } from '../policies/service.js';
import { findReferencedProduct } from '../products/service.js';
import { findPriorTrial, insertTrial } from './store.js';

export interface TrialRequest {
  productCode: string;
  fingerprint: string;
  email?: string | undefined;
}

const refused = (message: string) => new AppError('TRIAL_NOT_ALLOWED', message);

/** Issues and activates a trial; answers the rows the Client API presents. */
export const startTrial = async (deps: LicenseDeps & CustomerMailDeps, request: TrialRequest) => {
  const email = request.email?.trim().toLowerCase() ?? null;
  try {
    return await transaction(deps.db, async (tx) => {
      const nowMs = deps.clock.nowMs();
      const product = await findReferencedProduct(tx, request.productCode);
      if (!product)
        throw new AppError('UNKNOWN_PRODUCT', `No product ${request.productCode}`, {
          productCode: request.productCode,
        });
      const trial = JSON.parse(product.trial) as { enabled: boolean; days: number; requireEmail: boolean };
      if (!trial.enabled) throw refused(`Product ${product.code} offers no trial`);
      if (product.status === 'disabled')
        throw new AppError('PRODUCT_DISABLED', `Product ${product.code} is disabled`);
      if (product.status === 'archived')
        throw new AppError('PRODUCT_ARCHIVED', `Product ${product.code} is archived`);
      if (trial.requireEmail && email === null) {
        throw new AppError('VALIDATION_ERROR', `Product ${product.code} needs an email for a trial`, {
          issues: [{ path: ['email'], message: 'required for this product', code: 'invalid_type' }],
        });
      }
      if (await isBlocked(tx, request.fingerprint, product.id))
        throw new AppError('DEVICE_BLOCKED', 'This device is blocked');
      if (await findPriorTrial(tx, product.id, request.fingerprint, email))
        throw refused('This device or email already had a trial');
      const policy = await ensureTrialPolicy(tx, product.id, trial.days, nowMs);
      const { row: license, key } = await issueTrialLicense(deps, tx, {
        productId: product.id,
        policy,
        expiresAt: nowMs + trial.days * 86_400_000,
        nowMs,
      });
      await insertTrial(tx, {
        id: newId('trl', nowMs),
        product_id: product.id,
        fingerprint: request.fingerprint,
        email,
        license_id: license.id,
        created_at: nowMs,
      });
      await notifyTrialStarted(deps, tx, { email, license, key, productName: product.name });
      const machine = await activateFirstMachine(
        tx,
        license,
        policy,
        { fingerprint: request.fingerprint },
        nowMs,
      );
      return { key, license, policy, product, machine, nowMs };
    });
  } catch (error) {
    // Two trial requests for one device raced: the unique index let one through.
    if (isUniqueViolation(error)) throw refused('This device or email already had a trial');
    throw error;
  }
};
