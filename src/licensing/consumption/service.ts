// Consumption metering: a license's meter (policy `consumption`) and its consumption features' meters, each with a
// maximum, negative amounts (credits) allowed or not, overage allowed or not, and a reset period.
import { z } from 'zod';
import type { MetersTable, PoliciesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { emitEvent } from '../../events/service.js';
import { type CustomerMailDeps, notifyConsumptionLimit } from '../customer-mail/service.js';
import { nextPeriodStart, periodStart, type ResetPeriod, usedInPeriod } from './periods.js';
import { addToMeter, ensureMeter, findMeter, metersOf } from './store.js';

/** A meter's rule; max null = unmetered maximum (counts only). */
export interface MeterRule {
  max: number | null;
  allowNegative: boolean;
  allowOverage: boolean;
  resetPeriod: ResetPeriod;
}

const storedRule = z.object({
  max: z.number(),
  allowNegative: z.boolean(),
  allowOverage: z.boolean(),
  resetPeriod: z.enum(['never', 'daily', 'weekly', 'monthly', 'yearly']),
});

/** The policy's license-level consumption rule (its max always set), or null when the license is not metered. */
export const licenseMeterRule = (
  policy: Pick<PoliciesTable, 'consumption'>,
): (MeterRule & { max: number }) | null =>
  policy.consumption === null ? null : storedRule.parse(JSON.parse(policy.consumption));

/**
 * A consumption feature's rule: its maximum from the entitlement, else the product feature; the flags and the
 * reset period follow the policy's consumption rule when it has one, else: no credits, no overage, never reset.
 */
export const featureMeterRule = (
  policy: Pick<PoliciesTable, 'consumption'>,
  max: number | null,
): MeterRule => {
  const base = licenseMeterRule(policy);
  return {
    max,
    allowNegative: base?.allowNegative ?? false,
    allowOverage: base?.allowOverage ?? false,
    resetPeriod: base?.resetPeriod ?? 'never',
  };
};

export interface MeterReading {
  feature: string | null;
  used: number;
  max: number | null;
  remaining: number | null;
  periodStartsAt: string;
  resetsAt: string | null;
}

const reading = (
  feature: string,
  rule: MeterRule,
  used: number,
  start: number,
  nowMs: number,
): MeterReading => {
  const resets = nextPeriodStart(rule.resetPeriod, nowMs);
  return {
    feature: feature === '' ? null : feature,
    used,
    max: rule.max,
    remaining: rule.max === null ? null : Math.max(0, rule.max - used),
    periodStartsAt: new Date(start).toISOString(),
    resetsAt: resets === null ? null : new Date(resets).toISOString(),
  };
};

/**
 * Adds `amount` to a meter inside the caller's transaction. Refusals: NEGATIVE_CONSUMPTION_NOT_ALLOWED for a
 * credit the rule forbids; CONSUMPTION_LIMIT_EXCEEDED when the result would pass the maximum without overage.
 * Crossing the maximum emits consumption.limit_reached and queues the consumption_limit mail when `mail` says it
 * is on (once per meter and period).
 */
export const consume = async (
  tx: Executor,
  meter: { licenseId: string; feature: string; licenseStartsAt: number },
  rule: MeterRule,
  amount: number,
  nowMs: number,
  mail?: CustomerMailDeps,
): Promise<MeterReading> => {
  const name = meter.feature === '' ? `license ${meter.licenseId}` : `feature ${meter.feature}`;
  if (amount < 0 && !rule.allowNegative) {
    throw new AppError(
      'NEGATIVE_CONSUMPTION_NOT_ALLOWED',
      `The meter of ${name} does not take negative amounts`,
    );
  }
  const start = periodStart(rule.resetPeriod, nowMs, meter.licenseStartsAt);
  await ensureMeter(tx, meter.licenseId, meter.feature, start, nowMs);
  const limit = amount > 0 && !rule.allowOverage ? rule.max : null;
  const used = await addToMeter(tx, { ...meter, periodStartsAt: start }, amount, limit, nowMs);
  if (used === undefined) {
    const current = usedInPeriod(await findMeter(tx, meter.licenseId, meter.feature), start);
    throw new AppError(
      'CONSUMPTION_LIMIT_EXCEEDED',
      `Consuming ${amount} would take ${name} to ${current + amount} of ${rule.max}`,
      {
        limit: rule.max,
        used: current,
        requested: amount,
        ...(meter.feature === '' ? {} : { feature: meter.feature }),
      },
    );
  }
  if (rule.max !== null && amount > 0 && used >= rule.max && used - amount < rule.max) {
    await emitEvent(tx, nowMs, {
      type: 'consumption.limit_reached',
      subject: { type: 'license', id: meter.licenseId },
      licenseId: meter.licenseId,
      object: { licenseId: meter.licenseId, ...reading(meter.feature, rule, used, start, nowMs) },
    });
    if (mail)
      await notifyConsumptionLimit(mail, tx, {
        licenseId: meter.licenseId,
        feature: meter.feature === '' ? null : meter.feature,
        used,
        max: rule.max,
        periodStartsAt: start,
        resetsAt: nextPeriodStart(rule.resetPeriod, nowMs),
      });
  }
  return reading(meter.feature, rule, used, start, nowMs);
};

/** The license-level meter as a license answers it ({ used, max, periodStartsAt }), or null when unmetered. */
export const licenseConsumption = (
  policy: Pick<PoliciesTable, 'consumption'>,
  meter: Pick<MetersTable, 'used' | 'period_starts_at'> | undefined,
  licenseStartsAt: number,
  nowMs: number,
) => {
  const rule = licenseMeterRule(policy);
  if (!rule) return null;
  const start = periodStart(rule.resetPeriod, nowMs, licenseStartsAt);
  return { used: usedInPeriod(meter, start), max: rule.max, periodStartsAt: new Date(start).toISOString() };
};

/** License-level meters of licenses, by license id (for lists). */
export const licenseMetersOf = async (db: Executor, licenseIds: readonly string[]) =>
  new Map(
    (await metersOf(db, licenseIds))
      .filter((meter) => meter.feature === '')
      .map((meter) => [meter.license_id, meter] as const),
  );
