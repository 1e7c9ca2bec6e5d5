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

const daysIn = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const validDate = (year: number, month: number, day: number) =>
  month >= 1 &&
  month <= 12 &&
  day >= 1 &&
  day <= (month === 2 && isLeap(year) ? 29 : (daysIn[month - 1] ?? 0));

export const formatLocal = (time: LocalTime): string =>
  `${time.year}-${pad(time.month)}-${pad(time.day)}T${pad(time.hour)}:${pad(time.minute)}:${pad(time.second ?? 0)}`;

/** Weekday names as lmstat prints them in English and, captured on a localized Windows, German, French, Spanish, Italian. */
// biome-ignore format: a table reads better as rows
const weekdayNames: Record<string, number> = {
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
  so: 0, mo: 1, di: 2, mi: 3, do: 4, fr: 5, sa: 6,
  dim: 0, lun: 1, mar: 2, mer: 3, jeu: 4, ven: 5, sam: 6,
  dom: 0, mié: 3, mie: 3, jue: 4, vie: 5, sáb: 6, sab: 6, gio: 4,
};

/** 0 (Sunday) to 6, or undefined for a name not known. */
export const weekdayOf = (name: string): number | undefined =>
  weekdayNames[name.toLowerCase().replace(/\.$/, '')];

export interface MonthDay {
  month: number;
  day: number;
}

/**
 * The readings of a printed `a<sep>b` date, most likely first: `23.11` is day-first (the German form), a number
 * over 12 can only be the day, and otherwise `/` and `-` read month-first (lmstat's own form) unless the status
 * header showed day-first dates.
 */
export const dateReadings = (a: number, b: number, separator: string, dayFirst = false): MonthDay[] => {
  const monthFirst = { month: a, day: b };
  const dayFirstReading = { month: b, day: a };
  if (separator === '.' || a > 12) return [dayFirstReading];
  if (b > 12) return [monthFirst];
  return dayFirst ? [dayFirstReading, monthFirst] : [monthFirst, dayFirstReading];
};

/** 0 (Sunday) to 6; 1 January 1970 was a Thursday. */
const weekdayAt = (time: LocalTime) =>
  (((Math.floor(Date.UTC(time.year, time.month - 1, time.day) / 86_400_000) + 4) % 7) + 7) % 7;

/**
 * The start of a stamp that prints no year: the latest year that puts it at or before `reference`. The printed
 * weekday checks the guess: among the readings of the date (month-first or day-first) and the last eight years,
 * the latest that falls on that weekday wins; without a weekday (or none matching), the first reading's latest
 * year. (Run once per session line: the common case costs one or two date checks.)
 */
export const inferStart = (
  stamp: { hour: number; minute: number; second?: number; weekday?: number | undefined } & (
    | MonthDay
    | { readings: MonthDay[] }
  ),
  reference: LocalTime,
): string | null => {
  if (stamp.hour > 23 || stamp.minute > 59) return null;
  const readings = 'readings' in stamp ? stamp.readings : [{ month: stamp.month, day: stamp.day }];
  const limit = sortable(reference);
  const oldest = reference.year - 8;
  /** The reading in the latest year from `fromYear` back that is not after the reference. */
  const latest = (reading: MonthDay, fromYear: number): LocalTime | undefined => {
    // 29 February goes back to the last leap year.
    for (let year = fromYear; year > oldest; year--) {
      if (!validDate(year, reading.month, reading.day)) continue;
      const candidate: LocalTime = {
        year,
        month: reading.month,
        day: reading.day,
        hour: stamp.hour,
        minute: stamp.minute,
        ...(stamp.second === undefined ? {} : { second: stamp.second }),
      };
      if (sortable(candidate) <= limit) return candidate;
    }
    return undefined;
  };
  const latestEach = readings.map((reading) => latest(reading, reference.year));
  const fallback = latestEach.find((candidate) => candidate !== undefined);
  if (stamp.weekday === undefined || !fallback) return fallback ? formatLocal(fallback) : null;
  let best: LocalTime | undefined;
  readings.forEach((reading, index) => {
    for (let at = latestEach[index]; at; at = latest(reading, at.year - 1)) {
      if (weekdayAt(at) !== stamp.weekday) continue;
      if (!best || sortable(at) > sortable(best)) best = at;
      break;
    }
  });
  return formatLocal(best ?? fallback);
};

/**
 * A status header's date (`11/23/2026`, `23.11.2026`, `23/11/2026`, `2026-11-23`) and whether it was printed
 * day-first (then the stamps below are read so too).
 */
export const parseHeaderDate = (
  text: string,
): (MonthDay & { year: number; dayFirst: boolean }) | undefined => {
  const parts = /^(\d{1,4})([./-])(\d{1,2})[./-](\d{1,4})\.?$/.exec(text);
  if (!parts) return undefined;
  const [, first = '', separator = '/', second = '', third = ''] = parts;
  if (first.length === 4)
    return { year: Number(first), month: Number(second), day: Number(third), dayFirst: false };
  const [reading] = dateReadings(Number(first), Number(second), separator);
  if (!reading || !validDate(Number(third), reading.month, reading.day)) return undefined;
  return {
    year: Number(third),
    ...reading,
    dayFirst: reading.day === Number(first) && reading.month !== Number(first),
  };
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
  if (month === 0 || year > 9999 || !validDate(year, month, day)) return undefined;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
};
