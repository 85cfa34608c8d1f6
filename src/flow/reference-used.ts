import { hasExpired, neverSent } from '../domain/link-standing.js';
import { classifyStatus } from '../domain/payment-status.js';
import type { Locale } from '../i18n/locale.js';
import { messagesFor } from '../i18n/messages.js';
import { describeStatus } from '../i18n/statuses.js';
import type { Ledger, LinkRecord } from '../ledger/ledger.js';
import type { LinkState } from '../ledger/schema.js';
import { dateTimeShown } from '../slack/mrkdwn.js';

export interface ReferenceUsedContext {
  ledger: Ledger;
  config: { locale: Locale };
  timeZone: string;
  clock: () => Date;
}

/** Earlier links whose reference SAFEDEBIT holds: made, being made, or asked for with no answer. */
const HELD_BY_SAFEDEBIT: readonly LinkState[] = ['created', 'requested', 'outage', 'interrupted'];
/** Links of one reference looked at: a reference is used once, a handful of tries at most. */
const EARLIER_LINKS = 10;

/**
 * Why SAFEDEBIT says a payment reference is already used, when paylink knows (mrkdwn): a link it made (to use, unless
 * it expired unpaid or its payment was decided: paid, failed or refunded), or a try that got no answer and so made the
 * link after all. The catalog's "enter a new one" would then make a second link for the same payment. Undefined when
 * paylink never asked for that reference (or cannot read its ledger).
 */
export async function referenceUsedNote(
  ctx: ReferenceUsedContext,
  paymentReference: string,
  refusedLinkId: string,
): Promise<string | undefined> {
  const links = await ctx.ledger
    .linksWithReference(paymentReference, { limit: EARLIER_LINKS, states: HELD_BY_SAFEDEBIT })
    .catch((): LinkRecord[] => []);
  const held = links.filter(
    (link) => link.id !== refusedLinkId && link.payment_reference === paymentReference && !neverSent(link),
  );
  // A link known to exist holds the reference, whatever unanswered tries came after it.
  const earlier = held.find((link) => link.state === 'created') ?? held[0];
  if (earlier === undefined) return undefined;
  const { locale } = ctx.config;
  const dateTime = (iso: string) => dateTimeShown(new Date(iso), locale, ctx.timeZone);
  const when = dateTime(earlier.created_at);
  const { referenceHeld } = messagesFor(locale);
  if (earlier.state === 'outage' || earlier.state === 'interrupted') return referenceHeld.unanswered(when);
  // Paid, failed or refunded, it is not to be used again: a new link, if one is needed, takes another reference.
  const status = earlier.payment_status === null ? undefined : classifyStatus(earlier.payment_status);
  if (status?.known && status.kind !== 'pending' && earlier.payment_status_at !== null) {
    const said = describeStatus(status, locale);
    const since = dateTime(earlier.payment_status_at);
    // A part of a multiple payment paid is not the link paid (see statusLine).
    if (status.kind === 'paid' && earlier.payment_type === 'multi')
      return referenceHeld.multiPayBegun(when, earlier.user_id, said, since);
    return referenceHeld.decided[status.kind](when, earlier.user_id, said, since);
  }
  // Expired unpaid, it can no longer be paid: the rep needs a new link, which SAFEDEBIT makes under another reference.
  if (hasExpired(earlier, ctx.clock()))
    return referenceHeld.expired(when, earlier.user_id, dateTime(earlier.expires_at));
  return referenceHeld.made(when, earlier.user_id);
}
