import type { LinkState, LinksTable } from '../ledger/schema.js';
import { ANNEX_STATUSES, classifyStatus, type StatusKind, statusProgress } from './payment-status.js';

/**
 * Why a link has no payment status: being created, refused, no answer from SAFEDEBIT (the link may exist), a request
 * paylink could not even send or SAFEDEBIT's host could not be reached (none exists), or paylink stopped before
 * SAFEDEBIT's answer was recorded (the link may exist).
 */
export type NotCreatedStanding = 'creating' | 'refused' | 'no_answer' | 'not_sent' | 'unreachable' | 'unconfirmed';

/** Kinds of status after which the customer is no longer expected to pay: no reminder, not "awaiting". */
const DECIDED_KINDS: readonly StatusKind[] = ['paid', 'failed', 'refunded'];

const NOT_CREATED_STANDING: Readonly<Record<Exclude<LinkState, 'created'>, NotCreatedStanding>> = {
  requested: 'creating',
  refused: 'refused',
  outage: 'no_answer',
  interrupted: 'unconfirmed',
};

/**
 * A request that never reached SAFEDEBIT, which made nothing: paylink could not build or send it, or no try could
 * connect to SAFEDEBIT's host.
 */
export function neverSent(link: Pick<LinksTable, 'state' | 'state_detail'>): boolean {
  return link.state === 'outage' && (link.state_detail === 'request_failed' || link.state_detail === 'unreachable');
}

/** The standing of a link SAFEDEBIT did not make: a request that never reached it is told apart from an outage. */
export function notCreatedStanding(
  link: Pick<LinksTable, 'state_detail'> & { state: Exclude<LinkState, 'created'> },
): NotCreatedStanding {
  if (!neverSent(link)) return NOT_CREATED_STANDING[link.state];
  return link.state_detail === 'unreachable' ? 'unreachable' : 'not_sent';
}

/**
 * The ranks (`payment_status_rank`) of the annex statuses of each kind. The ledger keeps a link's furthest rank,
 * and no rank belongs to two kinds (tested), so SQL can tell a link's kind from its rank alone.
 */
export const RANKS_OF_KIND: Readonly<Record<StatusKind, readonly number[]>> = {
  paid: ranksOf('paid'),
  failed: ranksOf('failed'),
  pending: ranksOf('pending'),
  refunded: ranksOf('refunded'),
};

function ranksOf(kind: StatusKind): number[] {
  const ranks = ANNEX_STATUSES.map(classifyStatus).flatMap((status) =>
    status.known && status.kind === kind ? [statusProgress(status)] : [],
  );
  return [...new Set(ranks)].sort((a, b) => a - b);
}

/** The ranks that take a created link out of "awaiting payment". */
export const DECIDED_RANKS: readonly number[] = DECIDED_KINDS.flatMap((kind) => RANKS_OF_KIND[kind]);

/**
 * A link SAFEDEBIT made and reported nothing on, past the expiry stored when it was claimed (none: it never expires):
 * it can no longer be paid, so it no longer awaits payment. The ledger's queries say the same in SQL (#awaitingPayment).
 */
export function hasExpired(
  link: Pick<LinksTable, 'state' | 'payment_status_rank' | 'expires_at'>,
  now: Date,
): link is typeof link & { expires_at: string } {
  return (
    link.state === 'created' &&
    link.payment_status_rank === null &&
    link.expires_at !== null &&
    link.expires_at <= now.toISOString()
  );
}

/**
 * When a link's paid standing began, null when it is not paid: `paid_at`, or for a payment recorded by an instance of a
 * release before that column, the time of its paid status. The ledger's totals say the same in SQL (PAID_SINCE).
 */
export function paidSince(
  link: Pick<LinksTable, 'paid_at' | 'payment_status_rank' | 'payment_status_at'>,
): string | null {
  if (link.paid_at !== null) return link.paid_at;
  return link.payment_status_rank !== null && RANKS_OF_KIND.paid.includes(link.payment_status_rank)
    ? link.payment_status_at
    : null;
}

/**
 * A link whose status (its furthest) is one of a payment under way (a debit created, issued, awaiting validation…): not
 * settled, not failed. SAFEDEBIT documents none of them, so who acts next (the customer, a bank) is unknown: a reminder
 * says a payment is under way, neither "still awaiting payment" nor that the customer acted.
 */
export function paymentUnderWay(link: Pick<LinksTable, 'payment_status'>): boolean {
  if (link.payment_status === null) return false;
  const status = classifyStatus(link.payment_status);
  return status.known && status.kind === 'pending';
}
