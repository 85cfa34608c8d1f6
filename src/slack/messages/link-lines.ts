import type { types } from '@slack/bolt';
import { OPEN_THREAD_ACTION } from '../../constants.js';
import { formatAmount } from '../../domain/amount.js';
import { hasExpired, notCreatedStanding } from '../../domain/link-standing.js';
import { cutToCharacters } from '../../domain/text-cut.js';
import { formatAge } from '../../i18n/dates.js';
import { linkReportTexts } from '../../i18n/link-reports.js';
import type { Locale } from '../../i18n/locale.js';
import { messagesFor } from '../../i18n/messages.js';
import type { LinkRecord } from '../../ledger/ledger.js';
import { refusalWhy } from '../../safedebit/error-catalog.js';
import { dateTimeShown, escapeMrkdwn } from '../mrkdwn.js';
import { mrkdwn, plain } from '../views/text.js';
import { expiredStatusLine, paymentStatusLine } from './status-messages.js';

/** How a link is shown in App Home, lists and reminders: what the formatters need besides the link. */
export interface LinkLineContext {
  locale: Locale;
  timeZone: string;
  now: Date;
}

/** A customer's name is the rep's typing: long ones are cut so a list stays a list. */
const CUSTOMER_SHOWN_CHARS = 80;

/** "*1 250,50 €* · F-2026-031 · Jean Dupont": amount, reference, customer. */
export function linkHeadline(link: LinkRecord, locale: Locale): string {
  const customer = link.customer === null ? [] : [escapeMrkdwn(cutToCharacters(link.customer, CUSTOMER_SHOWN_CHARS))];
  return [`*${formatAmount(link.amount_cents, locale)}*`, escapeMrkdwn(link.payment_reference), ...customer].join(
    ' · ',
  );
}

/** Between a refused link's standing and why, as each language writes a colon. */
const BEFORE_WHY: Record<Locale, string> = { fr: '\u00A0: ', en: ': ' };

/**
 * Where the link stands and since when: its furthest payment status and its date ("✅ Paid · 27 Nov 2026, 14:32"),
 * "awaiting payment" since its creation when SAFEDEBIT said nothing yet, "expired" since its expiry when it said
 * nothing by then, or why it was never made.
 */
export function standingText(link: LinkRecord, context: LinkLineContext): string {
  const { locale, timeZone } = context;
  if (link.state !== 'created') {
    const standing = linkReportTexts(locale).notCreated[notCreatedStanding({ ...link, state: link.state })];
    // Why, in words, with SAFEDEBIT's code for support.
    return link.state === 'refused' && link.state_detail !== null
      ? `${standing}${BEFORE_WHY[locale]}${escapeMrkdwn(refusalWhy(link.state_detail, locale))}`
      : standing;
  }
  if (hasExpired(link, context.now)) return expiredStatusLine(new Date(link.expires_at), locale, timeZone).text;
  return (
    paymentStatusLine(link, locale, timeZone)?.text ??
    `${messagesFor(locale).statusAwaiting} · ${dateTimeShown(new Date(link.created_at), locale, timeZone)}`
  );
}

/**
 * A link as one section: headline, where it stands, how old it is (and whose, in a team list), with a button to
 * its thread when its permalink is known.
 */
export function linkSection(
  link: LinkRecord,
  context: LinkLineContext,
  options: { permalink?: string; showRep?: boolean } = {},
): types.SectionBlock {
  const t = linkReportTexts(context.locale);
  const ago = link.state === 'created' ? t.createdAgo : t.requestedAgo;
  const age = ago(formatAge(new Date(link.created_at), context.now, context.locale));
  const details = options.showRep ? `${age} · ${t.by(`<@${link.user_id}>`)}` : age;
  return {
    type: 'section',
    text: mrkdwn([linkHeadline(link, context.locale), standingText(link, context), `_${details}_`].join('\n')),
    ...threadButton(context.locale, options.permalink),
  };
}

/** A section's accessory: a URL button to the link's thread, when its permalink is known (else nothing). */
export function threadButton(locale: Locale, permalink: string | undefined, label?: string) {
  if (!permalink) return {};
  const text = plain(label ?? linkReportTexts(locale).openThread, 75);
  return { accessory: { type: 'button' as const, action_id: OPEN_THREAD_ACTION, text, url: permalink } };
}
