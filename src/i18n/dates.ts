import { TZDate } from '@date-fns/tz';
// Subpath imports: the package root and 'date-fns/locale' load every function and ~100 locales.
import { format } from 'date-fns/format';
import { enGB } from 'date-fns/locale/en-GB';
import { fr } from 'date-fns/locale/fr';
import type { Locale } from './locale.js';

const DATE_FNS_LOCALE = { fr, en: enGB } as const;

/** "26 nov. 2026, 14:32" / "26 Nov 2026, 14:32", in the given IANA time zone. */
export function formatDateTime(date: Date, locale: Locale, timeZone: string): string {
  return format(new TZDate(date, timeZone), 'PP, HH:mm', { locale: DATE_FNS_LOCALE[locale] });
}

/** "14:32" in the given time zone. */
export function formatTime(date: Date, locale: Locale, timeZone: string): string {
  return format(new TZDate(date, timeZone), 'HH:mm', { locale: DATE_FNS_LOCALE[locale] });
}
