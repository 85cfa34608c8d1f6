import type { AnnexStatus, ClassifiedStatus } from '../domain/payment-status.js';
import type { Locale } from './locale.js';

/**
 * What the payment-status callback shows people: the annex statuses in words (in Slack), and the page a
 * customer's browser gets if SAFEDEBIT sends it to the callback URL.
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

interface CallbackTexts {
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

const PAGE_STYLE =
  'body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f4f5;color:#1d1c1d;' +
  'font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
  'main{background:#fff;padding:2rem 2.5rem;border-radius:12px;box-shadow:0 1px 4px rgb(0 0 0/.12);' +
  'text-align:center;max-width:28rem;margin:1rem}h1{font-size:1.5rem;margin:0 0 .5rem}p{margin:0}';

/**
 * The page a customer's browser gets after paying (`/thanks`), or on the callback URL, which SAFEDEBIT may
 * use as the return URL. Self-contained (no script, no external resource), every text escaped.
 */
export function buildThankYouPage(locale: Locale): string {
  const t = TEXTS[locale];
  return htmlDocument(
    locale,
    t.thankYouTitle,
    PAGE_STYLE,
    `<main><h1>${escapeHtml(t.thankYouHeading)}</h1><p>${escapeHtml(t.thankYouBody)}</p></main>`,
  );
}

/** A whole page around `body` (already HTML): no script, no external resource, one inline style sheet. */
export function htmlDocument(locale: Locale, title: string, style: string, body: string): string {
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(locale)}">`,
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style></head>`,
    `<body>${body}</body>`,
    '</html>',
  ].join('\n');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
