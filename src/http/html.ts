import type { Locale } from '../i18n/locale.js';
import { thankYouWords } from '../i18n/statuses.js';

// The HTML pages paylink serves to browsers: the customer's thank-you page, and the sandbox's pages' frame.

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
  const t = thankYouWords(locale);
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
