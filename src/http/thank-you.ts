import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { THANK_YOU_PATH } from '../constants.js';
import { type Locale, localeOf, preferredLocale } from '../i18n/locale.js';
import { buildThankYouPage } from './html.js';

/**
 * `GET|HEAD /thanks?lang=fr|en`: the page a customer's browser lands on after the payment page, in the language
 * `lang` names (`fr`, `en`, `en-US`…), else the browser's, else the deployment's. It says thank you and nothing else:
 * a browser cannot tell paylink whether anyone paid.
 */
export function thankYouRoute(defaultLocale: Locale): CustomRoute {
  return {
    path: THANK_YOU_PATH,
    method: ['GET', 'HEAD'],
    handler: (req, res) => {
      const lang = new URL(req.url ?? '/', 'http://localhost').searchParams.get('lang');
      sendThankYouPage(res, localeOf(lang, browserLocale(req, defaultLocale)), req.method !== 'HEAD');
    },
  };
}

/** The language a browser asks for (`Accept-Language`), when paylink speaks it; else `fallback`. */
export function browserLocale(req: IncomingMessage, fallback: Locale): Locale {
  return preferredLocale(req.headers['accept-language'], fallback);
}

/** The thank-you page, self-contained: no script, no resource, no referrer (a callback URL carries its token). */
export function sendThankYouPage(res: ServerResponse, locale: Locale, withBody: boolean): void {
  const page = buildThankYouPage(locale);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(page)),
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  res.end(withBody ? page : undefined);
}
