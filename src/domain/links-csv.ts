import { formatIsoWithOffset } from '../i18n/dates.js';
import type { Locale } from '../i18n/locale.js';
import type { LinkRecord } from '../ledger/ledger.js';
import { plainEuros } from './amount.js';
import { paidSince } from './link-standing.js';

/** The export's columns, in order: one row per link, whatever became of it. */
export const CSV_COLUMNS = [
  'created_at',
  'rep_id',
  'channel',
  'payment_reference',
  'consumer_reference',
  'customer',
  'amount',
  'currency',
  'state',
  'payment_status',
  'status_date',
  'link',
  'sms',
  'email',
  'expires_at',
  'paid_at',
  'link_id',
  'payment_type',
  'state_detail',
] as const;

/**
 * How a spreadsheet of the locale reads a CSV: a French one splits on semicolons (the comma is its decimal
 * separator), an English one on commas.
 */
const SPREADSHEET: Record<Locale, { separator: string; decimal: string }> = {
  fr: { separator: ';', decimal: ',' },
  en: { separator: ',', decimal: '.' },
};

/** Excel and LibreOffice open UTF-8 as UTF-8 (not the system's code page) only behind this mark. */
const BYTE_ORDER_MARK = '\uFEFF';

/**
 * A cell starting with one of these is taken for a formula by spreadsheets (CSV injection): `=cmd()`, `+1-2`,
 * `@SUM()`, `-2+3`, and a tab or carriage return before one of them.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A reference or name made of digits and what numbers, dates and percentages are written with (`000123`,
 * `20261127000000000123`, `12/11/2026`, `1,5`, `(12)`, `50%`, and `1E5`, whose E is an exponent, unlike
 * `E-2026-031`'s): a spreadsheet would read it as a number or a date, dropping leading zeros, rounding past 15 digits,
 * and finance could no longer match it with SAFEDEBIT.
 */
const READ_AS_NUMBER = /^[\d\s.,:/%()€$+-]*\d[\d\s.,:/%()€$+-]*$|^[+-]?[\d.,]*\d[eE][+-]?\d+$/;

/** Month names and their abbreviations, English and French, as spreadsheets read them in dates. */
const MONTH = `(?:${[
  ['jan', 'janv', 'january', 'janvier'],
  ['feb', 'febr', 'february', 'fev', 'fév', 'fevr', 'févr', 'fevrier', 'février'],
  ['mar', 'march', 'mars'],
  ['apr', 'april', 'avr', 'avril'],
  ['may', 'mai'],
  ['jun', 'june', 'juin'],
  ['jul', 'july', 'juil', 'juillet'],
  ['aug', 'august', 'aou', 'aoû', 'aout', 'août'],
  ['sep', 'sept', 'september', 'septembre'],
  ['oct', 'october', 'octobre'],
  ['nov', 'november', 'novembre'],
  ['dec', 'déc', 'december', 'decembre', 'décembre'],
]
  .flat()
  .join('|')})`;
/**
 * A day or a year beside a month's name (`NOV-2026`, `12-Nov`, `1-mars`, `12 déc. 2026`, and the gene names `SEPT2` and
 * `MARCH1` spreadsheets are known to have made dates of): read as a date too.
 */
const READ_AS_DATE = new RegExp(String.raw`^(?=.*\d)(?:\d{1,4}[\s./-]*)?${MONTH}\.?(?:[\s./-]*\d{1,4})?$`, 'iu');

/**
 * The links as a CSV file (RFC 4180: CRLF lines, fields quoted when they hold the separator, a quote or a line
 * break, quotes doubled) that opens cleanly in a spreadsheet of `locale`. Dates are ISO 8601 with the offset of
 * `timeZone`; amounts in euros with the locale's decimal separator; the contact masked, as the ledger keeps it.
 * `expires_at` is when a link SAFEDEBIT made stops working, as stored when it was claimed (empty when none is known):
 * one past it with no payment status expired unpaid. `paid_at` is when its paid standing began (empty when it is not
 * paid): the date App Home's "paid in <month>" counts it by, so that finance can rebuild that total. `link_id` is the
 * ledger's id, as the logs name the link (`link`); `state_detail` the refusal's code or the outage's kind. Every cell a
 * spreadsheet could take for a formula starts with an apostrophe instead: shown, never run; so does a reference it
 * would read as a number or a date. New columns go last, so that a spreadsheet reading the older ones still does.
 */
export function buildLinksCsv(links: readonly LinkRecord[], options: { locale: Locale; timeZone: string }): string {
  const { separator, decimal } = SPREADSHEET[options.locale];
  const date = (iso: string | null) => (iso === null ? '' : formatIsoWithOffset(new Date(iso), options.timeZone));
  const rows = links.map((link) => [
    date(link.created_at),
    link.user_id,
    link.origin_channel,
    identifier(link.payment_reference),
    identifier(link.consumer_reference),
    identifier(link.customer ?? ''),
    plainEuros(link.amount_cents, decimal),
    link.currency,
    link.state,
    link.payment_status ?? '',
    date(link.payment_status_at),
    link.link ?? '',
    link.masked_phone,
    link.masked_email,
    date(link.state === 'created' ? link.expires_at : null),
    date(paidSince(link)),
    link.id,
    link.payment_type,
    link.state_detail ?? '',
  ]);
  const lines = [[...CSV_COLUMNS], ...rows].map((cells) =>
    cells.map((cell) => csvCell(cell, separator)).join(separator),
  );
  return `${BYTE_ORDER_MARK}${lines.join('\r\n')}\r\n`;
}

/**
 * A reference kept as text by a spreadsheet: behind the same apostrophe as a formula, when it could read as a number or
 * a date.
 */
function identifier(value: string): string {
  return READ_AS_NUMBER.test(value) || READ_AS_DATE.test(value) ? `'${value}` : value;
}

function csvCell(value: string, separator: string): string {
  const inert = FORMULA_START.test(value) ? `'${value}` : value;
  return inert.includes(separator) || /["\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}
