import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Config } from '../config.js';
import { CALLBACK_ROUTE_PREFIX } from '../constants.js';
import type { ConfirmedLinkContext } from '../flow/confirmed-links.js';
import { acceptPaymentNotification } from '../flow/payment-notification.js';
import type { StatusUpdateOutcome } from '../flow/status-updates.js';
import type { Track } from '../flow/tracked-work.js';
import { addressAllowList, clientAddress } from '../http/client-address.js';
import { type BodyLimits, decodeBody, decompressBody, READABLE_CONTENT_CODINGS, readBody } from '../http/read-body.js';
import { sendText } from '../http/send-text.js';
import { browserLocale, sendThankYouPage } from '../http/thank-you.js';
import { errorCodeOrMessage } from '../http/transport-errors.js';
import type { LinkRecord } from '../ledger/ledger.js';
import { slackRefusesApp } from '../slack/errors.js';
import { parseNotification } from './notification.js';
import { verifyCallbackToken } from './token.js';

export interface CallbackRouteDependencies extends ConfirmedLinkContext {
  config: Pick<Readonly<Config>, 'locale' | 'callbackSecret' | 'callbackAllowedAddresses' | 'trustProxyHops'>;
  track: Track;
}

/** A notification is a few fields: 64 KiB is plenty, and a sender trickling its body is cut after 10 s. */
const NOTIFICATION_BODY_LIMITS: BodyLimits = { maxBodyBytes: 64 * 1024, bodyTimeoutMs: 10_000 };

/**
 * Suggested delay before SAFEDEBIT delivers again when Slack or the ledger is out of reach (whether it honours it
 * is unknown).
 */
const RETRY_AFTER_SECONDS = 60;

/** Who may post a notification: an address the allow-list takes, or anyone when there is none. */
type SenderCheck = (req: IncomingMessage) => { allowed: boolean; address?: string };

/**
 * `POST ${CALLBACK_ROUTE_PREFIX}/:token`: SAFEDEBIT's payment notification for the ledger link the token names.
 * This file reads HTTP, finds the link the token names, and answers; keeping the notification and telling Slack are
 * the flow's business (App Home redrawn after it, once answered). The signed token, and
 * the sender's address when PAYLINK_CALLBACK_ALLOWED_IPS is set, are the only authentication SAFEDEBIT's
 * undocumented notification allows: a forged token is a 404, another sender a 403.
 * The notification's method is not documented either (SAFEDEBIT's English summary: "accept what comes (GET or POST,
 * JSON or form)"), but its doc calls this URL "URL de retour": a customer's browser may come here, and could carry any
 * status in its query string. So a `GET` whose query string holds a status is taken as a notification only when
 * PAYLINK_CALLBACK_ALLOWED_IPS is set, from an address it allows, under the same checks as a `POST`. Without the
 * list, it is a browser's, as is any other `GET` and every `HEAD`: the thank-you page, and nothing changed.
 */
export function callbackRoute(deps: CallbackRouteDependencies): CustomRoute {
  const checkSender = senderCheck(deps.config);
  return {
    path: `${CALLBACK_ROUTE_PREFIX}/:token`,
    method: ['GET', 'POST', 'HEAD'],
    handler: (req, res) => {
      const token = typeof req.params?.token === 'string' ? req.params.token : '';
      const query = new URL(req.url ?? '/', 'http://localhost').search;
      const carriesStatus = req.method === 'GET' && parseNotification({ query, body: '' }).status !== undefined;
      const getSender =
        carriesStatus && deps.config.callbackAllowedAddresses !== undefined ? checkSender(req) : undefined;
      // A GET from outside the list asking for a page is a customer's browser back from the payment page: no 403 for
      // them. Any other (a server of SAFEDEBIT's the list lacks) is refused as a POST is, so that it may come again.
      const browserOutsideList = getSender?.allowed === false && /\btext\/html\b/i.test(req.headers.accept ?? '');
      const handling =
        req.method === 'POST' || (getSender !== undefined && !browserOutsideList)
          ? handleNotification(deps, checkSender, req, token, query, res)
          : handleBrowserVisit(deps, req, token, res, carriesStatus ? (getSender ?? 'no_allow_list') : undefined);
      handling.catch((error: unknown) => {
        deps.logger.error({ event: 'callback_failed', error });
        if (!res.headersSent) sendText(res, 500, 'Internal error');
        else res.destroy();
      });
    },
  };
}

function senderCheck(config: CallbackRouteDependencies['config']): SenderCheck {
  const rules = config.callbackAllowedAddresses;
  if (rules === undefined) return () => ({ allowed: true });
  const allowed = addressAllowList(rules);
  return (req) => {
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustProxyHops);
    return address === undefined ? { allowed: false } : { allowed: allowed(address), address };
  };
}

/** The ledger link a token names, or undefined after answering 404 (the token is forged, or its link gone). */
async function linkOfToken(deps: CallbackRouteDependencies, method: string, token: string, res: ServerResponse) {
  const linkId = verifyCallbackToken(token, deps.config.callbackSecret);
  let link: LinkRecord | undefined;
  try {
    link = linkId === undefined ? undefined : await deps.ledger.findLink(linkId);
  } catch (error) {
    answerLedgerUnavailable(deps, res, { event: 'callback', method, link: linkId }, errorCodeOrMessage(error));
    return undefined;
  }
  if (!link) {
    // The token is not echoed: it is whatever the sender made up. Its length tells a truncation apart.
    const reason = linkId === undefined ? 'bad_token' : 'unknown_link';
    deps.logger.warn({ event: 'callback_rejected', reason, method, token_length: token.length });
    sendText(res, 404, 'Not found');
  }
  return link;
}

/**
 * A visit that changes nothing. One carrying a status (`statusIgnored`: no allow-list, or a sender outside it) is a
 * warning: should SAFEDEBIT notify by GET, the admin learns how to let it. The status itself is not logged: whoever
 * sent it chose it. An address outside the list is, so that SAFEDEBIT's new servers can be told from a customer.
 */
async function handleBrowserVisit(
  deps: CallbackRouteDependencies,
  req: IncomingMessage,
  token: string,
  res: ServerResponse,
  statusIgnored: ReturnType<SenderCheck> | 'no_allow_list' | undefined,
): Promise<void> {
  const method = req.method ?? 'GET';
  const link = await linkOfToken(deps, method, token, res);
  if (!link) return;
  if (statusIgnored === undefined) {
    deps.logger.info({ event: 'callback_browser_visit', method, link: link.id });
  } else {
    const withoutList = statusIgnored === 'no_allow_list';
    deps.logger.warn({
      event: 'callback_browser_visit',
      method,
      link: link.id,
      status_ignored: true,
      ...(withoutList ? {} : { address: statusIgnored.address ?? 'unreadable' }),
      msg: withoutList
        ? "a GET carried a payment status, ignored: without PAYLINK_CALLBACK_ALLOWED_IPS a customer's browser could have sent it. If SAFEDEBIT notifies by GET, list its addresses in PAYLINK_CALLBACK_ALLOWED_IPS"
        : 'a GET carried a payment status from an address outside PAYLINK_CALLBACK_ALLOWED_IPS, ignored: a browser, or SAFEDEBIT from a server the list lacks',
    });
  }
  sendThankYouPage(res, browserLocale(req, deps.config.locale), method !== 'HEAD');
}

async function handleNotification(
  deps: CallbackRouteDependencies,
  checkSender: SenderCheck,
  req: IncomingMessage,
  token: string,
  query: string,
  res: ServerResponse,
): Promise<void> {
  const method = req.method === 'GET' ? 'GET' : 'POST';
  const sender = checkSender(req);
  if (!sender.allowed) {
    // The address is logged so that the admin can tell SAFEDEBIT's new servers from someone else.
    deps.logger.warn({
      event: 'callback_rejected',
      reason: 'address_not_allowed',
      method,
      address: sender.address ?? 'unreadable',
    });
    sendText(res, 403, 'Forbidden');
    return;
  }
  const link = await linkOfToken(deps, method, token, res);
  if (!link) return;
  if (link.state === 'refused') {
    // SAFEDEBIT refused its request, so no link exists to be paid; but the URL went out in that request (SAFEDEBIT,
    // proxies, their logs), and a status kept here would show a paid link in finance's export.
    deps.logger.warn({ event: 'callback_rejected', reason: 'link_refused', method, link: link.id });
    sendText(res, 404, 'Not found');
    return;
  }

  // A GET has no body to read: its query string says it all.
  const read =
    method === 'GET' ? { ok: true as const, body: Buffer.alloc(0) } : await readBody(req, NOTIFICATION_BODY_LIMITS);
  if (!read.ok) {
    deps.logger.warn({ event: 'callback_rejected', reason: read.reason, method, link: link.id });
    if (read.reason === 'too_large') sendText(res, 413, 'Payload too large', { connection: 'close' });
    else if (read.reason === 'timeout') sendText(res, 408, 'Request timeout', { connection: 'close' });
    else res.destroy();
    return;
  }
  const decompressed = decompressBody(
    read.body,
    req.headers['content-encoding'],
    NOTIFICATION_BODY_LIMITS.maxBodyBytes,
  );
  if (!decompressed.ok) {
    deps.logger.warn({ event: 'callback_rejected', reason: decompressed.reason, method, link: link.id });
    if (decompressed.reason === 'unsupported_encoding') {
      sendText(res, 415, 'Unsupported content encoding', { 'accept-encoding': READABLE_CONTENT_CODINGS });
    } else if (decompressed.reason === 'too_large') sendText(res, 413, 'Payload too large');
    else sendText(res, 400, 'Bad request');
    return;
  }
  const contentType = req.headers['content-type'];
  const notification = parseNotification({
    query,
    ...(await decodeBody(decompressed.body, contentType)),
  });

  if (notification.status === undefined) {
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
    return;
  }

  const { isNew, kind, outcome, redrawHome } = await acceptPaymentNotification(deps, link.id, {
    status: notification.status,
    ...(notification.paymentId === undefined ? {} : { paymentId: notification.paymentId }),
  });
  answerNotification(deps, req, res, outcome, {
    event: 'callback',
    method,
    status: notification.status,
    kind,
    ...(isNew === undefined ? {} : { repeat: !isNew }),
    outcome: outcome.kind,
    payment_reference: link.payment_reference,
    ...(notification.paymentId === undefined ? {} : { payment_id: notification.paymentId }),
    link: link.id,
    channel: link.summary_channel,
  });
  // Once answered: SAFEDEBIT's answer says whether the notification is kept and in the thread, not whether Slack has
  // published every viewer's Home yet (one call each, which may wait out a rate limit).
  if (redrawHome) deps.track('home', deps.homeTabs.refreshAfterStatusChange(link.id));
}

/** Answers a notification the flow took in: 200, or 503 for what a redelivery may bring into Slack or the ledger. */
function answerNotification(
  deps: CallbackRouteDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  outcome: StatusUpdateOutcome,
  logFields: Record<string, unknown>,
): void {
  if (outcome.kind === 'ledger_unavailable') {
    answerLedgerUnavailable(deps, res, logFields, outcome.error);
    return;
  }
  if (outcome.kind === 'slack_unavailable') {
    // The notification is kept; what is not in Slack yet waits for a redelivery, or the status round. Slack refusing
    // paylink itself (its token revoked, a scope missing) waits for an admin: an error.
    deps.logger[slackRefusesApp(outcome.error) ? 'error' : 'warn']({ ...logFields, error: outcome.error });
    sendText(res, 503, 'Slack unavailable, please retry', { 'retry-after': String(RETRY_AFTER_SECONDS) });
    return;
  }
  if (outcome.kind === 'undeliverable') deps.logger.error({ ...logFields, error: outcome.error });
  else deps.logger.info(logFields);
  // Should a browser ever carry the status here, it still sees where it is.
  if (req.method === 'GET') sendThankYouPage(res, browserLocale(req, deps.config.locale), true);
  else sendText(res, 200, 'OK');
}

/** The ledger failed: a 503, so that SAFEDEBIT delivers the notification again, logged as the ledger's failure. */
function answerLedgerUnavailable(
  deps: CallbackRouteDependencies,
  res: ServerResponse,
  logFields: Record<string, unknown>,
  error: string | undefined,
): void {
  deps.logger.error({ ...logFields, outcome: 'ledger_unavailable', error });
  sendText(res, 503, 'Link ledger unavailable, please retry', { 'retry-after': String(RETRY_AFTER_SECONDS) });
}
