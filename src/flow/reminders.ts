import { formatDuration } from '../i18n/dates.js';
import type { LinkRecord } from '../ledger/ledger.js';
import { buildReminderMessage } from '../slack/messages/report-messages.js';
import { sendClaimedNotice } from './claimed-notice.js';
import type { KeepingLedgerWriteContext } from './ledger-writes.js';
import { type ReportFlowContext, reportContext } from './link-reports.js';
import {
  type ClaimsWorkedThrough,
  periodWithin,
  type RoundTimer,
  roundGoesOnAfter,
  startRounds,
  workThroughClaims,
} from './rounds.js';
import { recordLateWrites } from './status-updates.js';
import { threadPermalinks } from './thread-permalinks.js';

const SHORTEST_PERIOD_MS = 1_000;
const LONGEST_PERIOD_MS = 5 * 60_000;

/** A reminder Slack did not take is released for a later round, that write tried again should the ledger refuse it. */
type ReminderContext = ReportFlowContext & KeepingLedgerWriteContext;

/** How often due reminders are looked for: a tenth of the delay, between a second and five minutes. */
export function reminderPeriodMs(remindAfterMs: number): number {
  return periodWithin(remindAfterMs / 10, SHORTEST_PERIOD_MS, LONGEST_PERIOD_MS);
}

/** Looks for due reminders every `periodMs`, one round at a time. */
export function startReminders(ctx: ReminderContext, remindAfterMs: number, periodMs: number): RoundTimer {
  return startRounds({ name: 'reminders', periodMs, logger: ctx.logger, clock: ctx.clock }, (stopping) =>
    sendDueReminders(ctx, remindAfterMs, stopping),
  );
}

/**
 * One round: every link created `remindAfterMs` ago or more that still awaits payment and was never reminded
 * earns one DM to its rep. Each link is claimed in the ledger before its DM is sent, so that one instance only
 * sends it, once, across instances and restarts; a DM Slack certainly did not take is released for the next
 * round.
 */
async function sendDueReminders(
  ctx: ReminderContext,
  remindAfterMs: number,
  stopping: () => boolean,
): Promise<ClaimsWorkedThrough> {
  // A reminder's claim the ledger refused to give back (a DM Slack did not take) is given back first.
  await recordLateWrites(ctx);
  return workThroughClaims(stopping, async () => {
    const now = ctx.clock();
    const [link] = await ctx.ledger.claimDueReminders(new Date(now.getTime() - remindAfterMs), now, 1);
    if (link === undefined) return undefined;
    const permalinks = await threadPermalinks(ctx, [link], link.user_id);
    return () => remind(ctx, link, now, permalinks.get(link.id));
  });
}

/** True when the round goes on to the next link (roundGoesOnAfter). */
async function remind(ctx: ReminderContext, link: LinkRecord, claimedAt: Date, permalink?: string): Promise<boolean> {
  const age = formatDuration(new Date(link.created_at), claimedAt, ctx.config.locale);
  const outcome = await sendClaimedNotice(ctx, link, buildReminderMessage(reportContext(ctx), link, age, permalink), {
    sent: 'reminder_sent',
    postponed: 'reminder_postponed',
    notSent: 'reminder_not_sent',
    release: () => ctx.ledger.releaseReminder(link.id, claimedAt),
  });
  return roundGoesOnAfter(outcome);
}
