import { TZDate } from '@date-fns/tz';

/** A calendar month: `month` from 1 (January) to 12. */
export interface Month {
  year: number;
  month: number;
}

/** Before SEPA: a mistyped year, not a month with links (and Date reads years below 100 as 19xx). */
const FIRST_YEAR = 2000;

/** `2026-11` → November 2026; undefined for anything else (`2026-13`, `11/2026`, `2026-1`, `0050-01`). */
export function parseMonth(text: string): Month | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const month = { year: Number(match[1]), month: Number(match[2]) };
  return month.year >= FIRST_YEAR && month.month >= 1 && month.month <= 12 ? month : undefined;
}

/** `2026-11`. */
export function monthKey({ year, month }: Month): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** The month `date` falls in, in the given time zone (a Paris night of the 1st is still the 1st there). */
export function monthOf(date: Date, timeZone: string): Month {
  const zoned = new TZDate(date, timeZone);
  return { year: zoned.getFullYear(), month: zoned.getMonth() + 1 };
}

export function previousMonth({ year, month }: Month): Month {
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

/** From the first instant of the month (included) to the first of the next (excluded), in the given time zone. */
export function monthBounds({ year, month }: Month, timeZone: string): { from: Date; until: Date } {
  // The Date constructor rolls month 12 (the 13th month, 0-based) over into January of the next year.
  const instant = (monthIndex: number) => new Date(new TZDate(year, monthIndex, 1, timeZone).getTime());
  return { from: instant(month - 1), until: instant(month) };
}
