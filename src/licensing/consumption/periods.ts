// Consumption periods. A meter's use counts from the start of the current period, computed from the clock when it
// is read or added to: no cron resets meters, so a reset cannot be missed or run twice. Periods are UTC calendar
// periods (a day from 00:00, a week from Monday 00:00, a month from the 1st, a year from 1 January), the same for
// every license, so usage reports line up with them; `never` counts from the license's start.

export const resetPeriods = ['never', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type ResetPeriod = (typeof resetPeriods)[number];

const dayMs = 86_400_000;

/** Start (epoch ms) of the period containing `nowMs`. */
export const periodStart = (period: ResetPeriod, nowMs: number, licenseStartsAt: number): number => {
  const now = new Date(nowMs);
  switch (period) {
    case 'never':
      return licenseStartsAt;
    case 'daily':
      return Math.floor(nowMs / dayMs) * dayMs;
    case 'weekly': {
      const day = Math.floor(nowMs / dayMs) * dayMs;
      // getUTCDay: Sunday 0 … Saturday 6; weeks start on Monday (ISO 8601).
      return day - ((now.getUTCDay() + 6) % 7) * dayMs;
    }
    case 'monthly':
      return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    case 'yearly':
      return Date.UTC(now.getUTCFullYear(), 0, 1);
  }
};

/** Start of the next period: when the meter resets; null for `never`. */
export const nextPeriodStart = (period: ResetPeriod, nowMs: number): number | null => {
  const now = new Date(nowMs);
  switch (period) {
    case 'never':
      return null;
    case 'daily':
      return periodStart('daily', nowMs, 0) + dayMs;
    case 'weekly':
      return periodStart('weekly', nowMs, 0) + 7 * dayMs;
    case 'monthly':
      return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    case 'yearly':
      return Date.UTC(now.getUTCFullYear() + 1, 0, 1);
  }
};

/** What a meter holds now: its stored use if it was last added to in this period, else zero. */
export const usedInPeriod = (
  meter: { used: number; period_starts_at: number } | undefined,
  currentPeriodStart: number,
): number => (meter && meter.period_starts_at >= currentPeriodStart ? Number(meter.used) : 0);
