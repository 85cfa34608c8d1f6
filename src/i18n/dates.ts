import { TZDate, tz, tzOffset } from '@date-fns/tz';
// Subpath imports: the package root and 'date-fns/locale' load every function and ~100 locales.
import { format } from 'date-fns/format';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import { enGB } from 'date-fns/locale/en-GB';
import { fr } from 'date-fns/locale/fr';
import type { Locale } from './locale.js';

const DATE_FNS_LOCALE = { fr, en: enGB } as const;

/** formatAge's words for an age under a minute, in the place of "3 days ago" / "il y a 3 jours". */
const JUST_NOW: Record<Locale, string> = { fr: "à l'instant", en: 'just now' };

/**
 * Where date-fns counts the days of a duration: left to itself, it counts them in the process's local zone (TZ), so
 * that 72 hours across the autumn clock change are "2 days" in Paris. In UTC, a day of a duration is 24 hours.
 */
const ELAPSED = tz('UTC');

/** "26 nov. 2026, 14:32" / "26 Nov 2026, 14:32", in the given IANA time zone. */
export function formatDateTime(date: Date, locale: Locale, timeZone: string): string {
  return format(new TZDate(date, timeZone), 'PP, HH:mm', { locale: DATE_FNS_LOCALE[locale] });
}

/** "14:32" in the given time zone. */
export function formatTime(date: Date, locale: Locale, timeZone: string): string {
  return format(new TZDate(date, timeZone), 'HH:mm', { locale: DATE_FNS_LOCALE[locale] });
}

/**
 * "3 days ago" / "il y a 3 jours": how long before `now` the date was, floored as formatDuration is (36 hours are "1 day
 * ago", as the link's reminder says, and 59 min 45 s are not "60 minutes ago"). A date after `now` is one another
 * instance wrote with its clock ahead of this one's: taken as now, never "in 2 seconds". Under a minute: "just now" /
 * "à l'instant".
 */
export function formatAge(date: Date, now: Date, locale: Locale): string {
  const past = date.getTime() > now.getTime() ? now : date;
  // Floored, an age under a minute would read "0 seconds ago", which French would not write either.
  if (now.getTime() - past.getTime() < 60_000) return JUST_NOW[locale];
  return formatDistanceStrict(past, now, {
    locale: DATE_FNS_LOCALE[locale],
    addSuffix: true,
    roundingMethod: 'floor',
    in: ELAPSED,
  });
}

/** "3 days" / "3 jours": a duration, as its nearest whole unit. */
export function formatDuration(from: Date, to: Date, locale: Locale): string {
  // Floored: a link 36 hours old has waited "1 day", never "2 days".
  return formatDistanceStrict(from, to, { locale: DATE_FNS_LOCALE[locale], roundingMethod: 'floor', in: ELAPSED });
}

/** "November 2026" / "novembre 2026": the month the date falls in, in the given time zone. */
export function formatMonth(date: Date, locale: Locale, timeZone: string): string {
  return format(new TZDate(date, timeZone), 'LLLL yyyy', { locale: DATE_FNS_LOCALE[locale] });
}

/**
 * "2026-11-27T06:28:51+01:00": ISO 8601 to the second, with the offset of the given time zone on that date. Written
 * from the zone's offset rather than through a TZDate and date-fns's `format`, which cost about 40 µs a date: a
 * month's export (four dates a link) held the process for a second at 6,000 links, answering no Slack request.
 */
export function formatIsoWithOffset(date: Date, timeZone: string): string {
  const offsetMinutes = tzOffset(timeZone, date);
  const wallClock = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.trunc(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${wallClock}${sign}${hours}:${minutes}`;
}
