import type { Logger, types } from '@slack/bolt';
import { buildCallbackUrl } from '../callback/token.js';
import type { Config } from '../config.js';
import { formatAmount } from '../domain/amount.js';
import { linkExpiry } from '../domain/link-duration.js';
import { maskEmail, maskPhone } from '../domain/mask.js';
import type { InputField, PaymentFormInput, ValidatedPaymentForm } from '../domain/payment-form.js';
import type { Locale } from '../i18n/locale.js';
import { askAgainAs, messagesFor, refusedFormGone } from '../i18n/messages.js';
import { type LinkOutcomeRecord, type NewLink, newLinkRow, type ReportedStatus } from '../ledger/ledger.js';
import { describeRefusal, PAYMENT_REFERENCE_USED, type RefusalDescription } from '../safedebit/error-catalog.js';
import { buildPaymentLinkRequest } from '../safedebit/link-request.js';
import type { PaymentLinkOutcome } from '../safedebit/outcome.js';
import type { PaymentLinkRequest } from '../safedebit/request.js';
import { isDirectMessage } from '../slack/channel-ids.js';
import { type PostedPlace, postMessage, postSummaryWhereAsked, respondQuietly, sendToRep } from '../slack/delivery.js';
import { slackErrorCode } from '../slack/errors.js';
import {
  awaitingPaymentStatus,
  buildLinkForRep,
  buildLinkReply,
  buildSummaryMessage,
  type SlackMessage,
} from '../slack/messages/link-messages.js';
import { paymentStatusLine } from '../slack/messages/status-messages.js';
import type { ModalOrigin } from '../slack/metadata.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';
import { submissionKey } from '../slack/submission-key.js';
import { buildCreatedView, buildNoticeView } from '../slack/views/outcome-views.js';
import { buildPaymentModal } from '../slack/views/payment-modal.js';
import { confirmReportedLink } from './confirmed-links.js';
import { retryOrKeepForRounds, tryLedgerWrite, type Written } from './ledger-writes.js';
import { referenceUsedNote } from './reference-used.js';
import {
  linkSummaryOf,
  type StatusUpdateContext,
  type SummarySource,
  showPendingStatuses,
  unrecordedDelivery,
  unrecordedOutcome,
  unrecordedRepTold,
} from './status-updates.js';

export interface LinkCreator {
  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLinkOutcome>;
}

/** What the link flow needs from the running app. */
export interface LinkFlowContext extends StatusUpdateContext {
  config: Readonly<Config>;
  safedebit: LinkCreator;
  beneficiaryReference: string;
  /** Base of url_callback: PAYLINK_PUBLIC_URL, or this app's local address in development. */
  publicUrl: string;
  logger: Logger;
}

export interface LinkSubmission {
  origin: ModalOrigin;
  /** The workspace the rep submitted from. */
  teamId?: string;
  viewId: string;
  /** Slack's hash of the view as submitted: a repeat of this delivery has the same, a later submission not. */
  viewHash: string;
  privateMetadata: string;
  input: PaymentFormInput;
  form: ValidatedPaymentForm;
}

/** Links are in euros: SAFEDEBIT is a SEPA platform and its `amount` has no currency field. */
const CURRENCY = 'EUR';

/**
 * Everything after a valid submission was acknowledged: the ledger row first (claimed once per submission,
 * whichever instance and however often Slack delivers it), SAFEDEBIT called once with a callback URL that
 * names that row, and only when a link exists: the summary in the conversation, the link in its thread, the
 * modal updated. A refusal or an outage posts nothing in the channel and gives the rep the form back intact, unless
 * SAFEDEBIT's notification already said the link exists (then it is confirmed: its summary is posted).
 */
export async function createLinkFromSubmission(ctx: LinkFlowContext, submission: LinkSubmission): Promise<void> {
  const { origin, form } = submission;
  const locale = ctx.config.locale;
  const m = messagesFor(locale);
  const claim = newLinkOf(ctx, submission);
  let linkId: string | undefined;
  try {
    linkId = await ctx.ledger.claimSubmission(claim);
  } catch (error) {
    ctx.logger.error({ event: 'ledger_write_failed', step: 'claim', error, payment_reference: form.payment_reference });
    const formGone = { text: aboutLink(ctx, submission, m.ledgerUnavailableFormGone(askAgain(ctx, submission))) };
    await showInModal(ctx, submission, formAgain(ctx, submission, m.ledgerUnavailable), formGone);
    return;
  }
  if (linkId === undefined) {
    // Slack delivered this submission again (a retry, a double click, another instance): it is being handled.
    ctx.logger.info({ event: 'submission_repeat', user: origin.user, view_id: submission.viewId });
    await showOutcomeAgain(ctx, submission);
    return;
  }

  let outcome: PaymentLinkOutcome;
  try {
    outcome = await ctx.safedebit.createPaymentLink(buildRequest(ctx, form, linkId));
  } catch (error) {
    // A request paylink itself could not build or send (a bug, not SAFEDEBIT): nothing was sent.
    ctx.logger.error({ event: 'link_request_failed', error, payment_reference: form.payment_reference });
    const view = formAgain(ctx, submission, m.requestFailed);
    await endWithoutLink(ctx, submission, linkId, { state: 'outage', detail: 'request_failed' }, view, m.requestFailed);
    return;
  }
  const logFields = {
    link: linkId,
    payment_reference: form.payment_reference,
    amount_cents: form.amountCents,
    user: origin.user,
    channel: origin.channel,
    latency_ms: Math.round(outcome.latencyMs),
    sandbox: ctx.sandbox,
  };

  if (outcome.kind === 'refusal') {
    const refusal = describeRefusal(outcome, locale);
    const { shown, held } = await shownRefusal(ctx, refusal, outcome.code ?? null, form.payment_reference, linkId);
    ctx.logger[refusal.configurationProblem ? 'error' : 'info']({
      event: 'link_refused',
      code: outcome.code,
      ...(refusal.adminDetail ? { detail: refusal.adminDetail } : {}),
      ...logFields,
    });
    const view = refusalView(ctx, submission, refusal, shown);
    const refused = { state: 'refused' as const, detail: outcome.code ?? null };
    // One the rep can fix is about a field of the form; a reference held is for the earlier link (`shown` names it).
    const fixable = refusal.field !== undefined && !held;
    const formGone = refusedFormGone(locale, shown, fixable, askAgain(ctx, submission));
    await endWithoutLink(ctx, submission, linkId, refused, view, formGone);
    return;
  }
  if (outcome.kind === 'outage') {
    ctx.logger.warn({ event: 'link_outage', reason: outcome.reason, detail: outcome.detail, ...logFields });
    const view = formAgain(ctx, submission, m.outageBanner);
    const outage = { state: 'outage' as const, detail: outcome.reason };
    await endWithoutLink(ctx, submission, linkId, outage, view, m.outageFormGone(askAgain(ctx, submission)));
    return;
  }

  // A failed write does not cost the rep the link SAFEDEBIT just made: the flow goes on, and the write is tried again
  // meanwhile, not after Slack's calls: left `requested` while Slack puts them off, the link would be taken for an
  // interrupted one. Written late, it leaves a summary's word on whether the rep has the link as it finds it; the write
  // saying the rep got the link privately comes after it, and records the link too.
  const recordCreated = () => ctx.ledger.recordOutcome(linkId, { state: 'created', link: outcome.link });
  const createdWrite = { step: 'outcome', state: 'created', link: linkId };
  const created = await tryLedgerWrite(ctx, createdWrite, recordCreated);
  const createdRetried = created.ok
    ? undefined
    : retryOrKeepForRounds(ctx, createdWrite, recordCreated, unrecordedOutcome(linkId));
  const reported: ReportedStatus = created.ok ? created.value : { payment_status: null, payment_status_at: null };
  ctx.logger.info({ event: 'link_created', ...logFields });
  const stored = { ...newLinkRow(claim, linkId, ctx.sandbox ? 1 : 0), link: outcome.link };
  const { place: summary } = await postSummary(ctx, submission, stored, reported);
  const linkGiven = summary && (await postLink(ctx, submission, summary, outcome.link));
  const posted = summary !== undefined && linkGiven === 'in_thread';
  let retryLater: (() => Promise<unknown>) | undefined;
  let sentPrivately = false;
  // Written with the summary's place, read when that write is made: a retry after the modal showed the link says so.
  let repHasLink = linkGiven !== 'nowhere';
  let placeRecorded = false;
  let showStatusesLater: (() => Promise<unknown>) | undefined;
  if (!summary) {
    sentPrivately = await sendToRep(ctx, origin, linkForRep(ctx, submission, outcome.link));
  } else {
    // Recorded only once the link is in the thread, so that a notification finding the summary replies after it.
    const summaryWrite = { step: 'summary', link: linkId };
    const recordPlace = () =>
      ctx.ledger.recordSummary(linkId, summary, reported.payment_status, outcome.link, repHasLink);
    // A payment status known by then means notifications came before the summary: they are shown now.
    const placeWritten = async (written: Written<string | null>) => {
      if (written.ok && written.value !== null) await showPendingStatuses(ctx, linkId);
      return written.ok;
    };
    const retryPlace = async () =>
      placeWritten(await retryOrKeepForRounds(ctx, summaryWrite, recordPlace, unrecordedDelivery(linkId)));
    const firstTry = await tryLedgerWrite(ctx, summaryWrite, recordPlace);
    placeRecorded = firstTry.ok;
    if (!placeRecorded) retryLater = retryPlace;
    // Given nowhere, the link waits for the ledger to know whether the modal showed it before any more Slack calls: the
    // round for such links allows only the modal's call and two writes after this one (linkAloneAfterMs).
    else if (repHasLink) await placeWritten(firstTry);
    else showStatusesLater = () => placeWritten(firstTry);
  }
  const createdView = buildCreatedView({
    ...viewBase(ctx, submission),
    amount: formatAmount(form.amountCents, locale),
    reference: form.payment_reference,
    link: outcome.link,
    postedIn: posted
      ? summary.inDirectMessage
        ? 'direct_message'
        : { channel: summary.channel }
      : sentPrivately || linkGiven === 'privately'
        ? 'privately'
        : 'nowhere',
  });
  // If the modal cannot show it, the rep still gets the link privately (unless a DM or a failed post already did).
  const fallback = posted && !summary.inDirectMessage ? linkForRep(ctx, submission, outcome.link) : undefined;
  const shownInModal = await showInModal(ctx, submission, createdView, fallback);
  // The ledger learns that the rep has the link when it did not know: no summary (if not, or if this instance stops
  // first, the interrupted-links round DMs it to them later), or a summary recorded before the modal showed the link
  // that reached the rep nowhere else (a place recorded later says so itself).
  const givenNow = summary ? !repHasLink && shownInModal && placeRecorded : sentPrivately || shownInModal;
  if (summary && shownInModal) repHasLink = true;
  if (givenNow) {
    const recordGiven = () => ctx.ledger.recordSentPrivately(linkId, outcome.link);
    const givenWrite = { step: 'sent_privately', link: linkId };
    await createdRetried;
    // Once this write is recorded or kept, SAFEDEBIT's answer kept and played after it would say the rep has not it.
    const dropKeptAnswer = () => ctx.unrecordedWrites.delete(unrecordedOutcome(linkId));
    if ((await tryLedgerWrite(ctx, givenWrite, recordGiven)).ok) dropKeptAnswer();
    else {
      retryLater = async () => {
        await retryOrKeepForRounds(ctx, givenWrite, recordGiven, unrecordedDelivery(linkId));
        dropKeptAnswer();
      };
    }
  }
  await Promise.all([
    createdRetried,
    (async () => {
      await retryLater?.();
      await showStatusesLater?.();
    })(),
  ]);
  // Given privately, no summary: notifications that came meanwhile reach the rep apart, as later ones will.
  if (!summary && givenNow) await showPendingStatuses(ctx, linkId);
}

/**
 * A refusal, an outage or a request that could not be sent: recorded as such, and the rep sees `view` (or, when the
 * modal is gone, gets `text` with the link's amount and reference). If the ledger refuses the write, it is tried
 * again once the rep has the answer, then kept for the rounds: left `requested`, the link would be taken for an
 * interrupted one and its rep told it might exist.
 */
async function endWithoutLink(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  linkId: string,
  outcome: Extract<LinkOutcomeRecord, { state: 'refused' | 'outage' }>,
  view: types.ModalView,
  text: string,
): Promise<void> {
  const what = { step: 'outcome', state: outcome.state, link: linkId };
  // Recorded as not told yet: should this instance stop before the rep is told, a round tells them.
  const record = (repTold: boolean) => ctx.ledger.recordOutcome(linkId, { ...outcome, repTold });
  const recorded = await tryLedgerWrite(ctx, what, () => record(false));
  // A notification that came while SAFEDEBIT's answer was awaited (then lost or cut off): the link exists.
  const reportedOn = (written: Written<ReportedStatus>) =>
    outcome.state === 'outage' && written.ok && written.value.payment_status !== null;
  const linkExists = async () => {
    const m = messagesFor(ctx.config.locale);
    const notice = buildNoticeView(viewBase(ctx, submission), m.outageLinkExists);
    await showInModal(ctx, submission, notice, { text: aboutLink(ctx, submission, m.outageLinkExists) });
    // It gets its summary and its statuses, as any link.
    await confirmReportedLink(ctx, linkId).catch((error: unknown) =>
      ctx.logger.error({ event: 'link_not_confirmed', link: linkId, error }),
    );
  };
  if (reportedOn(recorded)) return linkExists();
  const told = await showInModal(ctx, submission, view, { text: aboutLink(ctx, submission, text) });
  if (recorded.ok) {
    // Kept for the rounds if refused, which meanwhile leave the link alone, rather than tell the rep again.
    const toldWrite = { step: 'rep_told', link: linkId };
    const recordTold = () => ctx.ledger.recordRepTold(linkId);
    if (told && !(await tryLedgerWrite(ctx, toldWrite, recordTold)).ok) {
      await retryOrKeepForRounds(ctx, toldWrite, recordTold, unrecordedRepTold(linkId));
    }
    return;
  }
  // Recorded late, a link reported on meanwhile is confirmed by the interrupted-links round.
  const retried = await retryOrKeepForRounds(ctx, what, () => record(told), unrecordedOutcome(linkId));
  if (reportedOn(retried)) await linkExists();
}

/** How the rep whose modal is gone asks again: as they asked (askAgainAs). */
function askAgain(ctx: LinkFlowContext, submission: LinkSubmission): string {
  return askAgainAs(ctx.config.locale, submission.origin.threadTs !== undefined);
}

/** The link sent to the rep away from its summary, saying which payment it is for (after `why`, if any). */
function linkForRep(ctx: LinkFlowContext, submission: LinkSubmission, link: string, why?: string): SlackMessage {
  const { amountCents, payment_reference } = submission.form;
  return buildLinkForRep(ctx.config.locale, ctx.sandbox, { amountCents, reference: payment_reference }, link, why);
}

/** `outcome`, saying which link it is about, for the rep whose modal is gone. */
function aboutLink(ctx: LinkFlowContext, submission: LinkSubmission, outcome: string): string {
  const { locale } = ctx.config;
  const { amountCents, payment_reference } = submission.form;
  return messagesFor(locale).outcomeOfLink(formatAmount(amountCents, locale), escapeMrkdwn(payment_reference), outcome);
}

/**
 * A repeat's acknowledgement put the modal back on "creating…": once the first delivery's outcome is recorded, the
 * modal shows it again (while the link is being made, that flow's own update comes after). Best effort: the rep had
 * it already. A refusal is shown from its code, SAFEDEBIT's words not being kept.
 */
async function showOutcomeAgain(ctx: LinkFlowContext, submission: LinkSubmission): Promise<void> {
  const key = submissionKey(submission.viewId, submission.viewHash);
  const made = await ctx.ledger.findLinkOfSubmission(key).catch(() => undefined);
  const m = messagesFor(ctx.config.locale);
  let view: types.ModalView | undefined;
  if (made?.state === 'created' && made.link !== null) {
    const channel = made.summary_channel;
    view = buildCreatedView({
      ...viewBase(ctx, submission),
      amount: formatAmount(made.amount_cents, ctx.config.locale),
      reference: made.payment_reference,
      link: made.link,
      // Posted elsewhere than asked: the rep's DM with paylink stood in (a DM where the rep asked is not one). Not
      // posted: whether it went privately or reached the rep in the modal alone is not recorded.
      postedIn: channel === null ? 'not_posted' : channel !== made.origin_channel ? 'direct_message' : { channel },
    });
  } else if (made?.state === 'created' && made.state_detail === 'outage') {
    view = buildNoticeView(viewBase(ctx, submission), m.outageLinkExists);
  } else if (made?.state === 'refused' && made.state_detail !== null) {
    const refusal = describeRefusal({ code: made.state_detail }, ctx.config.locale);
    const { shown } = await shownRefusal(ctx, refusal, made.state_detail, made.payment_reference, made.id);
    view = refusalView(ctx, submission, refusal, shown);
  } else if (made?.state === 'refused') {
    view = formAgain(ctx, submission, m.refusedWithoutCode);
  } else if (made?.state === 'outage') {
    view = formAgain(ctx, submission, made.state_detail === 'request_failed' ? m.requestFailed : m.outageBanner);
  }
  if (view) await showInModal(ctx, submission, view, undefined);
}

/**
 * A refusal as the rep reads it (mrkdwn): SAFEDEBIT's words and codes escaped, so that they can neither format nor
 * mention; for a payment reference already used, the earlier link paylink knows of, if any (`held`).
 */
async function shownRefusal(
  ctx: LinkFlowContext,
  refusal: RefusalDescription,
  code: string | null,
  paymentReference: string,
  linkId: string,
): Promise<{ shown: string; held: boolean }> {
  const held = code === PAYMENT_REFERENCE_USED ? await referenceUsedNote(ctx, paymentReference, linkId) : undefined;
  return { shown: held ?? escapeMrkdwn(refusal.message), held: held !== undefined };
}

/**
 * A refusal in the modal: the form again, why above it and under its field. One only the admin can fix is under no
 * field, and keeps the form too, to be sent again once the admin has fixed it.
 */
function refusalView(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  refusal: RefusalDescription,
  shown: string,
): types.ModalView {
  return formAgain(ctx, submission, messagesFor(ctx.config.locale).refusedBanner(shown), refusal.field, shown);
}

/** The ledger's new row; its expiry counts from its claim, with the duration sent to SAFEDEBIT right after. */
function newLinkOf(ctx: LinkFlowContext, submission: LinkSubmission): NewLink {
  const { origin, form } = submission;
  const customer = customerOf(form);
  const createdAt = ctx.clock();
  const expiresAt = linkExpiry(createdAt, ctx.config.linkDuration);
  return {
    submissionKey: submissionKey(submission.viewId, submission.viewHash),
    createdAt,
    ...(expiresAt ? { expiresAt } : {}),
    ...(submission.teamId ? { teamId: submission.teamId } : {}),
    userId: origin.user,
    originChannel: origin.channel,
    ...(origin.threadTs ? { originThreadTs: origin.threadTs } : {}),
    amountCents: form.amountCents,
    currency: CURRENCY,
    paymentReference: form.payment_reference,
    consumerReference: form.consumer_reference,
    ...(customer ? { customer } : {}),
    maskedEmail: maskEmail(form.consumer_email),
    maskedPhone: maskPhone(form.consumer_phone_number),
    smsOption: form.smsOption,
    emailOption: form.emailOption,
    paymentType: form.paymentType,
  };
}

/** The customer as finance names them: a company by its name when the form gives one, else the names typed. */
function customerOf(form: ValidatedPaymentForm): string | undefined {
  const names = [form.consumer_first_name, form.consumer_last_name].filter(Boolean).join(' ');
  return (form.consumerType === 1 ? form.social_reference : undefined) ?? (names || undefined);
}

function viewBase(ctx: LinkFlowContext, submission: LinkSubmission) {
  return { locale: ctx.config.locale, sandbox: ctx.sandbox, privateMetadata: submission.privateMetadata };
}

/** The form as the rep left it, with what went wrong above it and, for a field, under that field. */
function formAgain(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  banner: string,
  field?: InputField,
  note?: string,
) {
  const fieldNotes: Partial<Record<InputField, string>> | undefined = field && note ? { [field]: note } : undefined;
  return buildPaymentModal({
    ...viewBase(ctx, submission),
    paymentTypes: ctx.config.paymentTypes,
    values: submission.input,
    banner,
    ...(fieldNotes ? { fieldNotes } : {}),
  });
}

function buildRequest(ctx: LinkFlowContext, form: ValidatedPaymentForm, linkId: string): PaymentLinkRequest {
  return buildPaymentLinkRequest(form, {
    beneficiaryReference: ctx.beneficiaryReference,
    callbackUrl: buildCallbackUrl(ctx.publicUrl, linkId, ctx.config.callbackSecret),
    publicUrl: ctx.publicUrl,
    config: ctx.config,
  });
}

/**
 * Posts the link's summary where the rep asked, or by DM where the bot may not post, with the link's status
 * as the ledger has it (a notification may have come before the summary).
 */
async function postSummary(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  stored: SummarySource & { id: string },
  reported: ReportedStatus,
) {
  const status =
    paymentStatusLine({ ...reported, payment_type: stored.payment_type }, ctx.config.locale, ctx.timeZone) ??
    awaitingPaymentStatus(ctx.config.locale);
  const message = buildSummaryMessage(linkSummaryOf(ctx, stored), status);
  return postSummaryWhereAsked(ctx, submission.origin, message, stored.id);
}

/** Why the summary went to the rep's DM: no bot joins a DM between people; a channel may be closed to it. */
function whyNotPostedThere(locale: Locale, origin: ModalOrigin): string {
  const m = messagesFor(locale);
  return isDirectMessage(origin.channel) || origin.groupDm
    ? m.fallbackDmFromDirectMessage
    : m.fallbackDm(origin.channel);
}

/**
 * Posts the link in the summary's thread, or, when Slack does not take it there, sends it to the rep privately. Says
 * where the rep got it: `nowhere` when neither reached them.
 */
async function postLink(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  summary: PostedPlace,
  link: string,
): Promise<'in_thread' | 'privately' | 'nowhere'> {
  const { origin, form } = submission;
  const linkReply = buildLinkReply(ctx.config.locale, ctx.sandbox, link);
  try {
    await postMessage(ctx, summary.channel, linkReply, summary.threadTs);
  } catch (error) {
    ctx.logger.error({
      event: 'slack_post_failed',
      step: 'link_reply',
      error: slackErrorCode(error),
      payment_reference: form.payment_reference,
    });
    return (await sendToRep(ctx, origin, linkForRep(ctx, submission, link))) ? 'privately' : 'nowhere';
  }
  if (summary.inDirectMessage && origin.responseUrl) {
    const why = whyNotPostedThere(ctx.config.locale, origin);
    await respondQuietly(ctx, origin.responseUrl, linkForRep(ctx, submission, link, why));
  }
  return 'in_thread';
}

/**
 * Replaces the modal's content; when Slack will not (modal closed, Slack error), sends `fallback` to the rep. True
 * when the rep has it: the modal shows `view`, or `fallback` reached them.
 */
async function showInModal(
  ctx: LinkFlowContext,
  submission: LinkSubmission,
  view: types.ModalView,
  fallback: SlackMessage | undefined,
): Promise<boolean> {
  try {
    await ctx.slack.views.update({ view_id: submission.viewId, view });
    return true;
  } catch (error) {
    ctx.logger.warn({ event: 'views_update_failed', error: slackErrorCode(error) });
    return fallback !== undefined && (await sendToRep(ctx, submission.origin, fallback));
  }
}
