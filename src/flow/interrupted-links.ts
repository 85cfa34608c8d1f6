import type { LinkRecord } from '../ledger/ledger.js';
import { LEDGER_WAIT_MS } from '../ledger/open.js';
import { sendDirectMessage } from '../slack/delivery.js';
import { slackErrorCode } from '../slack/errors.js';
import { buildInterruptedMessage, buildInterruptedView } from '../slack/messages/report-messages.js';
import { viewIdOfSubmission } from '../slack/submission-key.js';
import { type ConfirmedLinkContext, confirmReportedLink } from './confirmed-links.js';
import { DEFAULT_LEDGER_RETRY_DELAYS_MS, releaseForLater } from './ledger-writes.js';
import { type ReportFlowContext, reportContext } from './link-reports.js';
import { type RoundTimer, startRounds, workThroughClaims } from './rounds.js';

/** The rep's notice needs what reports need; a link SAFEDEBIT already reported on gets its summary instead. */
type InterruptedLinkContext = ReportFlowContext & ConfirmedLinkContext;

/** Links reported on, whose summary Slack did not take, confirmed again per round. */
const REPORTED_BATCH = 50;
const SHORTEST_PERIOD_MS = 1_000;
const LONGEST_PERIOD_MS = 60_000;
/**
 * After a first round that looks at the whole ledger, rounds look only at links asked for this long before they
 * became abandoned: a round every minute at most finds them well within it, and the query stays small however
 * old the ledger. A link older than that still `requested` (no instance ran all that while) is found at the
 * next start.
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
  const retriesMs = ledgerRetryDelaysMs.reduce((sum, delayMs) => sum + delayMs, 0);
  // Each ledger call may itself wait that long: the claim (its created_at is taken before it waits), the answer's
  // write, the summary's place, then each retry of that last write.
  const triesMs = (ledgerRetryDelaysMs.length + 3) * LEDGER_WAIT_MS;
  return 2 * safedebitTimeoutMs + retriesMs + triesMs + 5_000;
}

/** How often interrupted links are looked for: half the abandonment delay, between a second and a minute. */
export function interruptedLinksPeriodMs(safedebitTimeoutMs: number): number {
  return Math.min(LONGEST_PERIOD_MS, Math.max(SHORTEST_PERIOD_MS, abandonedAfterMs(safedebitTimeoutMs) / 2));
}

/** Looks for interrupted links at start, then every `periodMs`, one round at a time. */
export function startInterruptedLinkChecks(
  ctx: InterruptedLinkContext,
  safedebitTimeoutMs: number,
  periodMs: number,
): RoundTimer {
  let wholeLedgerSeen = false;
  return startRounds({ name: 'interrupted_links', periodMs, firstAfterMs: 0, logger: ctx.logger }, async (stopping) => {
    await noticeInterruptedLinks(
      ctx,
      {
        abandonedAfterMs: abandonedAfterMs(safedebitTimeoutMs, ctx.ledgerRetryDelaysMs),
        ...(wholeLedgerSeen ? { lookBackMs: LOOK_BACK_MS } : {}),
      },
      stopping,
    );
    wholeLedgerSeen = true;
    await confirmLinksReportedOn(ctx, stopping);
  });
}

/**
 * One round: every link asked of SAFEDEBIT `abandonedAfterMs` ago or more whose answer was never recorded (the
 * instance asking stopped: a crash, a kill) becomes `interrupted`, and its rep gets one DM saying which link and
 * how to find out whether it exists. Each link is claimed in the ledger first, so one instance sends the DM,
 * once; a DM Slack certainly did not take is released for the next round. Resolves with how many DMs were sent.
 */
async function noticeInterruptedLinks(
  ctx: InterruptedLinkContext,
  options: { abandonedAfterMs: number; lookBackMs?: number },
  stopping: () => boolean = () => false,
): Promise<number> {
  return workThroughClaims(stopping, async () => {
    const upTo = new Date(ctx.clock().getTime() - options.abandonedAfterMs);
    const from = options.lookBackMs === undefined ? {} : { from: new Date(upTo.getTime() - options.lookBackMs) };
    const [link] = await ctx.ledger.claimInterruptedLinks({ ...from, upTo }, 1);
    return link && (() => notice(ctx, link));
  });
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
  const fields = { link: link.id, user: link.user_id, payment_reference: link.payment_reference };
  ctx.logger.warn({ event: 'link_interrupted', ...fields, created_at: link.created_at });
  await showInModal(ctx, link);
  const outcome = await sendDirectMessage(ctx, link.user_id, buildInterruptedMessage(reportContext(ctx), link));
  if (outcome.sent) {
    ctx.logger.info({ event: 'interrupted_notice_sent', ...fields });
    return true;
  }
  ctx.logger[outcome.mayTryAgain ? 'warn' : 'error']({
    event: outcome.mayTryAgain ? 'interrupted_notice_postponed' : 'interrupted_notice_not_sent',
    ...fields,
    error: outcome.error,
  });
  if (outcome.mayTryAgain) await releaseForLater(ctx, link.id, () => ctx.ledger.releaseInterruptedLink(link.id));
  return false;
}

/** A rep still looking at the modal reads there what the DM says; a modal closed since is no longer Slack's to update. */
async function showInModal(ctx: InterruptedLinkContext, link: LinkRecord): Promise<void> {
  try {
    const view = buildInterruptedView(reportContext(ctx), link);
    await ctx.slack.views.update({ view_id: viewIdOfSubmission(link.submission_key), view });
  } catch (error) {
    ctx.logger.info({ event: 'interrupted_modal_not_updated', link: link.id, error: slackErrorCode(error) });
  }
}
