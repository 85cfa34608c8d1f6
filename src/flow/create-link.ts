import type { Logger, types } from '@slack/bolt';
import { buildCallbackUrl, type CallbackTarget } from '../callback/token.js';
import type { Config } from '../config.js';
import { formatAmount } from '../domain/amount.js';
import { linkExpiry } from '../domain/link-duration.js';
import { maskEmail, maskPhone } from '../domain/mask.js';
import type { PaymentFormInput, ValidatedPaymentForm } from '../domain/payment-form.js';
import { formatDateTime } from '../i18n/dates.js';
import { messagesFor, sandboxed } from '../i18n/messages.js';
import { describeRefusal } from '../safedebit/error-catalog.js';
import { FIELD_MAX_LENGTH } from '../safedebit/fields.js';
import { buildPaymentLinkRequest } from '../safedebit/link-request.js';
import type { PaymentLinkOutcome } from '../safedebit/outcome.js';
import type { PaymentLinkRequest } from '../safedebit/request.js';
import { slackErrorCode } from '../slack/errors.js';
import type { TextField } from '../slack/form-state.js';
import {
  awaitingPaymentStatus,
  buildLinkReply,
  buildSummaryMessage,
  escapeMrkdwn,
  type LinkSummary,
  type SlackMessage,
} from '../slack/messages/link-messages.js';
import type { ModalOrigin } from '../slack/metadata.js';
import { postToResponseUrl } from '../slack/response-url.js';
import { buildCreatedView, buildNoticeView } from '../slack/views/outcome-views.js';
import { buildPaymentModal } from '../slack/views/payment-modal.js';
import type { SlackWebApi } from '../slack/web-api.js';

export interface LinkCreator {
  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLinkOutcome>;
}

/** What the link flow needs from the running app. */
export interface LinkFlowContext {
  config: Readonly<Config>;
  slack: SlackWebApi;
  safedebit: LinkCreator;
  beneficiaryReference: string;
  /** Base of url_callback: PAYLINK_PUBLIC_URL, or this app's local address in development. */
  publicUrl: string;
  sandbox: boolean;
  logger: Logger;
  clock: () => Date;
  timeZone: string;
}

export interface LinkSubmission {
  origin: ModalOrigin;
  viewId: string;
  privateMetadata: string;
  input: PaymentFormInput;
  form: ValidatedPaymentForm;
}

/** Slack errors that mean "the bot may not post there", as opposed to Slack being unwell. */
const CANNOT_POST_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Where the link's status message lives; the callback token points here. */
interface StatusMessage {
  channel: string;
  ts: string;
  threadTs: string;
  /** True when the rep's conversation was out of reach and the app used a DM instead. */
  inDirectMessage: boolean;
}

/**
 * Everything after a valid submission was acknowledged: the summary is posted first (its ts goes into the
 * callback URL), SAFEDEBIT is called once, then the link goes in the summary's thread and in the modal.
 * A refusal or an outage deletes the summary, so nothing stays in the channel, and gives the rep the form
 * back intact.
 */
export async function createLinkFromSubmission(ctx: LinkFlowContext, submission: LinkSubmission): Promise<void> {
  const { origin, form } = submission;
  const locale = ctx.config.locale;
  const status = await postSummary(ctx, submission);
  if (!status) {
    const banner = messagesFor(locale).slackUnavailable;
    await showInModal(ctx, submission, formAgain(ctx, submission, banner), { text: banner });
    return;
  }
  let outcome: PaymentLinkOutcome;
  try {
    const request = buildRequest(ctx, form, {
      channel: status.channel,
      statusTs: status.ts,
      threadTs: status.threadTs,
      user: origin.user,
      amountCents: form.amountCents,
      paymentReference: form.payment_reference,
    });
    outcome = await ctx.safedebit.createPaymentLink(request);
  } catch (error) {
    // A request paylink itself could not build or send (a bug, not SAFEDEBIT): nothing was sent, so
    // nothing may stay in the channel, and the rep must not be left on "creating…".
    ctx.logger.error({ event: 'link_request_failed', error, payment_reference: form.payment_reference });
    await deleteQuietly(ctx, status);
    const banner = messagesFor(locale).requestFailed;
    await showInModal(ctx, submission, formAgain(ctx, submission, banner), { text: banner });
    return;
  }
  const logFields = {
    payment_reference: form.payment_reference,
    amount_cents: form.amountCents,
    user: origin.user,
    channel: origin.channel,
    latency_ms: Math.round(outcome.latencyMs),
    sandbox: ctx.sandbox,
  };

  if (outcome.kind !== 'link') {
    await deleteQuietly(ctx, status);
    if (outcome.kind === 'refusal') {
      const refusal = describeRefusal(outcome, locale);
      // SAFEDEBIT's words and codes go into mrkdwn: escaped, they can neither format nor mention.
      const shown = escapeMrkdwn(refusal.message);
      ctx.logger[refusal.configurationProblem ? 'error' : 'info']({
        event: 'link_refused',
        code: outcome.code,
        ...(refusal.adminDetail ? { detail: refusal.adminDetail } : {}),
        ...logFields,
      });
      const view = refusal.configurationProblem
        ? buildNoticeView(viewBase(ctx, submission), shown)
        : formAgain(ctx, submission, messagesFor(locale).refusedBanner(shown), refusal.field, shown);
      await showInModal(ctx, submission, view, { text: shown });
    } else {
      ctx.logger.warn({ event: 'link_outage', reason: outcome.reason, detail: outcome.detail, ...logFields });
      const banner = messagesFor(locale).outageBanner;
      await showInModal(ctx, submission, formAgain(ctx, submission, banner), { text: banner });
    }
    return;
  }

  ctx.logger.info({ event: 'link_created', ...logFields, status_channel: status.channel });
  const posted = await postLink(ctx, submission, status, outcome.link);
  const createdView = buildCreatedView({
    ...viewBase(ctx, submission),
    amount: formatAmount(form.amountCents, locale),
    reference: form.payment_reference,
    link: outcome.link,
    postedIn: !posted ? 'nowhere' : status.inDirectMessage ? 'direct_message' : { channel: status.channel },
  });
  // If the modal cannot show it, the rep still gets the link privately (unless a DM or a failed post already did).
  const linkForRep = posted && !status.inDirectMessage ? buildLinkReply(locale, ctx.sandbox, outcome.link) : undefined;
  await showInModal(ctx, submission, createdView, linkForRep);
}

function viewBase(ctx: LinkFlowContext, submission: LinkSubmission) {
  return { locale: ctx.config.locale, sandbox: ctx.sandbox, privateMetadata: submission.privateMetadata };
}

/** The form as the rep left it, with what went wrong above it and, for a field, under that field. */
function formAgain(ctx: LinkFlowContext, submission: LinkSubmission, banner: string, field?: string, note?: string) {
  const fieldNotes = field && note ? ({ [field]: note } as Partial<Record<TextField, string>>) : undefined;
  return buildPaymentModal({
    ...viewBase(ctx, submission),
    paymentTypes: ctx.config.paymentTypes,
    values: submission.input,
    banner,
    ...(fieldNotes ? { fieldNotes } : {}),
  });
}

function buildRequest(ctx: LinkFlowContext, form: ValidatedPaymentForm, target: CallbackTarget): PaymentLinkRequest {
  const callbackUrl = buildCallbackUrl(ctx.publicUrl, target, ctx.config.callbackSecret, FIELD_MAX_LENGTH.url_callback);
  return buildPaymentLinkRequest(form, {
    beneficiaryReference: ctx.beneficiaryReference,
    callbackUrl,
    config: ctx.config,
  });
}

/**
 * Posts the link's summary where the rep asked, or by DM where the bot may not post. It goes out before
 * SAFEDEBIT is called because the callback URL must name it; its status line already reads "awaiting
 * payment", which is true as soon as the link exists, and it is deleted if no link comes.
 */
async function postSummary(ctx: LinkFlowContext, submission: LinkSubmission): Promise<StatusMessage | undefined> {
  const { origin } = submission;
  const summary = buildSummaryMessage(summaryOf(ctx, submission), awaitingPaymentStatus(ctx.config.locale));
  try {
    const ts = await post(ctx, origin.channel, summary, origin.threadTs);
    return { channel: origin.channel, ts, threadTs: origin.threadTs ?? ts, inDirectMessage: false };
  } catch (error) {
    if (!CANNOT_POST_ERRORS.has(slackErrorCode(error))) {
      ctx.logger.error({ event: 'slack_post_failed', step: 'summary', error: slackErrorCode(error) });
      return undefined;
    }
  }
  try {
    const dm = await directMessageChannel(ctx, origin.user);
    const ts = await post(ctx, dm, summary);
    ctx.logger.info({ event: 'post_fallback_dm', channel: origin.channel, user: origin.user });
    return { channel: dm, ts, threadTs: ts, inDirectMessage: true };
  } catch (error) {
    ctx.logger.error({ event: 'slack_post_failed', step: 'summary_dm', error: slackErrorCode(error) });
    return undefined;
  }
}

/** Posts the link in the summary's thread. False if it could not be posted (the rep then gets it privately). */
async function postLink(ctx: LinkFlowContext, submission: LinkSubmission, status: StatusMessage, link: string) {
  const { origin, form } = submission;
  const locale = ctx.config.locale;
  const linkReply = buildLinkReply(locale, ctx.sandbox, link);
  try {
    await post(ctx, status.channel, linkReply, status.threadTs);
  } catch (error) {
    ctx.logger.error({
      event: 'slack_post_failed',
      step: 'link_reply',
      error: slackErrorCode(error),
      payment_reference: form.payment_reference,
    });
    await sendToRep(ctx, origin, linkReply);
    return false;
  }
  if (status.inDirectMessage && origin.responseUrl) {
    await respondQuietly(ctx, origin.responseUrl, {
      text: sandboxed(`${messagesFor(locale).fallbackDm(origin.channel)}\n${linkReply.text}`, ctx.sandbox),
    });
  }
  return true;
}

function summaryOf(ctx: LinkFlowContext, submission: LinkSubmission): LinkSummary {
  const { form, origin } = submission;
  const names = [form.consumer_first_name, form.consumer_last_name].filter(Boolean).join(' ');
  // A company is shown by its name when the form gives one, else by the names typed, as an individual is.
  const customer = (form.consumerType === 1 ? form.social_reference : undefined) ?? (names || undefined);
  const expiresAt = linkExpiry(ctx.clock(), ctx.config.linkDuration);
  return {
    locale: ctx.config.locale,
    sandbox: ctx.sandbox,
    amountCents: form.amountCents,
    paymentReference: form.payment_reference,
    paymentType: form.paymentType,
    customer,
    maskedEmail: maskEmail(form.consumer_email),
    maskedPhone: maskPhone(form.consumer_phone_number),
    deliveries: [...(form.smsOption ? ['sms' as const] : []), ...(form.emailOption ? ['email' as const] : [])],
    user: origin.user,
    expires: expiresAt ? formatDateTime(expiresAt, ctx.config.locale, ctx.timeZone) : undefined,
  };
}

/** Replaces the modal's content; when Slack will not (modal closed, Slack error), sends `fallback` to the rep. */
async function showInModal(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  view: types.ModalView,
  fallback: SlackMessage | undefined,
): Promise<void> {
  try {
    await ctx.slack.views.update({ view_id: submission.viewId, view });
  } catch (error) {
    ctx.logger.warn({ event: 'views_update_failed', error: slackErrorCode(error) });
    if (fallback) await sendToRep(ctx, submission.origin, fallback);
  }
}

/** Reaches the rep privately: the response_url first (works in any conversation), else a DM. */
async function sendToRep(ctx: LinkFlowContext, origin: ModalOrigin, message: SlackMessage): Promise<void> {
  const marked = { ...message, text: sandboxed(message.text, ctx.sandbox) };
  if (origin.responseUrl && (await respondQuietly(ctx, origin.responseUrl, marked))) return;
  try {
    await post(ctx, await directMessageChannel(ctx, origin.user), marked);
  } catch (error) {
    ctx.logger.error({ event: 'rep_unreachable', user: origin.user, error: slackErrorCode(error) });
  }
}

async function respondQuietly(ctx: LinkFlowContext, url: string, message: { text: string }): Promise<boolean> {
  try {
    await postToResponseUrl(url, message);
    return true;
  } catch (error) {
    ctx.logger.warn({ event: 'response_url_failed', error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

async function post(ctx: LinkFlowContext, channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
  const result = await ctx.slack.chat.postMessage({
    channel,
    ...message,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    unfurl_links: false,
    unfurl_media: false,
  });
  if (!result.ts) throw new Error('chat.postMessage returned no ts');
  return result.ts;
}

async function directMessageChannel(ctx: LinkFlowContext, user: string): Promise<string> {
  const opened = await ctx.slack.conversations.open({ users: user });
  const id = opened.channel?.id;
  if (!id) throw new Error('conversations.open returned no channel');
  return id;
}

async function deleteQuietly(ctx: LinkFlowContext, status: StatusMessage): Promise<void> {
  try {
    await ctx.slack.chat.delete({ channel: status.channel, ts: status.ts });
  } catch (error) {
    ctx.logger.warn({ event: 'slack_delete_failed', error: slackErrorCode(error) });
  }
}
