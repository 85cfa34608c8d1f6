import type { LinkRecord } from '../ledger/ledger.js';
import { type DirectMessageOutcome, type SlackDeliveryContext, sendDirectMessage } from '../slack/delivery.js';
import { slackRefusesApp } from '../slack/errors.js';
import type { SlackMessage } from '../slack/messages/link-messages.js';
import { linkLogFields } from './confirmed-links.js';
import { type KeepingLedgerWriteContext, releaseForLater } from './ledger-writes.js';

/**
 * DMs the rep about a link this round claimed, logging how it went (`handling` names the events). A DM Slack certainly
 * did not take is given back for a later round (`handling.release`); one it may have taken is not sent again.
 */
export async function sendClaimedNotice(
  ctx: SlackDeliveryContext & KeepingLedgerWriteContext,
  link: LinkRecord,
  message: SlackMessage,
  handling: { sent?: string; postponed: string; notSent: string; release: () => Promise<void> },
): Promise<DirectMessageOutcome> {
  const outcome = await sendDirectMessage(ctx, link.user_id, message);
  if (outcome.sent) {
    if (handling.sent) ctx.logger.info({ event: handling.sent, ...linkLogFields(link) });
    return outcome;
  }
  // Slack refusing paylink itself fails the round, which says so once an hour (roundGoesOnAfter), not a link a round.
  if (!slackRefusesApp(outcome.error)) {
    ctx.logger[outcome.mayTryAgain ? 'warn' : 'error']({
      event: outcome.mayTryAgain ? handling.postponed : handling.notSent,
      ...linkLogFields(link),
      error: outcome.error,
    });
  }
  if (outcome.mayTryAgain) {
    await releaseForLater(ctx, link.id, handling.release, `release:${handling.postponed}:${link.id}`);
  }
  return outcome;
}
