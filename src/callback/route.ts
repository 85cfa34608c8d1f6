import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute, Logger } from '@slack/bolt';
import type { Config } from '../config.js';
import { formatAmount } from '../domain/amount.js';
import { formatDateTime, formatTime } from '../i18n/dates.js';
import type { Locale } from '../i18n/locale.js';
import { messagesFor } from '../i18n/messages.js';
import { buildThankYouPage, describeStatus } from '../i18n/statuses.js';
import { slackErrorCode } from '../slack/errors.js';
import { escapeMrkdwn, type LinkStatus, statusAttachments } from '../slack/messages/link-messages.js';
import type { SlackWebApi } from '../slack/web-api.js';
import { type ClassifiedStatus, classifyStatus, parseNotification, type StatusKind } from './notification.js';
import { CALLBACK_ROUTE_PREFIX, type CallbackTarget, verifyCallbackToken } from './token.js';

export interface CallbackRouteDependencies {
  slack: Pick<SlackWebApi, 'chat'>;
  config: Pick<Readonly<Config>, 'callbackSecret' | 'locale'>;
  logger: Logger;
  clock: () => Date;
  /** IANA time zone for the times shown in Slack. */
  timeZone: string;
  /** Test seams; the defaults suit production. */
  limits?: Partial<CallbackLimits>;
}

export interface CallbackLimits {
  /** A notification is a handful of fields: anything larger is refused (413) without being read to the end. */
  maxBodyBytes: number;
  /** How many delivered notifications are remembered to recognize a repeat (oldest forgotten first). */
  rememberedNotifications: number;
  /** A sender that trickles its body slower than this is cut off (408). */
  bodyTimeoutMs: number;
}

const DEFAULT_LIMITS: CallbackLimits = {
  maxBodyBytes: 64 * 1024,
  rememberedNotifications: 10_000,
  bodyTimeoutMs: 10_000,
};

/** Suggested delay before SAFEDEBIT delivers again when Slack is out of reach (whether it honours it is unknown). */
const RETRY_AFTER_SECONDS = 60;

/**
 * Slack errors after which delivering the notification again cannot help: the conversation or the message
 * is gone, or Slack refuses the content. Anything else (transport, 5xx, rate limits, internal_error, an
 * auth problem an admin may fix) is answered 503 so that SAFEDEBIT may try again.
 */
const UNDELIVERABLE_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'restricted_action',
  'invalid_blocks',
  'invalid_attachments',
  'msg_too_long',
  'no_text',
]);

/** How each kind of status looks in Slack; only news the rep must act on mentions them. */
const PRESENTATION: Record<StatusKind | 'unknown', { emoji: string; color: string; mentionRep: boolean }> = {
  paid: { emoji: ':white_check_mark:', color: '#2eb67d', mentionRep: true },
  failed: { emoji: ':x:', color: '#e01e5a', mentionRep: true },
  pending: { emoji: ':hourglass_flowing_sand:', color: '#ecb22e', mentionRep: false },
  refunded: { emoji: ':leftwards_arrow_with_hook:', color: '#1d9bd1', mentionRep: false },
  unknown: { emoji: ':grey_question:', color: '#9e9e9e', mentionRep: false },
};

/**
 * `GET|POST|HEAD ${CALLBACK_ROUTE_PREFIX}/:token`: SAFEDEBIT's payment notification for the link the token
 * names. It posts the status in the link's thread and updates the status line of the link's message.
 * The token is the only authentication SAFEDEBIT's undocumented notification allows: a forged one is a 404.
 */
export function callbackRoute(deps: CallbackRouteDependencies): CustomRoute {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const recent = new RecentNotifications(limits.rememberedNotifications);
  return {
    path: `${CALLBACK_ROUTE_PREFIX}/:token`,
    method: ['GET', 'POST', 'HEAD'],
    handler: (req, res) => {
      const token = req.params?.token;
      handleCallback(deps, limits, recent, req, typeof token === 'string' ? token : '', res).catch((error: unknown) => {
        deps.logger.error({ event: 'callback_failed', error });
        if (!res.headersSent) sendText(res, 500, 'Internal error');
        else res.destroy();
      });
    },
  };
}

async function handleCallback(
  deps: CallbackRouteDependencies,
  limits: CallbackLimits,
  recent: RecentNotifications,
  req: IncomingMessage,
  token: string,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const target = verifyCallbackToken(token, deps.config.callbackSecret);
  if (!target) {
    // The token is not echoed: it is whatever the sender made up. Its length tells a truncation apart.
    deps.logger.warn({ event: 'callback_rejected', reason: 'bad_token', method, token_length: token.length });
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
    deps.logger.warn({ event: 'callback_rejected', reason: read.reason, method, channel: target.channel });
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
      deps.logger.debug({ event: 'callback_page', channel: target.channel });
      sendThankYouPage(res, locale, true);
    } else {
      // Field names only: their values may be the customer's data. They show what SAFEDEBIT sends.
      deps.logger.info({
        event: 'callback_without_status',
        method,
        content_type: contentType,
        field_names: Object.keys(notification.fields).slice(0, 50),
        payment_reference: target.paymentReference,
        channel: target.channel,
      });
      sendText(res, 200, 'OK');
    }
    return;
  }

  const status = classifyStatus(notification.status);
  const key = notificationKey(target, status, notification.paymentId);
  const outcome = await recent.deliverOnce(key, (progress) =>
    postToSlack(deps, target, status, deps.clock(), progress),
  );
  const logFields = {
    event: 'callback',
    method,
    status: notification.status,
    kind: status.known ? status.kind : 'unknown',
    outcome: outcome.kind,
    payment_reference: target.paymentReference,
    ...(notification.paymentId === undefined ? {} : { payment_id: notification.paymentId }),
    channel: target.channel,
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

/**
 * What makes a notification "the same one again": the link, the status and, when the notification carries
 * one, the payment id (two instalments may both be SETTLED). The link is the decoded target rather than the
 * token's text, so two spellings of the same token bytes are one link. Hashed, so every remembered key has
 * the same small size whatever the sender put in those fields.
 */
function notificationKey(target: CallbackTarget, status: ClassifiedStatus, paymentId: string | undefined): string {
  const statusCode = status.known ? status.status : status.raw.toUpperCase();
  return createHash('sha256')
    .update(JSON.stringify([target, statusCode, paymentId ?? '']))
    .digest('base64url');
}

type DeliveryOutcome =
  | { kind: 'posted' }
  | { kind: 'duplicate' }
  /** Slack refused for good (conversation or message gone): acknowledged, since a repeat cannot help. */
  | { kind: 'undeliverable'; error: string }
  | { kind: 'slack_unavailable'; error: string };

/** How far one notification got, so that a redelivery after a failure only does what is left. */
interface DeliveryProgress {
  replied: boolean;
  updated: boolean;
}

interface RememberedDelivery extends DeliveryProgress {
  /** Set while a delivery runs: a concurrent duplicate waits for it instead of posting again. */
  running?: Promise<DeliveryOutcome>;
}

/**
 * Recently delivered notifications, in memory and bounded (least recently seen forgotten first). A key is
 * only kept once Slack accepted at least the reply, so a notification answered 503 stays re-deliverable.
 */
class RecentNotifications {
  readonly #deliveries = new Map<string, RememberedDelivery>();

  constructor(private readonly maxEntries: number) {}

  async deliverOnce(
    key: string,
    deliver: (progress: DeliveryProgress) => Promise<DeliveryOutcome>,
  ): Promise<DeliveryOutcome> {
    const remembered = this.#deliveries.get(key);
    if (remembered?.running) return remembered.running;
    if (remembered?.replied && remembered.updated) {
      this.#touch(key, remembered);
      return { kind: 'duplicate' };
    }
    const delivery: RememberedDelivery = remembered ?? { replied: false, updated: false };
    this.#touch(key, delivery);
    delivery.running = deliver(delivery).finally(() => {
      delivery.running = undefined;
      if (!delivery.replied && this.#deliveries.get(key) === delivery) this.#deliveries.delete(key);
    });
    return delivery.running;
  }

  #touch(key: string, delivery: RememberedDelivery): void {
    this.#deliveries.delete(key);
    this.#deliveries.set(key, delivery);
    if (this.#deliveries.size <= this.maxEntries) return;
    // Map iteration is insertion order: the first entries are the least recently seen.
    for (const [oldKey, oldDelivery] of this.#deliveries) {
      if (this.#deliveries.size <= this.maxEntries) break;
      if (!oldDelivery.running) this.#deliveries.delete(oldKey);
    }
  }
}

/** The reply in the link's thread, then the status line of the link's message; each done at most once. */
async function postToSlack(
  deps: CallbackRouteDependencies,
  target: CallbackTarget,
  status: ClassifiedStatus,
  receivedAt: Date,
  progress: DeliveryProgress,
): Promise<DeliveryOutcome> {
  const locale = deps.config.locale;
  try {
    if (!progress.replied) {
      await deps.slack.chat.postMessage({
        channel: target.channel,
        thread_ts: target.threadTs,
        text: statusReplyText(target, status, locale, formatTime(receivedAt, locale, deps.timeZone)),
        unfurl_links: false,
        unfurl_media: false,
      });
      progress.replied = true;
    }
    if (!progress.updated) {
      const line = statusLine(status, locale, formatDateTime(receivedAt, locale, deps.timeZone));
      const m = messagesFor(locale);
      const amount = formatAmount(target.amountCents, locale);
      await deps.slack.chat.update({
        channel: target.channel,
        ts: target.statusTs,
        // No `blocks`: Slack keeps the summary's blocks and only the status attachment changes.
        text: `${m.parentTitle} · ${amount} · ${escapeMrkdwn(target.paymentReference)} — ${line.text}`,
        attachments: statusAttachments(line),
      });
      progress.updated = true;
    }
    return { kind: 'posted' };
  } catch (error) {
    const code = slackErrorCode(error);
    if (!UNDELIVERABLE_ERRORS.has(code)) return { kind: 'slack_unavailable', error: code };
    progress.replied = true;
    progress.updated = true;
    return { kind: 'undeliverable', error: code };
  }
}

function presentationOf(status: ClassifiedStatus) {
  return PRESENTATION[status.known ? status.kind : 'unknown'];
}

/** "✅ Paid · €1,250.50 · 14:32 · @rep": what happened, for how much, when; the rep is pinged if it matters. */
export function statusReplyText(
  target: Pick<CallbackTarget, 'amountCents' | 'user'>,
  status: ClassifiedStatus,
  locale: Locale,
  time: string,
): string {
  const { emoji, mentionRep } = presentationOf(status);
  const parts = [
    `${emoji} ${escapeMrkdwn(describeStatus(status, locale))}`,
    formatAmount(target.amountCents, locale),
    time,
    ...(mentionRep ? [`<@${target.user}>`] : []),
  ];
  return parts.join(' · ');
}

/** The colored line under the link's summary: where the payment stands, and since when. */
export function statusLine(status: ClassifiedStatus, locale: Locale, dateTime: string): LinkStatus {
  const { emoji, color } = presentationOf(status);
  return { text: `${emoji} ${escapeMrkdwn(describeStatus(status, locale))} · ${dateTime}`, color };
}

type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'timeout' | 'aborted' };

/** The body, up to `maxBodyBytes`: reading stops as soon as it is exceeded, so a huge body is never held. */
function readBody(req: IncomingMessage, limits: CallbackLimits): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    return Promise.resolve({ ok: false, reason: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodyBytes) finish({ ok: false, reason: 'too_large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), limits.bodyTimeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}

/**
 * The body as text for `parseNotification`. A multipart form (what PHP's curl sends for an array of
 * fields) is turned into its url-encoded equivalent; one that cannot be read is left empty.
 */
async function decodeBody(
  body: Buffer,
  contentType: string | undefined,
): Promise<{ body: string; contentType?: string }> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return { body: body.toString('utf8'), ...(contentType === undefined ? {} : { contentType }) };
  }
  try {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const fields = new URLSearchParams();
    for (const [name, value] of form) if (typeof value === 'string') fields.append(name, value);
    return { body: fields.toString(), contentType: 'application/x-www-form-urlencoded' };
  } catch {
    return { body: '' };
  }
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
