import type { Config } from '../config.js';
import { madeBySandbox } from '../domain/sandbox-link.js';
import { messagesFor, sandboxed } from '../i18n/messages.js';
import type { LinkRecord, SummaryPlace } from '../ledger/ledger.js';
import { UNANSWERED_STATES } from '../ledger/schema.js';
import { postMessage, postSummaryWhereAsked, sendDirectMessage } from '../slack/delivery.js';
import { slackErrorCode } from '../slack/errors.js';
import { awaitingPaymentStatus, buildSummaryMessage, type SlackMessage } from '../slack/messages/link-messages.js';
import { buildConfirmedUnannouncedMessage } from '../slack/messages/report-messages.js';
import { paymentStatusLine } from '../slack/messages/status-messages.js';
import { slackMayHaveActed } from '../slack/web-api.js';
import { releaseForLater, retryOrKeepForRounds, tryLedgerWrite } from './ledger-writes.js';
import { reportContext } from './link-reports.js';
import { linkSummaryOf, type StatusUpdateContext, showPendingStatuses, unrecordedDelivery } from './status-updates.js';

export interface ConfirmedLinkContext extends StatusUpdateContext {
  config: Pick<Readonly<Config>, 'locale'>;
}

/**
 * What became of a confirmation: done; not one (the link was not waiting for it, or another caller confirmed it); or
 * put back, Slack having surely not posted its summary, for a later notification or round to do again.
 */
export type Confirmation = { kind: 'confirmed' } | { kind: 'not_waiting' } | { kind: 'postponed'; error: string };

/**
 * A link whose creation was interrupted (paylink stopped before SAFEDEBIT's answer was recorded), or whose answer
 * was an outage (lost, cut off, unreadable), and that SAFEDEBIT has since sent a notification for: it exists.
 * Claimed in the ledger, so that one instance does this once, it becomes a created link and gets the summary any
 * link gets, where the rep asked, with a first reply in its thread saying why its address is missing. Its status
 * replies follow from deliverStatusUpdates, as for any link.
 */
export async function announceConfirmedLink(ctx: ConfirmedLinkContext, linkId: string): Promise<Confirmation> {
  const before = await ctx.ledger.findLink(linkId);
  if (before === undefined || !UNANSWERED_STATES.includes(before.state)) return { kind: 'not_waiting' };
  const link = await ctx.ledger.confirmUnansweredLink(linkId, ctx.clock());
  if (link === undefined) return { kind: 'not_waiting' };
  const fields = linkLogFields(link);
  const origin = {
    channel: link.origin_channel,
    user: link.user_id,
    ...(link.origin_thread_ts === null ? {} : { threadTs: link.origin_thread_ts }),
  };
  const summary = await postSummaryWhereAsked(ctx, origin, currentSummaryOf(ctx, link), link.id);
  if (summary.place === undefined && summary.mayTryAgain) {
    // Slack surely did not post it: confirmed again later, by a redelivery or the interrupted-links round, rather than
    // left created with no summary for good.
    await releaseForLater(
      ctx,
      link.id,
      () => ctx.ledger.unconfirmLink(link.id, before),
      `release:confirmation:${link.id}`,
    );
    ctx.logger.warn({ event: 'link_confirmation_postponed', ...fields, error: slackErrorCode(summary.error) });
    return { kind: 'postponed', error: slackErrorCode(summary.error) };
  }
  ctx.logger.info({ event: 'link_confirmed', ...fields, status: link.payment_status });
  if (summary.place === undefined) {
    // Slack refused it, or may have posted it (a timeout; logged): not posted again, nor DMd later as a link whose
    // announcement paylink stopped in, but its rep is told. Told first: should this instance stop before the write, the
    // round still announces the link.
    await tellRepSummaryNotPosted(ctx, link, summary.error);
    await recordDelivery(ctx, link.id, 'no_late_delivery', () => ctx.ledger.forgoLateDelivery(link.id));
    return { kind: 'confirmed' };
  }
  const addressUnknown = messagesFor(ctx.config.locale).linkAddressUnknown[addressLostBy(link)];
  const firstReply = { text: sandboxed(addressUnknown, madeBySandbox(link)) };
  await startSummaryThread(ctx, link, summary.place, firstReply, 'link_address_unknown');
  return { kind: 'confirmed' };
}

/**
 * A confirmed link whose summary Slack refused, or may have posted (a timeout), gets no second summary: where the rep
 * asked it could stand beside the first, and in their DM it would be the link twice, with statuses under neither. Its
 * rep gets one DM instead, a notice and no summary: naming the link and where it stands, it reads true whether or not a
 * summary is somewhere (after a timeout it says one may be, its statuses not following), and it points to App Home and
 * `/paylink status`, which keep up with them. One Slack did not take is not sent again (logged): those still show it.
 */
async function tellRepSummaryNotPosted(ctx: ConfirmedLinkContext, link: LinkRecord, error: unknown): Promise<void> {
  const how = slackMayHaveActed(error) ? 'unanswered' : 'refused';
  const notice = buildConfirmedUnannouncedMessage(reportContext(ctx), link, how);
  const outcome = await sendDirectMessage(ctx, link.user_id, notice);
  const fields = { ...linkLogFields(link), summary: how };
  if (outcome.sent) ctx.logger.info({ event: 'confirmed_link_notice_sent', ...fields });
  else ctx.logger.error({ event: 'confirmed_link_notice_not_sent', ...fields, error: outcome.error });
}

/** A stored link's summary, its status line saying where the link stands now. */
export function currentSummaryOf(ctx: ConfirmedLinkContext, link: LinkRecord): SlackMessage {
  const status = paymentStatusLine(link, ctx.config.locale, ctx.timeZone) ?? awaitingPaymentStatus(ctx.config.locale);
  return buildSummaryMessage(linkSummaryOf(ctx, link), status);
}

/**
 * What follows a stored link's summary once Slack has posted it: `firstReply` in its thread, saying why it comes as it
 * does (a failure logged as `step`: the thread goes on without it), then the summary's place recorded, so
 * that every status of the link follows in that thread. Unrecorded, the place would leave them out of it: tried again,
 * then kept for the rounds; should the ledger stay out of reach, App Home and the export still show the link's status.
 * When `firstReply` carries the link, `linkApart` brings it some other way if Slack did not post the reply, or may not
 * have, and says whether Slack took it: if not, the place is recorded as a summary whose link the rep has not, for a
 * later round to send it by itself.
 */
export async function startSummaryThread(
  ctx: ConfirmedLinkContext,
  link: LinkRecord,
  place: SummaryPlace,
  firstReply: SlackMessage,
  step: string,
  linkApart?: () => Promise<boolean>,
): Promise<void> {
  let repHasLink = true;
  try {
    await postMessage(ctx, place.channel, firstReply, place.threadTs);
  } catch (error) {
    ctx.logger.warn({ event: 'slack_post_failed', step, error: slackErrorCode(error), link: link.id });
    if (linkApart) repHasLink = await linkApart();
  }
  await recordDelivery(ctx, link.id, 'summary', () =>
    ctx.ledger.recordSummary(link.id, place, link.payment_status, link.link, repHasLink),
  );
}

/**
 * A write saying a confirmed link's rep has it, or is not to get it late: tried again as the link flow does (logged),
 * then kept for the rounds, so that no round takes the link for one paylink stopped while announcing and DMs its rep.
 */
async function recordDelivery(
  ctx: ConfirmedLinkContext,
  linkId: string,
  step: string,
  record: () => Promise<unknown>,
): Promise<void> {
  const what = { step, link: linkId };
  if (!(await tryLedgerWrite(ctx, what, record)).ok) {
    await retryOrKeepForRounds(ctx, what, record, unrecordedDelivery(linkId));
  }
}

/**
 * A link whose answer never reached paylink but that SAFEDEBIT reported on, found by a flow or a round: confirmed as
 * announceConfirmedLink does, then the statuses that came meanwhile shown in its thread, and App Home drawn again.
 */
export async function confirmReportedLink(ctx: ConfirmedLinkContext, linkId: string): Promise<Confirmation> {
  const confirmation = await announceConfirmedLink(ctx, linkId);
  if (confirmation.kind === 'confirmed') await showStatusesSoFar(ctx, linkId);
  return confirmation;
}

/**
 * Once a link announced late has its summary: the statuses that came meanwhile shown in its thread, App Home drawn
 * again.
 */
export async function showStatusesSoFar(ctx: ConfirmedLinkContext, linkId: string): Promise<void> {
  await showPendingStatuses(ctx, linkId);
  await ctx.homeTabs.refreshAfterStatusChange(linkId);
}

/** Why a confirmed link's address never reached paylink: its state before it was confirmed. */
function addressLostBy(link: LinkRecord): 'interrupted' | 'outage' {
  return link.state_detail === 'outage' ? 'outage' : 'interrupted';
}

/** What a log line says of a link a round handles: which link, whose, and its reference. */
export function linkLogFields(link: LinkRecord) {
  return { link: link.id, user: link.user_id, payment_reference: link.payment_reference };
}
