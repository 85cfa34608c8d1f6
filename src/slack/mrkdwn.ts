import { formatDateTime, formatTime } from '../i18n/dates.js';
import type { Locale } from '../i18n/locale.js';

/** Slack mrkdwn treats &, < and > as markup: escape anything a rep or customer typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * "Nov 26, 2026, 8:32 AM" to a viewer in New York, "26 Nov 2026, 14:32" to one in Paris: Slack's date token, which
 * each viewer's client writes in their own time zone, language and clock; `fallback` where it cannot. Only mrkdwn
 * renders it: not plain_text, nor a notification's `text` beside blocks (see withDateFallbacks).
 */
export function slackDateTime(date: Date, fallback: string): string {
  return dateToken(date, '{date_short}, {time}', fallback);
}

/** "8:32 AM" / "14:32": the time alone, as slackDateTime writes it. */
export function slackTime(date: Date, fallback: string): string {
  return dateToken(date, '{time}', fallback);
}

/**
 * "Yesterday, 7:30 PM" / "Today, 01:30": the day as each viewer's Slack names it in their own zone, then the time; for a
 * time that came a while before the message it is in, where the time alone would read as that day's.
 */
export function dayAndTimeShown(date: Date, locale: Locale, timeZone: string): string {
  return dateToken(date, '{date_short_pretty}, {time}', formatDateTime(date, locale, timeZone));
}

/** slackDateTime, with the date written in the deployment's language and time zone as its fallback. */
export function dateTimeShown(date: Date, locale: Locale, timeZone: string): string {
  return slackDateTime(date, formatDateTime(date, locale, timeZone));
}

/** slackTime, with the time written in the deployment's time zone as its fallback. */
export function timeShown(date: Date, locale: Locale, timeZone: string): string {
  return slackTime(date, formatTime(date, locale, timeZone));
}

/**
 * `text` with each date token written as its fallback, for what Slack shows without rendering tokens: a message's
 * `text` beside its blocks (notifications), an attachment's `fallback`. The fallback stays escaped, as the rest of
 * such a text is.
 */
function withDateFallbacks(text: string): string {
  return text.replace(DATE_TOKEN, '$1');
}

const DATE_TOKEN = /<!date\^\d+\^[^|>]*\|([^>]*)>/g;

/**
 * A message's `text` beside its blocks as its notification shows it: Slack's push and desktop notifications, and
 * screen readers, read it as written, so it is plain: date tokens as their fallbacks, a link as its label (or its
 * address), and no bold, italic, strike or code marks (a mark only where Slack reads one: around words, not inside a
 * `F_2026_031`). Mentions and escapes stay, Slack reading them in notifications too.
 */
export function notificationText(text: string): string {
  return withDateFallbacks(text)
    .replace(/<((?:https?|mailto):[^|>]*)\|([^>]*)>/g, '$2')
    .replace(/<((?:https?|mailto):[^|>]*)>/g, '$1')
    .replace(/(^|[\s(])([*_~`])(\S(?:[^\n]*?\S)?)\2(?=$|[\s).,:;!?])/g, '$1$3');
}

/**
 * `<!date^SECONDS^FORMAT|FALLBACK>`. The fallback ends at the first `>`, so it is escaped as mrkdwn; a `|` in it needs
 * nothing (Slack has no escape for it, and the dates written here hold none).
 */
function dateToken(date: Date, format: string, fallback: string): string {
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${escapeMrkdwn(fallback)}>`;
}
