import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Config } from '../config.js';
import { acceptPaymentNotification } from '../flow/payment-notification.js';
import type { StatusUpdateContext } from '../flow/status-updates.js';
import { type BodyLimits, decodeBody, readBody } from '../http/read-body.js';
import type { Locale } from '../i18n/locale.js';
import { buildThankYouPage } from '../i18n/statuses.js';
import { parseNotification } from './notification.js';
import { CALLBACK_ROUTE_PREFIX, verifyCallbackToken } from './token.js';

export interface CallbackRouteDependencies extends StatusUpdateContext {
  config: Pick<Readonly<Config>, 'locale' | 'callbackSecret'>;
  /** Test seams; the defaults suit production. */
  limits?: Partial<BodyLimits>;
}

const DEFAULT_LIMITS: BodyLimits = { maxBodyBytes: 64 * 1024, bodyTimeoutMs: 10_000 };

/** Suggested delay before SAFEDEBIT delivers again when Slack is out of reach (whether it honours it is unknown). */
const RETRY_AFTER_SECONDS = 60;

/**
 * `GET|POST|HEAD ${CALLBACK_ROUTE_PREFIX}/:token`: SAFEDEBIT's payment notification for the ledger link the
 * token names. This file reads HTTP and answers it; the ledger and Slack are the flow's business.
 * The token is the only authentication SAFEDEBIT's undocumented notification allows: a forged one is a 404.
 */
export function callbackRoute(deps: CallbackRouteDependencies): CustomRoute {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  return {
    path: `${CALLBACK_ROUTE_PREFIX}/:token`,
    method: ['GET', 'POST', 'HEAD'],
    handler: (req, res) => {
      const token = req.params?.token;
      handleCallback(deps, limits, req, typeof token === 'string' ? token : '', res).catch((error: unknown) => {
        deps.logger.error({ event: 'callback_failed', error });
        if (!res.headersSent) sendText(res, 500, 'Internal error');
        else res.destroy();
      });
    },
  };
}

async function handleCallback(
  deps: CallbackRouteDependencies,
  limits: BodyLimits,
  req: IncomingMessage,
  token: string,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const linkId = verifyCallbackToken(token, deps.config.callbackSecret);
  const link = linkId === undefined ? undefined : await deps.ledger.findLink(linkId);
  if (!link) {
    // The token is not echoed: it is whatever the sender made up. Its length tells a truncation apart.
    const reason = linkId === undefined ? 'bad_token' : 'unknown_link';
    deps.logger.warn({ event: 'callback_rejected', reason, method, token_length: token.length });
    sendText(res, 404, 'Not found');
    return;
  }
  const locale = deps.config.locale;
  if (method === 'HEAD') {
    sendThankYouPage(res, locale, false);
    return;
  }

  const read = await readBody(req, limits);
  if (!read.ok) {
    deps.logger.warn({ event: 'callback_rejected', reason: read.reason, method, link: link.id });
    if (read.reason === 'too_large') sendText(res, 413, 'Payload too large', { connection: 'close' });
    else if (read.reason === 'timeout') sendText(res, 408, 'Request timeout', { connection: 'close' });
    else res.destroy();
    return;
  }
  const contentType = req.headers['content-type'];
  const notification = parseNotification({
    query: new URL(req.url ?? '/', 'http://localhost').search,
    ...(await decodeBody(read.body, contentType)),
  });
  const wantsPage = method === 'GET' && (req.headers.accept ?? '').includes('text/html');

  if (notification.status === undefined) {
    if (method === 'GET') {
      // The customer's browser, if SAFEDEBIT sends it here after paying: not a notification.
      deps.logger.debug({ event: 'callback_page', link: link.id });
      sendThankYouPage(res, locale, true);
    } else {
      // Field names only: their values may be the customer's data. They show what SAFEDEBIT sends.
      deps.logger.info({
        event: 'callback_without_status',
        method,
        content_type: contentType,
        field_names: Object.keys(notification.fields).slice(0, 50),
        payment_reference: link.payment_reference,
        link: link.id,
      });
      sendText(res, 200, 'OK');
    }
    return;
  }

  const { isNew, kind, outcome } = await acceptPaymentNotification(deps, link.id, {
    status: notification.status,
    ...(notification.paymentId === undefined ? {} : { paymentId: notification.paymentId }),
  });
  const logFields = {
    event: 'callback',
    method,
    status: notification.status,
    kind,
    repeat: !isNew,
    outcome: outcome.kind,
    payment_reference: link.payment_reference,
    ...(notification.paymentId === undefined ? {} : { payment_id: notification.paymentId }),
    link: link.id,
    channel: link.summary_channel,
  };
  if (outcome.kind === 'slack_unavailable') {
    deps.logger.warn({ ...logFields, error: outcome.error });
    sendText(res, 503, 'Slack unavailable, please retry', { 'retry-after': String(RETRY_AFTER_SECONDS) });
    return;
  }
  if (outcome.kind === 'undeliverable') deps.logger.error({ ...logFields, error: outcome.error });
  else deps.logger.info(logFields);
  if (wantsPage) sendThankYouPage(res, locale, true);
  else sendText(res, 200, 'OK');
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function sendThankYouPage(res: ServerResponse, locale: Locale, withBody: boolean): void {
  const page = buildThankYouPage(locale);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(page)),
    'cache-control': 'no-store',
    // The URL carries the token: no page resource, no referrer, nothing to leak it through.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  res.end(withBody ? page : undefined);
}
