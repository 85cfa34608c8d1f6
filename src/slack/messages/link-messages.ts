import type { types } from '@slack/bolt';
import { formatAmount } from '../../domain/amount.js';
import type { PaymentType } from '../../domain/payment-type.js';
import type { Locale } from '../../i18n/locale.js';
import { messagesFor, sandboxed } from '../../i18n/messages.js';
import { escapeMrkdwn, notificationText } from '../mrkdwn.js';
import { contextBlock, mrkdwn } from '../views/text.js';

/** A message for chat.postMessage / chat.update, without its channel. */
export interface SlackMessage {
  text: string;
  blocks?: types.KnownBlock[];
  attachments?: types.MessageAttachment[];
}

/**
 * `text` escaped, in a code span to copy; written plain when it holds a backtick, which would end the span early (mrkdwn
 * escapes none), so that it is shown whole all the same.
 */
export function codeSpan(text: string): string {
  const escaped = escapeMrkdwn(text);
  return text.includes('`') ? escaped : `\`${escaped}\``;
}

export interface LinkSummary {
  locale: Locale;
  sandbox: boolean;
  amountCents: number;
  paymentReference: string;
  paymentType: PaymentType;
  /** Customer's name, or company name for a company. */
  customer?: string;
  maskedEmail: string;
  maskedPhone: string;
  deliveries: ReadonlyArray<'sms' | 'email'>;
  user: string;
  /** Slack's date token (dateTimeShown), its fallback in the locale and time zone. */
  expires?: string;
}

/** How SAFEDEBIT sends the link to the customer, from its `sms_option` and `email_option` (1: it does). */
export function deliveriesOf(smsOption: number, emailOption: number): LinkSummary['deliveries'] {
  return [...(smsOption ? ['sms' as const] : []), ...(emailOption ? ['email' as const] : [])];
}

/** Where a link stands, shown as the colored line under the summary and updated by chat.update. */
export interface LinkStatus {
  /** mrkdwn, its date as Slack's date token: written as its fallback where Slack does not render it. */
  text: string;
  color: string;
}

export function awaitingPaymentStatus(locale: Locale): LinkStatus {
  return { text: messagesFor(locale).statusAwaiting, color: '#9e9e9e' };
}

/** The status line lives in an attachment under the summary blocks, in its status color (see summaryStatusUpdate). */
function statusAttachments(status: LinkStatus): types.MessageAttachment[] {
  return [
    {
      color: status.color,
      fallback: notificationText(status.text),
      blocks: [contextBlock(status.text)],
    },
  ];
}

/** The summary a channel sees: never the full email or phone number. */
export function buildSummaryMessage(summary: LinkSummary, status: LinkStatus): SlackMessage {
  const m = messagesFor(summary.locale);
  const amount = formatAmount(summary.amountCents, summary.locale);
  const reference = escapeMrkdwn(summary.paymentReference);
  // One sentence, not the form's two choices side by side ("Par SMS, Par e-mail").
  const [firstDelivery, ...otherDeliveries] = summary.deliveries;
  const deliveries =
    firstDelivery === undefined
      ? m.deliveryNone
      : otherDeliveries.length === 0
        ? m.deliveries[firstDelivery]
        : m.deliveryBoth;
  const fields: types.MrkdwnElement[] = [
    mrkdwn(`*${m.summaryAmount}*\n${amount}`),
    mrkdwn(`*${m.summaryReference}*\n${reference}`),
    mrkdwn(`*${m.summaryPaymentType}*\n${m.paymentTypes[summary.paymentType]}`),
    ...(summary.customer ? [mrkdwn(`*${m.summaryCustomer}*\n${escapeMrkdwn(summary.customer)}`)] : []),
    mrkdwn(`*${m.summaryContact}*\n${escapeMrkdwn(summary.maskedEmail)} · ${escapeMrkdwn(summary.maskedPhone)}`),
    mrkdwn(`*${m.summaryDelivery}*\n${deliveries}`),
    mrkdwn(`*${m.summaryRequestedBy}*\n<@${summary.user}>`),
    ...(summary.expires ? [mrkdwn(`*${m.summaryExpires}*\n${summary.expires}`)] : []),
  ];
  const title = sandboxed(`:credit_card: ${m.summaryTitle} · ${amount} · ${reference}`, summary.sandbox);
  return {
    text: title,
    blocks: [
      { type: 'section', text: mrkdwn(`*${title}*`) },
      { type: 'section', fields },
    ],
    attachments: statusAttachments(status),
  };
}

/** The link in its summary's thread, where the summary above says which payment it is for. */
export function buildLinkReply(locale: Locale, sandbox: boolean, link: string): SlackMessage {
  const m = messagesFor(locale);
  return { text: sandboxed(m.linkReply(link), sandbox) };
}

/**
 * The link sent to its rep alone, away from its summary (the modal closed, the summary or its thread refused), after
 * `why` when there is one: which payment it is for, so that a rep who made two links at once does not send a customer
 * the other one.
 */
export function buildLinkForRep(
  locale: Locale,
  sandbox: boolean,
  payment: { amountCents: number; reference: string },
  link: string,
  why?: string,
): SlackMessage {
  const amount = formatAmount(payment.amountCents, locale);
  const about = messagesFor(locale).outcomeOfLink(amount, escapeMrkdwn(payment.reference), link);
  return { text: sandboxed(why === undefined ? about : `${why}\n${about}`, sandbox) };
}
