/**
 * SAFEDEBIT's payment statuses, as its documentation's annex lists them: what each means for the rep (its kind) and how
 * far along the payment it is, whichever way a status reaches paylink (a notification, the ledger, a report).
 */

/** The direct-debit / transfer statuses listed in the annex of SAFEDEBIT's API documentation. */
export const ANNEX_STATUSES = [
  'CREATED',
  'ISSUED',
  'SETTLED',
  'WAITINGFORVALIDATION',
  'REJECTED',
  'RETURNED',
  'CANCELED',
  'WAITING',
  'GUARANTEED',
  'INDEMNIZED',
  'CREDITED',
  'CREDITINPROGRESS',
  'REMBOURSE',
  'TOREMBOURSE',
  'WAITINGREMBOURSE',
  'PENDING',
] as const;
export type AnnexStatus = (typeof ANNEX_STATUSES)[number];

/** What a status means for the rep: money in, money not coming, not decided yet, money going back. */
export type StatusKind = 'paid' | 'failed' | 'pending' | 'refunded';

/** Typed by every annex status, so a status added to the list without a kind is a type error. */
const KIND_OF: Record<AnnexStatus, StatusKind> = {
  CREATED: 'pending',
  ISSUED: 'pending',
  SETTLED: 'paid',
  WAITINGFORVALIDATION: 'pending',
  REJECTED: 'failed',
  RETURNED: 'failed',
  CANCELED: 'failed',
  WAITING: 'pending',
  // The merchant is covered (guarantee) or compensated (indemnity): for the rep, the money is there.
  GUARANTEED: 'paid',
  INDEMNIZED: 'paid',
  CREDITED: 'paid',
  CREDITINPROGRESS: 'pending',
  REMBOURSE: 'refunded',
  TOREMBOURSE: 'refunded',
  WAITINGREMBOURSE: 'refunded',
  PENDING: 'pending',
};

/**
 * How far along the payment each annex status is, so a late notification cannot take a link back (`CREATED`
 * after `SETTLED`). In SEPA a reject or a cancellation comes before settlement (so a payment settled after one is a
 * new attempt that went through), a return after it, an indemnity after a return, refunds last.
 * Equal ranks: the later notification wins.
 */
const PROGRESS: Record<AnnexStatus, number> = {
  CREATED: 10,
  WAITING: 15,
  WAITINGFORVALIDATION: 15,
  PENDING: 15,
  ISSUED: 20,
  CREDITINPROGRESS: 25,
  REJECTED: 30,
  CANCELED: 30,
  SETTLED: 40,
  CREDITED: 40,
  GUARANTEED: 45,
  RETURNED: 50,
  INDEMNIZED: 55,
  TOREMBOURSE: 60,
  WAITINGREMBOURSE: 65,
  REMBOURSE: 70,
};
/** A status paylink does not know is shown, but never replaces a known one. */
const UNKNOWN_STATUS_PROGRESS = 1;

export function statusProgress(status: ClassifiedStatus): number {
  return status.known ? PROGRESS[status.status] : UNKNOWN_STATUS_PROGRESS;
}

/** Other spellings of an annex status that an English-speaking implementation may well send. */
const ALIASES: Readonly<Record<string, AnnexStatus>> = {
  CANCELLED: 'CANCELED',
  REFUNDED: 'REMBOURSE',
  PAID: 'SETTLED',
  INDEMNIFIED: 'INDEMNIZED',
};

/** A recognized status, or the text as received (shown verbatim, never guessed at). */
export type ClassifiedStatus = { known: true; status: AnnexStatus; kind: StatusKind } | { known: false; raw: string };

/**
 * Maps a status to its annex code and kind, case, accents, spaces, dashes and underscores aside
 * (`waiting_for_validation`, `Remboursé`): a refund read as unknown would leave its link shown paid.
 */
export function classifyStatus(status: string): ClassifiedStatus {
  const code = status
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[\s_-]+/g, '');
  const annex = isAnnexStatus(code) ? code : Object.hasOwn(ALIASES, code) ? ALIASES[code] : undefined;
  return annex === undefined ? { known: false, raw: status } : { known: true, status: annex, kind: KIND_OF[annex] };
}

function isAnnexStatus(code: string): code is AnnexStatus {
  return Object.hasOwn(KIND_OF, code);
}
