import { createHash } from 'node:crypto';
import { classifyStatus, type StatusKind, statusProgress } from '../domain/payment-status.js';
import { errorCodeOrMessage } from '../http/transport-errors.js';
import { announceConfirmedLink, type Confirmation, type ConfirmedLinkContext } from './confirmed-links.js';
import { deliverStatusUpdates, type StatusUpdateOutcome } from './status-updates.js';

export interface ReceivedStatus {
  /** The status as sent. */
  status: string;
  paymentId?: string;
}

/** What became of a notification, and whether App Home is to be drawn again for those who opened it. */
export interface AcceptedNotification {
  /** Whether the ledger had not kept it before; unknown when the ledger failed to record it. */
  isNew: boolean | undefined;
  kind: StatusKind | 'unknown';
  outcome: StatusUpdateOutcome;
  redrawHome: boolean;
}

/**
 * A payment notification for a ledger link: kept in the ledger (a repeat, to this instance or another, before
 * or after a restart, is recognised by its key), then shown in Slack if the link's summary exists yet. For a link
 * whose creation was interrupted, it shows that the link exists: the link gets its summary now. App Home is left to
 * the caller (`redrawHome`), to draw once SAFEDEBIT is answered: one views.publish per viewer, each of which may wait
 * out a rate limit, decides nothing SAFEDEBIT is told.
 */
export async function acceptPaymentNotification(
  ctx: ConfirmedLinkContext,
  linkId: string,
  received: ReceivedStatus,
): Promise<AcceptedNotification> {
  const status = classifyStatus(received.status);
  const kind = status.known ? status.kind : 'unknown';
  // A notification kept before the ledger failed is the link's status already: App Home shows it, if it can be read.
  const ledgerFailed = (isNew: boolean | undefined, kept: boolean, error: unknown): AcceptedNotification => ({
    isNew,
    kind,
    outcome: { kind: 'ledger_unavailable', error: errorCodeOrMessage(error) },
    redrawHome: kept,
  });
  let isNew: boolean;
  try {
    isNew = await ctx.ledger.recordNotification({
      linkId,
      dedupeKey: notificationKey(linkId, status.known ? status.status : status.raw.toUpperCase(), received.paymentId),
      status: received.status,
      rank: statusProgress(status),
      ...(received.paymentId === undefined ? {} : { paymentId: received.paymentId }),
      receivedAt: ctx.clock(),
    });
  } catch (error) {
    // Not kept: only a redelivery can bring it back. Whether it was kept before is unknown.
    return ledgerFailed(undefined, false, error);
  }
  // Whether new or a repeat: a repeat may come after an attempt cut short by a failure (App Home's draw included).
  let confirmation: Confirmation;
  try {
    confirmation = await announceConfirmedLink(ctx, linkId);
  } catch (error) {
    // Only its ledger calls can fail (Slack's failures are handled inside): kept, the redelivery confirms it.
    return ledgerFailed(isNew, true, error);
  }
  if (confirmation.kind === 'postponed') {
    // Kept, and confirmed again by a redelivery or the interrupted-links round.
    return { isNew, kind, outcome: { kind: 'slack_unavailable', error: confirmation.error }, redrawHome: true };
  }
  const outcome = await deliverStatusUpdates(ctx, linkId);
  return { isNew, kind, outcome, redrawHome: true };
}

/**
 * What makes a notification "the same one again": the link, the status and, when the notification carries
 * one, the payment id (two instalments may both be SETTLED). Hashed, so every key has the same small size
 * whatever the sender put in those fields.
 */
function notificationKey(linkId: string, statusCode: string, paymentId: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([linkId, statusCode, paymentId ?? '']))
    .digest('base64url');
}
