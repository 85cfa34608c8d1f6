import type { types } from '@slack/bolt';
import type { LinkRecord, LinkWithAddress } from '../ledger/ledger.js';
import { LEDGER_WAIT_MS } from '../ledger/open.js';
import { PAYMENT_REFERENCE_USED } from '../safedebit/error-catalog.js';
import { directMessageChannel, postMessage } from '../slack/delivery.js';
import { slackErrorCode } from '../slack/errors.js';
import type { SlackMessage } from '../slack/messages/link-messages.js';
import {
  buildAnnouncedLateReply,
  buildInterruptedMessage,
  buildInterruptedView,
  buildLateLinkMessage,
  buildLateLinkReply,
  buildLateLinkView,
  buildUntoldOutcomeMessage,
  buildUntoldOutcomeView,
} from '../slack/messages/report-messages.js';
import { modalKeyPrefix, viewIdOfSubmission } from '../slack/submission-key.js';
import { LONGEST_CALL_MS } from '../slack/web-api.js';
import { sendClaimedNotice } from './claimed-notice.js';
import {
  type ConfirmedLinkContext,
  confirmReportedLink,
  currentSummaryOf,
  linkLogFields,
  showStatusesSoFar,
  startSummaryThread,
} from './confirmed-links.js';
import { DEFAULT_LEDGER_RETRY_DELAYS_MS } from './ledger-writes.js';
import { type ReportFlowContext, reportContext } from './link-reports.js';
import { referenceUsedNote } from './reference-used.js';
import {
  type ClaimsWorkedThrough,
  periodWithin,
  type RoundTimer,
  roundGoesOnAfter,
  startRounds,
  workThroughClaims,
} from './rounds.js';
import { recordLateWrites } from './status-updates.js';

/** The rep's notice needs what reports need; a link SAFEDEBIT already reported on gets its summary instead. */
type InterruptedLinkContext = ReportFlowContext & ConfirmedLinkContext;

/** Links reported on, whose summary Slack did not take, confirmed again per round. */
const REPORTED_BATCH = 50;
const SHORTEST_PERIOD_MS = 1_000;
const LONGEST_PERIOD_MS = 60_000;
/**
 * After a first look that runs out of links over the whole ledger, looks go back only this long before the last look
 * that ran out, and the whole ledger is looked at again this often: the query stays small however old the ledger, and
 * a look cut short (a DM Slack put off, the ledger failing, for hours) keeps its lower bound where it was, so a link
 * released for later is never left behind. A link older than that still `requested`, or never given to its rep (no
 * instance ran all that while), is found at the next whole look.
 */
const LOOK_BACK_MS = 60 * 60_000;

/**
 * How long after its claim a link still `requested` has surely been abandoned: its flow waits for SAFEDEBIT at
 * most `safedebitTimeoutMs`, then records the answer at once, and when the ledger refuses that write, tries it
 * again after each of `ledgerRetryDelaysMs`, every ledger call waiting up to LEDGER_WAIT_MS. Twice the timeout, those
 * waits and 5 s more leave room for a stalled event loop, so a link still being created is not taken for an interrupted one.
 */
export function abandonedAfterMs(
  safedebitTimeoutMs: number,
  ledgerRetryDelaysMs: readonly number[] = DEFAULT_LEDGER_RETRY_DELAYS_MS,
): number {
  // Each ledger call may itself wait LEDGER_WAIT_MS: the claim (its created_at is taken before it waits), the answer's
  // write, then the summary's place and each retry of that last write.
  return 2 * safedebitTimeoutMs + 2 * LEDGER_WAIT_MS + retriedWriteMs(ledgerRetryDelaysMs) + 5_000;
}

/** The longest a ledger write refused at first can take: its tries, each waiting up to LEDGER_WAIT_MS, and the waits between. */
function retriedWriteMs(ledgerRetryDelaysMs: readonly number[]): number {
  const retriesMs = ledgerRetryDelaysMs.reduce((sum, delayMs) => sum + delayMs, 0);
  return retriesMs + (ledgerRetryDelaysMs.length + 1) * LEDGER_WAIT_MS;
}

/**
 * Slack calls the link flow may make one after the other between recording SAFEDEBIT's link and the write that says
 * the rep has it: the summary where asked, then `conversations.open` and the summary in the rep's DM, the link in its
 * thread, then, that post failing, the `response_url`, `conversations.open` and the DM of sendToRep (or, with no
 * summary at all, those three and the modal's `views.update`). An instance of the release before waits as long: no
 * call may be added before that write.
 */
const SLACK_CALLS_BEFORE_DELIVERY = 7;

/**
 * How long after its claim a link SAFEDEBIT made, never given to its rep, has surely been left by a flow that stopped:
 * the abandonment delay (SAFEDEBIT's answer and the flow's ledger writes), and each Slack call the flow may make before
 * the rep has the link taking as long as one can (LONGEST_CALL_MS: Slack's rate limits waited out), about 40 minutes.
 * A flow still waiting on Slack is not taken for a stopped one, so a link on its way to its rep is not sent twice.
 */
export function undeliveredAfterMs(
  safedebitTimeoutMs: number,
  ledgerRetryDelaysMs: readonly number[] = DEFAULT_LEDGER_RETRY_DELAYS_MS,
): number {
  return abandonedAfterMs(safedebitTimeoutMs, ledgerRetryDelaysMs) + SLACK_CALLS_BEFORE_DELIVERY * LONGEST_CALL_MS;
}

/**
 * How long after its claim a link whose summary was recorded as posted without the link reaching the rep has surely
 * been left by a flow that stopped: the flow then tries the modal (a Slack call as long as one can be), waits for
 * SAFEDEBIT's answer to be recorded, and records that the modal showed the link (two writes with their retries).
 * About 41 minutes. Only this release claims these links (undelivered_to_rep 2): the release before's delay is not
 * theirs.
 */
export function linkAloneAfterMs(
  safedebitTimeoutMs: number,
  ledgerRetryDelaysMs: readonly number[] = DEFAULT_LEDGER_RETRY_DELAYS_MS,
): number {
  return (
    undeliveredAfterMs(safedebitTimeoutMs, ledgerRetryDelaysMs) +
    LONGEST_CALL_MS +
    2 * retriedWriteMs(ledgerRetryDelaysMs)
  );
}

/** How often interrupted links are looked for: half the abandonment delay, between a second and a minute. */
export function interruptedLinksPeriodMs(safedebitTimeoutMs: number): number {
  return periodWithin(abandonedAfterMs(safedebitTimeoutMs) / 2, SHORTEST_PERIOD_MS, LONGEST_PERIOD_MS);
}

/**
 * Looks at start, then every `periodMs`, one round at a time, for links an instance left unfinished: interrupted
 * links, links reported on whose summary Slack did not take, links made or confirmed that their rep was never given,
 * and refusals and outages their rep was never told of.
 */
export function startInterruptedLinkChecks(
  ctx: InterruptedLinkContext,
  safedebitTimeoutMs: number,
  periodMs: number,
): RoundTimer {
  const interrupted = lookBack(ctx, abandonedAfterMs(safedebitTimeoutMs, ctx.ledgerRetryDelaysMs));
  const undeliveredAfter = undeliveredAfterMs(safedebitTimeoutMs, ctx.ledgerRetryDelaysMs);
  const undelivered = lookBack(ctx, undeliveredAfter);
  const linksAlone = lookBack(ctx, linkAloneAfterMs(safedebitTimeoutMs, ctx.ledgerRetryDelaysMs));
  const untold = lookBack(ctx, undeliveredAfter);
  return startRounds(
    { name: 'interrupted_links', periodMs, firstAfterMs: 0, logger: ctx.logger, clock: ctx.clock },
    async (stopping) => {
      // What this instance did or learnt but could not record is recorded first, and the links the ledger still refuses
      // it for are left alone: a link SAFEDEBIT answered for is not taken for an interrupted one, nor a link its rep has
      // for one never given. Each link below is claimed in the ledger before it is handled, so one instance handles
      // it, once; a DM Slack certainly did not take is released for a later round.
      await recordLateWrites(ctx);
      // Asked of SAFEDEBIT, its answer never recorded (the instance asking stopped: a crash, a kill): `interrupted`,
      // its rep told in one DM which link it was and how to find out whether it exists.
      await interrupted.look((window) =>
        workThroughLinks(
          ctx,
          stopping,
          (skip) => ctx.ledger.claimInterruptedLinks(window, 1, skip),
          (link) => notice(ctx, link),
        ),
      );
      await confirmLinksReportedOn(ctx, stopping);
      // Made by SAFEDEBIT, never given to its rep (the instance stopped before posting its summary or sending it
      // privately, while SAFEDEBIT may have sent it to the customer): announced in their DM with why it comes late and
      // the link in its thread; its summary posted where the rep asked, the link alone in their DM.
      for (const [look, summaryPosted] of [
        [undelivered, false],
        [linksAlone, true],
      ] as const) {
        await look.look((window) =>
          workThroughLinks(
            ctx,
            stopping,
            (skip) => ctx.ledger.claimUndeliveredLinks(window, 1, skip, summaryPosted),
            (link) => deliverLate(ctx, link),
          ),
        );
      }
      // A refusal or an outage its rep was never told of (the instance recording it stopped before telling them):
      // told in their DM, and in the modal if still open; the same delay as for a link, since a flow tells its rep
      // after recording it.
      await untold.look((window) =>
        workThroughLinks(
          ctx,
          stopping,
          (skip) => ctx.ledger.claimUntoldOutcomes(window, 1, skip),
          (link) => tellOutcomeLate(ctx, link),
        ),
      );
      // Confirmed by a notification, never announced (the instance announcing it stopped before its summary's place was
      // recorded): announced in the rep's DM with where its address is, not where the rep asked, where the stopped
      // instance may have posted it unrecorded. The announcing instance waits on Slack as a link's flow does: the same
      // delay, after the confirmation.
      const confirmedUpTo = new Date(ctx.clock().getTime() - undeliveredAfter);
      await workThroughLinks(
        ctx,
        stopping,
        (skip) => ctx.ledger.claimUnannouncedLinks(confirmedUpTo, 1, skip),
        (link) => announceLate(ctx, link),
      );
    },
  );
}

/**
 * The claims to look at, round after round, for links left `leftAfterMs` after their claim: all of them up to then
 * until a look runs out of links, then those from LOOK_BACK_MS before the last look that ran out. A look cut short (a
 * DM Slack did not take, the timer stopping, the ledger failing) leaves links unseen or released for later, so it
 * moves nothing. A look that ran out did not see the links another instance held then, which that instance may
 * release and leave behind (scaled in): the whole ledger is looked at again once LOOK_BACK_MS has passed since the last
 * such look ran out.
 */
function lookBack(ctx: InterruptedLinkContext, leftAfterMs: number) {
  let ranOutUpTo: Date | undefined;
  let wholeLedgerRanOutAt = Number.NEGATIVE_INFINITY;
  return {
    async look(claimIn: (window: { from?: Date; upTo: Date }) => Promise<ClaimsWorkedThrough>): Promise<void> {
      const now = ctx.clock().getTime();
      const upTo = new Date(now - leftAfterMs);
      const from =
        ranOutUpTo && now - wholeLedgerRanOutAt < LOOK_BACK_MS
          ? new Date(ranOutUpTo.getTime() - LOOK_BACK_MS)
          : undefined;
      if (!(await claimIn(from ? { from, upTo } : { upTo })).ranOut) return;
      ranOutUpTo = upTo;
      if (!from) wholeLedgerRanOutAt = now;
    },
  };
}

/**
 * Links whose answer never reached paylink that SAFEDEBIT reported on, but whose summary Slack did not take when the
 * report came (it was out of reach): confirmed again, up to a batch a round, until Slack takes one no more.
 */
async function confirmLinksReportedOn(ctx: InterruptedLinkContext, stopping: () => boolean): Promise<void> {
  for (const linkId of await ctx.ledger.reportedUnansweredLinks(REPORTED_BATCH)) {
    if (stopping() || (await confirmReportedLink(ctx, linkId)).kind === 'postponed') return;
  }
}

async function notice(ctx: InterruptedLinkContext, link: LinkRecord): Promise<boolean> {
  if (link.payment_status !== null) {
    // SAFEDEBIT sent a notification while the link was being created: it exists, and its rep is told so instead. Put
    // back `interrupted` when Slack did not take its summary, it is confirmed again at a later round.
    return (await confirmReportedLink(ctx, link.id)).kind === 'confirmed';
  }
  await showInOpenModal(ctx, link, buildInterruptedView(reportContext(ctx), link), 'interrupted_modal_not_updated');
  const outcome = await sendClaimedNotice(ctx, link, buildInterruptedMessage(reportContext(ctx), link), {
    sent: 'interrupted_notice_sent',
    postponed: 'interrupted_notice_postponed',
    notSent: 'interrupted_notice_not_sent',
    release: () => ctx.ledger.releaseInterruptedLink(link.id),
  });
  // Once per link: one whose DM is put off is given back (`requested`) and found again by a later round, which logs it.
  if (outcome.sent || !outcome.mayTryAgain) {
    ctx.logger.warn({ event: 'link_interrupted', ...linkLogFields(link), created_at: link.created_at });
  }
  return roundGoesOnAfter(outcome);
}

/**
 * A link its rep never got: in the modal if still open, and announced in their DM with the link in its thread; or, its
 * summary posted where the rep asked, the link by itself in their DM (the summary stays where its statuses go).
 */
async function deliverLate(ctx: InterruptedLinkContext, link: LinkWithAddress): Promise<boolean> {
  const view = buildLateLinkView(reportContext(ctx), link);
  if (link.summary_ts !== null) {
    return tellLate(ctx, link, view, buildLateLinkMessage(reportContext(ctx), link), {
      told: 'link_delivered_late',
      modalNotUpdated: 'late_link_modal_not_updated',
      postponed: 'late_link_postponed',
      notSent: 'late_link_not_sent',
      release: () => ctx.ledger.releaseUndeliveredLink(link.id, true),
    });
  }
  await showInOpenModal(ctx, link, view, 'late_link_modal_not_updated');
  return announceInDirectMessage(ctx, link, buildLateLinkReply(reportContext(ctx), link), {
    delivered: { event: 'link_delivered_late', created_at: link.created_at },
    postponed: 'late_link_postponed',
    notSent: 'late_link_not_sent',
    linkApart: buildLateLinkMessage(reportContext(ctx), link),
  });
}

/**
 * A refusal or an outage its rep was never told of: in the modal if still open, and in their DM, as the modal would
 * have said it (a payment reference already used names the link holding it, not to be made twice).
 */
async function tellOutcomeLate(ctx: InterruptedLinkContext, link: LinkRecord): Promise<boolean> {
  // Submitted again from the same modal: the rep saw the form given back with this outcome (Slack showed it, its answer
  // lost). Their modal now shows what became of the later submission, which this must not replace.
  if (await ctx.ledger.submittedAgain(modalKeyPrefix(link.submission_key), link.created_at)) {
    ctx.logger.info({ event: 'outcome_seen_in_form', ...linkLogFields(link) });
    return true;
  }
  const referenceHeld =
    link.state === 'refused' && link.state_detail === PAYMENT_REFERENCE_USED
      ? await referenceUsedNote(ctx, link.payment_reference, link.id)
      : undefined;
  return tellLate(
    ctx,
    link,
    buildUntoldOutcomeView(reportContext(ctx), link, referenceHeld),
    buildUntoldOutcomeMessage(reportContext(ctx), link, referenceHeld),
    {
      told: 'outcome_told_late',
      modalNotUpdated: 'untold_outcome_modal_not_updated',
      postponed: 'outcome_notice_postponed',
      notSent: 'outcome_notice_not_sent',
      release: () => ctx.ledger.releaseUndeliveredLink(link.id),
    },
  );
}

/**
 * Tells the rep late of a link this round claimed: `view` in the modal if still open, and `message` in their DM, logged
 * `events.told` (a warning naming the link) once sent; one Slack certainly did not take is given back for a later round.
 */
async function tellLate(
  ctx: InterruptedLinkContext,
  link: LinkRecord,
  view: types.ModalView,
  message: SlackMessage,
  events: { told: string; modalNotUpdated: string; postponed: string; notSent: string; release: () => Promise<void> },
): Promise<boolean> {
  await showInOpenModal(ctx, link, view, events.modalNotUpdated);
  const outcome = await sendClaimedNotice(ctx, link, message, events);
  if (outcome.sent) {
    ctx.logger.warn({ event: events.told, ...linkLogFields(link), state: link.state, created_at: link.created_at });
  }
  return roundGoesOnAfter(outcome);
}

/** A confirmed link its rep never heard of: announced in their DM, with why and where its address is in its thread. */
async function announceLate(ctx: InterruptedLinkContext, link: LinkRecord): Promise<boolean> {
  return announceInDirectMessage(ctx, link, buildAnnouncedLateReply(reportContext(ctx), link), {
    delivered: { event: 'confirmed_link_delivered_late', confirmed_at: link.confirmed_at },
    postponed: 'late_confirmed_link_postponed',
    notSent: 'late_confirmed_link_not_sent',
  });
}

/**
 * Announces a link this round claimed as any link is, in its rep's DM with paylink rather than where they asked (the
 * stopped instance may have posted there without recording it): its summary, `whyLate` in its thread, its place
 * recorded so that its statuses follow there, and those that came meanwhile shown. The summary posted is logged
 * `events.delivered` (a warning naming the link); one Slack certainly did not take is given back for a later round.
 * When `whyLate` carries the link and Slack did not post it, `events.linkApart` brings the link instead; should neither
 * reach the rep, the summary's place says so, and a later round sends the link by itself.
 */
async function announceInDirectMessage(
  ctx: InterruptedLinkContext,
  link: LinkRecord,
  whyLate: SlackMessage,
  events: {
    delivered: { event: string; [field: string]: unknown };
    postponed: string;
    notSent: string;
    linkApart?: SlackMessage;
  },
): Promise<boolean> {
  const outcome = await sendClaimedNotice(ctx, link, currentSummaryOf(ctx, link), {
    postponed: events.postponed,
    notSent: events.notSent,
    release: () => ctx.ledger.releaseUndeliveredLink(link.id),
  });
  const { linkApart } = events;
  if (outcome.sent) {
    ctx.logger.warn({ ...events.delivered, ...linkLogFields(link) });
    const place = { channel: outcome.channel, ts: outcome.ts, threadTs: outcome.ts };
    const sendApart = linkApart && (() => sendLinkApart(ctx, link, linkApart, outcome.channel));
    await startSummaryThread(ctx, link, place, whyLate, 'late_link_reply', sendApart);
    await showStatusesSoFar(ctx, link.id);
  } else if (!outcome.mayTryAgain && linkApart) {
    // The summary may be in the DM (a timeout, a 504), never its link, and it is not posted again: the link by itself,
    // as the link flow gives it privately when its summary fails.
    await sendLinkApart(ctx, link, linkApart);
  }
  return roundGoesOnAfter(outcome);
}

/**
 * The link by itself in the rep's DM (`channel`, when opened), below its summary, when Slack did not post the reply
 * carrying it in the summary's thread, or may have posted the summary without it: as the link flow sends it privately
 * when its thread reply fails. Once with no state of its own (the round's
 * claim makes the announcement it is part of once), right then, whatever the failure: after a timeout the reply may be
 * there too, the link then twice in the rep's own DM, which misleads no one, where none would leave them without it.
 * False, logged, when Slack did not take it either, or may not have: a later round sends the link by itself again.
 */
async function sendLinkApart(
  ctx: InterruptedLinkContext,
  link: LinkRecord,
  linkApart: SlackMessage,
  channel?: string,
): Promise<boolean> {
  try {
    await postMessage(ctx, channel ?? (await directMessageChannel(ctx, link.user_id)), linkApart);
    ctx.logger.info({ event: 'late_link_sent_apart', ...linkLogFields(link) });
    return true;
  } catch (error) {
    ctx.logger.error({
      event: 'slack_post_failed',
      step: 'late_link_apart',
      error: slackErrorCode(error),
      link: link.id,
    });
    return false;
  }
}

/**
 * Works through the links `claimOne` claims, one at a time (see workThroughClaims), handling each with `handle`. The
 * claim is given the links this instance keeps a write about, to leave alone: the ledger does not know yet what
 * became of them.
 */
function workThroughLinks<Link>(
  ctx: InterruptedLinkContext,
  stopping: () => boolean,
  claimOne: (skip: readonly string[]) => Promise<Link[]>,
  handle: (link: Link) => Promise<boolean>,
): Promise<ClaimsWorkedThrough> {
  return workThroughClaims(stopping, async () => {
    const [link] = await claimOne(linksWithUnrecordedWrites(ctx));
    return link && (() => handle(link));
  });
}

function linksWithUnrecordedWrites(ctx: InterruptedLinkContext): string[] {
  return [...new Set(Array.from(ctx.unrecordedWrites.values(), (write) => write.link))];
}

/** A rep still looking at the modal reads there what the DM says; a modal closed since is no longer Slack's to update. */
async function showInOpenModal(
  ctx: InterruptedLinkContext,
  link: LinkRecord,
  view: types.ModalView,
  notUpdated: string,
): Promise<void> {
  try {
    await ctx.slack.views.update({ view_id: viewIdOfSubmission(link.submission_key), view });
  } catch (error) {
    ctx.logger.info({ event: notUpdated, link: link.id, error: slackErrorCode(error) });
  }
}
