import { createHash } from 'node:crypto';
import { formatAmount } from '../domain/amount.js';
import { escapeHtml, htmlDocument } from '../http/html.js';
import type { Locale } from '../i18n/locale.js';
import { SANDBOX_TEXTS } from '../i18n/sandbox.js';
import type { PaymentLinkRequest } from '../safedebit/request.js';

/**
 * The built-in sandbox's pages: plain HTML forms that work without JavaScript, every text escaped, styled by
 * one inline sheet the Content-Security-Policy names by its hash, so nothing else can run or load.
 */

/** What the customer chose: pay, or refuse. */
export type Decision = 'pay' | 'refuse';

export interface PaymentPage {
  locale: Locale;
  /** `amount` as sent: cents, as digits. */
  amountCents: string;
  reference: string;
  customer: string;
  /** Once the notification of a decision reached paylink: the page says so, without buttons. */
  decision?: Decision;
  /** Why the last press did not reach paylink; the buttons stay. */
  problem?: string;
  /** The one decision left to send again, when paylink may have kept its notification. */
  only?: Decision;
}

const STYLE =
  'body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f4f5;color:#1d1c1d;' +
  'font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
  'main{background:#fff;padding:2rem 2.5rem;border-radius:12px;box-shadow:0 1px 4px rgb(0 0 0/.12);' +
  'max-width:32rem;margin:1rem}h1{font-size:1.5rem;margin:0 0 1rem}' +
  '.banner{background:#fff4ce;border:1px solid #e8c547;border-radius:6px;padding:.5rem .75rem;margin:0 0 1rem}' +
  'dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1.5rem}dt{color:#616061}dd{margin:0}' +
  '.problem{color:#a51d2d;margin:0 0 1rem}form{display:flex;gap:.75rem}' +
  'button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #8d8d8d;background:#fff;cursor:pointer}' +
  'button[value=pay]{background:#007a5a;border-color:#007a5a;color:#fff}';

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The pages' Content-Security-Policy: nothing but their style sheet, and forms only to this page and to
 * `redirectOrigin` (browsers check the redirect that follows a form against `form-action` too).
 */
export function sandboxPagePolicy(redirectOrigin?: string): string {
  const formTargets = ["'self'", ...(redirectOrigin === undefined ? [] : [redirectOrigin])].join(' ');
  return [
    "default-src 'none'",
    `style-src 'sha256-${STYLE_HASH}'`,
    `form-action ${formTargets}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The payment page: amount, reference and customer, and the buttons to pay and to refuse. */
export function buildPaymentPage(page: PaymentPage): string {
  const t = SANDBOX_TEXTS[page.locale];
  const details: [string, string][] = [
    [t.amount, formatCents(page.amountCents, page.locale)],
    [t.reference, page.reference],
    [t.customer, page.customer],
  ];
  const list = details.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`).join('');
  const problem = page.problem === undefined ? '' : `<p class="problem" role="alert">${escapeHtml(page.problem)}</p>`;
  const button = (decision: Decision) =>
    `<button name="decision" value="${decision}">${escapeHtml(t[decision])}</button>`;
  const buttons = page.only === undefined ? button('pay') + button('refuse') : button(page.only);
  const action =
    page.decision === undefined
      ? `<form method="post">${buttons}</form>`
      : `<p>${escapeHtml(t.decided[page.decision])}</p>`;
  return layout(page.locale, `<h1>${escapeHtml(t.heading)}</h1><dl>${list}</dl>${problem}${action}`);
}

/** For a link the sandbox does not know: made up, or made before paylink restarted. */
export function buildUnknownLinkPage(locale: Locale): string {
  const t = SANDBOX_TEXTS[locale];
  return noticePage(locale, t.unknownLinkHeading, t.unknownLinkBody);
}

/** For a link whose `link_duration` passed before the customer chose: it takes no payment, as SAFEDEBIT's would not. */
export function buildExpiredLinkPage(locale: Locale): string {
  const t = SANDBOX_TEXTS[locale];
  return noticePage(locale, t.expiredLinkHeading, t.expiredLinkBody);
}

/** A page that only says something: no form. */
function noticePage(locale: Locale, heading: string, body: string): string {
  return layout(locale, `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(body)}</p>`);
}

/** Who pays, as the request names them: the company, or the person, then their reference. */
export function describeCustomer(request: PaymentLinkRequest): string {
  const person = [request.consumer_first_name, request.consumer_last_name].filter(Boolean).join(' ');
  const name = request.consumer_type === 1 && request.social_reference ? request.social_reference : person;
  return name === '' ? request.consumer_reference : `${name} · ${request.consumer_reference}`;
}

function layout(locale: Locale, content: string): string {
  const t = SANDBOX_TEXTS[locale];
  return htmlDocument(locale, t.title, STYLE, `<main><p class="banner">${escapeHtml(t.banner)}</p>${content}</main>`);
}

/** In the locale's format; an amount past what a double holds exactly (paylink never sends one) as its cents. */
function formatCents(amount: string, locale: Locale): string {
  const cents = Number(amount);
  return Number.isSafeInteger(cents) ? formatAmount(cents, locale) : `${amount} c`;
}
