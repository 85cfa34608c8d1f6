import { formatAmount } from '../../domain/amount.js';
import { type ClassifiedStatus, classifyStatus, type StatusKind } from '../../domain/payment-status.js';
import type { PaymentType } from '../../domain/payment-type.js';
import { linkReportTexts } from '../../i18n/link-reports.js';
import type { Locale } from '../../i18n/locale.js';
import { messagesFor, sandboxed } from '../../i18n/messages.js';
import { describeStatus } from '../../i18n/statuses.js';
import type { LinkRecord } from '../../ledger/ledger.js';
import { isDirectMessage } from '../channel-ids.js';
import { dateTimeShown, escapeMrkdwn, notificationText } from '../mrkdwn.js';
import { buildSummaryMessage, type LinkStatus, type LinkSummary, type SlackMessage } from './link-messages.js';

/** How each kind of status looks in Slack; only news the rep must act on mentions them. */
const PRESENTATION: Record<StatusKind | 'unknown', { emoji: string; color: string; mentionRep: boolean }> = {
  paid: { emoji: ':white_check_mark:', color: '#2eb67d', mentionRep: true },
  failed: { emoji: ':x:', color: '#e01e5a', mentionRep: true },
  pending: { emoji: ':hourglass_flowing_sand:', color: '#ecb22e', mentionRep: false },
  refunded: { emoji: ':leftwards_arrow_with_hook:', color: '#1d9bd1', mentionRep: false },
  unknown: { emoji: ':grey_question:', color: '#9e9e9e', mentionRep: false },
};

function presentationOf(status: ClassifiedStatus) {
  return PRESENTATION[status.known ? status.kind : 'unknown'];
}

/**
 * "✅ Paid · €1,250.50 · 14:32 · @rep": what happened, for how much, when; the rep is pinged if it is news to them
 * (`earlier`: the link's statuses before it). A `multi_pay` link is paid in parts whose amounts no notification
 * documents: "towards a multiple payment of …".
 */
export function statusReplyText(
  link: { amountCents: number; user: string; paymentType: PaymentType },
  status: ClassifiedStatus,
  locale: Locale,
  time: string,
  earlier: readonly ClassifiedStatus[] = [],
): string {
  const { emoji } = presentationOf(status);
  const amount = formatAmount(link.amountCents, locale);
  const parts = [
    `${emoji} ${escapeMrkdwn(describeStatus(status, locale))}`,
    link.paymentType === 'multi' ? messagesFor(locale).towardsMultiplePayment(amount) : amount,
    time,
    ...(newsToRep(status, earlier) ? [`<@${link.user}>`] : []),
  ];
  return parts.join(' · ');
}

/** Whether the status is of a kind the rep must act on (money came in, or did not). */
export function mattersToRep(status: ClassifiedStatus): boolean {
  return presentationOf(status).mentionRep;
}

/**
 * Whether the status is news the rep must act on, given the link's statuses before it: they are pinged, or told apart.
 * Not when the last such status was of its kind (CREDITED after SETTLED, a multiple payment's next part paid): one
 * payment pings its rep once, and again only when it fails, or is paid after failing.
 */
export function newsToRep(status: ClassifiedStatus, earlier: readonly ClassifiedStatus[]): boolean {
  if (!mattersToRep(status)) return false;
  const previous = earlier.findLast(mattersToRep);
  return previous === undefined || kindOf(previous) !== kindOf(status);
}

function kindOf(status: ClassifiedStatus): StatusKind | undefined {
  return status.known ? status.kind : undefined;
}

/**
 * A status reply whose thread no longer takes replies (its conversation archived, the bot removed, the thread locked),
 * or whose link has no summary (Slack did not take it), sent to the rep instead: the reply, then which link and why
 * it comes here.
 */
export function statusApartText(
  reply: string,
  paymentReference: string,
  where: { threadClosedIn: string } | { summaryNotPostedIn: string },
  locale: Locale,
): string {
  const m = messagesFor(locale);
  const reference = escapeMrkdwn(paymentReference);
  // A DM's `<#D…>` shows as no conversation: a summary's thread in one is in the rep's DM with paylink, the only DM
  // it posts in; a summary not taken in one was asked for there.
  const conversation = (channel: string, directMessage: string) =>
    isDirectMessage(channel) ? directMessage : `<#${channel}>`;
  const why =
    'threadClosedIn' in where
      ? m.statusThreadClosed(reference, conversation(where.threadClosedIn, m.appDirectMessage))
      : m.statusWithoutSummary(reference, conversation(where.summaryNotPostedIn, m.directMessageAsked));
  return `${reply}\n${why}`;
}

/**
 * A status and since when, as the link's summary, App Home, lists and `/paylink status`'s history show it. A
 * `multi_pay` link's payment is "towards a multiple payment": one part paid must not read as its amount paid.
 */
export function statusLine(
  status: ClassifiedStatus,
  locale: Locale,
  dateTime: string,
  paymentType: PaymentType,
): LinkStatus {
  const { emoji, color } = presentationOf(status);
  const partPaid = paymentType === 'multi' && status.known && status.kind === 'paid';
  const parts = [
    `${emoji} ${escapeMrkdwn(describeStatus(status, locale))}`,
    ...(partPaid ? [messagesFor(locale).towardsMultiplePayment()] : []),
    dateTime,
  ];
  return { text: parts.join(' · '), color };
}

/** The status line of the link's furthest-along status, since it was reported; undefined before any. */
export function paymentStatusLine(
  link: Pick<LinkRecord, 'payment_status' | 'payment_status_at' | 'payment_type'>,
  locale: Locale,
  timeZone: string,
): LinkStatus | undefined {
  if (link.payment_status === null || link.payment_status_at === null) return undefined;
  const since = dateTimeShown(new Date(link.payment_status_at), locale, timeZone);
  return statusLine(classifyStatus(link.payment_status), locale, since, link.payment_type);
}

/** The line of a link past its expiry with no status ("🚫 Expired unpaid · 4 Dec 2026, 14:32"): it can no longer be paid. */
export function expiredStatusLine(expiredAt: Date, locale: Locale, timeZone: string): LinkStatus {
  return {
    text: `${linkReportTexts(locale).expired} · ${dateTimeShown(expiredAt, locale, timeZone)}`,
    color: '#9e9e9e',
  };
}

/**
 * The summary with its new status line, for chat.update. Its blocks are sent again with the status attachment: Slack
 * keeps a message's blocks only when the update has no `text` either ("If the text argument is provided and blocks are
 * not provided, the blocks will be removed", chat.update's reference), and the text says the status for notifications
 * and screen readers.
 */
export function summaryStatusUpdate(summary: LinkSummary, line: LinkStatus): SlackMessage {
  const m = messagesFor(summary.locale);
  const amount = formatAmount(summary.amountCents, summary.locale);
  return {
    ...buildSummaryMessage(summary, line),
    text: sandboxed(
      `${m.summaryTitle} · ${amount} · ${escapeMrkdwn(summary.paymentReference)} — ${notificationText(line.text)}`,
      summary.sandbox,
    ),
  };
}
