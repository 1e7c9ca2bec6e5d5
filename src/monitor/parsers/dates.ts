// Dates in utility output. Checkout stamps print month, day and time but no year and no zone: the year is the
// reference's (the status header's date, else the poll's), or the one before when that would put the start after
// the reference, so a start never lies in the future. Times stay the server's local clock.

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const pad = (value: number) => String(value).padStart(2, '0');

/** A local date-time without zone, as the server's clock shows it. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const sortable = (time: LocalTime) =>
  ((((time.year * 12 + time.month) * 31 + time.day) * 24 + time.hour) * 60 + time.minute) * 60 +
  (time.second ?? 0);

const validDay = (year: number, month: number, day: number) =>
  day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();

export const formatLocal = (time: LocalTime): string =>
  `${time.year}-${pad(time.month)}-${pad(time.day)}T${pad(time.hour)}:${pad(time.minute)}:${pad(time.second ?? 0)}`;

/** The start of a `M/D H:MM[:SS]` stamp, in the latest year that puts it at or before `reference`. */
export const inferStart = (
  stamp: { month: number; day: number; hour: number; minute: number; second?: number },
  reference: LocalTime,
): string | null => {
  if (stamp.month < 1 || stamp.month > 12 || stamp.hour > 23 || stamp.minute > 59) return null;
  // 29 February goes back to the last leap year.
  for (let year = reference.year; year > reference.year - 8; year--) {
    if (!validDay(year, stamp.month, stamp.day)) continue;
    const candidate = { ...stamp, year };
    if (sortable(candidate) <= sortable(reference)) return formatLocal(candidate);
  }
  return null;
};

/** A reference time from a Date (the poll's clock, used as local time when the utility printed no header). */
export const localTimeOf = (date: Date): LocalTime => ({
  year: date.getUTCFullYear(),
  month: date.getUTCMonth() + 1,
  day: date.getUTCDate(),
  hour: date.getUTCHours(),
  minute: date.getUTCMinutes(),
  second: date.getUTCSeconds(),
});

/**
 * An expiry as printed (`30-dec-2025`, `1-jan-0`, `01-jan-0000`, `permanent`, `permanent(no expiration date)`):
 * YYYY-MM-DD, null when permanent (year 0 means permanent), undefined when unreadable.
 */
export const parseExpiry = (text: string): string | null | undefined => {
  const value = text.trim().toLowerCase();
  if (value.startsWith('permanent') || value === 'never' || value === 'unlimited') return null;
  const match = /^(\d{1,2})-([a-z]{3})-(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const year = Number(match[3]);
  if (year === 0) return null;
  const month = months.indexOf(match[2] ?? '') + 1;
  const day = Number(match[1]);
  if (month === 0 || year > 9999 || !validDay(year, month, day)) return undefined;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
};
