import type { AnnexStatus, ClassifiedStatus } from '../domain/payment-status.js';
import type { Locale } from './locale.js';

/**
 * What the payment-status callback shows people: the annex statuses in words (in Slack), and the words of the page a
 * customer's browser gets after paying (src/http/html.ts).
 */

// Typed by every annex status and every locale, so a missing translation is a type error.
const STATUS_WORDS: Record<AnnexStatus, Record<Locale, string>> = {
  CREATED: { fr: 'Paiement créé', en: 'Payment created' },
  ISSUED: { fr: 'Prélèvement émis', en: 'Debit issued' },
  SETTLED: { fr: 'Payé', en: 'Paid' },
  WAITINGFORVALIDATION: { fr: 'En attente de validation', en: 'Awaiting validation' },
  REJECTED: { fr: 'Rejeté', en: 'Rejected' },
  RETURNED: { fr: 'Retourné par la banque', en: 'Returned by the bank' },
  CANCELED: { fr: 'Annulé', en: 'Cancelled' },
  WAITING: { fr: 'En attente', en: 'Waiting' },
  GUARANTEED: { fr: 'Garanti', en: 'Guaranteed' },
  INDEMNIZED: { fr: 'Indemnisé', en: 'Indemnified' },
  CREDITED: { fr: 'Crédité', en: 'Credited' },
  CREDITINPROGRESS: { fr: 'Crédit en cours', en: 'Credit in progress' },
  REMBOURSE: { fr: 'Remboursé', en: 'Refunded' },
  TOREMBOURSE: { fr: 'À rembourser', en: 'To be refunded' },
  WAITINGREMBOURSE: { fr: 'Remboursement en attente', en: 'Refund pending' },
  PENDING: { fr: 'En cours', en: 'Pending' },
};

export interface CallbackTexts {
  /** A status outside the annex, shown as received (already cleaned by the caller). */
  unknownStatus: (status: string) => string;
  thankYouTitle: string;
  thankYouHeading: string;
  thankYouBody: string;
}

const TEXTS: Record<Locale, CallbackTexts> = {
  fr: {
    unknownStatus: (status) => `Statut SAFEDEBIT «\u00A0${status}\u00A0»`,
    thankYouTitle: 'Merci',
    thankYouHeading: 'Merci\u202F!',
    thankYouBody: 'Vous pouvez fermer cette page.',
  },
  en: {
    unknownStatus: (status) => `SAFEDEBIT status “${status}”`,
    thankYouTitle: 'Thank you',
    thankYouHeading: 'Thank you!',
    thankYouBody: 'You can close this page.',
  },
};

/** The status in the locale's words; an unknown one as received, labelled so it does not read as ours. */
export function describeStatus(status: ClassifiedStatus, locale: Locale): string {
  return status.known ? STATUS_WORDS[status.status][locale] : TEXTS[locale].unknownStatus(status.raw);
}

/** The words of the customer's thank-you page. */
export function thankYouWords(
  locale: Locale,
): Pick<CallbackTexts, 'thankYouTitle' | 'thankYouHeading' | 'thankYouBody'> {
  return TEXTS[locale];
}
