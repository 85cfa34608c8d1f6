import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute, Logger } from '@slack/bolt';
import { Agent, request } from 'undici';
import { SANDBOX_API_PATH, SANDBOX_PAY_PATH, THANK_YOU_PATH } from '../constants.js';
import { type BodyLimits, readBody } from '../http/read-body.js';
import { sendText } from '../http/send-text.js';
import { CERTIFICATE_REFUSALS, errorCode, NEVER_CONNECTED_CODES } from '../http/transport-errors.js';
import { type Locale, localeOf } from '../i18n/locale.js';
import { SANDBOX_TEXTS } from '../i18n/sandbox.js';
import { PAYMENT_REFERENCE_USED } from '../safedebit/error-catalog.js';
import {
  checkLinkRequest,
  type IssuedLink,
  type LinkAnswer,
  type LinkExpiry,
  LinkIssuer,
  type SandboxCredentials,
} from '../safedebit/sandbox.js';
import {
  buildExpiredLinkPage,
  buildPaymentPage,
  buildUnknownLinkPage,
  type Decision,
  describeCustomer,
  type PaymentPage,
  sandboxPagePolicy,
} from './pages.js';

/**
 * The built-in sandbox, served on paylink's own port when SAFEDEBIT_API_URL is unset: SAFEDEBIT's
 * `get_link_payment` under `/sandbox/api`, and a payment page per link under `/sandbox/pay/<id>` whose buttons
 * send paylink the notification SAFEDEBIT would, then take the browser where SAFEDEBIT would.
 */

/**
 * Payment references that take the other paths, whatever follows the prefix (`SANDBOX-SLOW-1`…), any case.
 * Listed in the README.
 */
const TEST_REFERENCE_PREFIXES = {
  exists: 'SANDBOX-EXIST',
  refuse: 'SANDBOX-REFUSE',
  slow: 'SANDBOX-SLOW',
  html500: 'SANDBOX-HTML500',
} as const;
type TestPath = keyof typeof TEST_REFERENCE_PREFIXES;

/** What a refusal without a code says: a message, as SAFEDEBIT sends for some errors. */
export const CODELESS_REFUSAL_MESSAGE = 'Paiement refusé par le sandbox (référence de test SANDBOX-REFUSE)';
/** How much later than paylink's deadline a SANDBOX-SLOW answer comes. */
const SLOW_MARGIN_MS = 1000;
const SERVER_ERROR_PAGE =
  '<!doctype html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>';

const API_LIMITS: BodyLimits = { maxBodyBytes: 64 * 1024, bodyTimeoutMs: 10_000 };
/** The payment form sends one short field. */
const FORM_LIMITS: BodyLimits = { maxBodyBytes: 1024, bodyTimeoutMs: 10_000 };
/**
 * paylink answers a notification once Slack took its reply, waiting out a rate limit of up to a minute and a call of
 * 10 s: past this the sandbox says it did not answer, and that it may have kept the notification all the same.
 */
const NOTIFY_TIMEOUT_MS = 75_000;

/** Why a notification did not reach paylink, and whether paylink may have kept it all the same. */
interface NotifyProblem {
  reason: string;
  maybeKept: boolean;
}

/** The statuses the buttons send, from the annex. */
const STATUS_OF: Record<Decision, string> = { pay: 'SETTLED', refuse: 'REJECTED' };

export interface SandboxDependencies {
  logger: Logger;
  /** PAYLINK_LOCALE: the pages' language when the request names none (`payment_lang`). */
  locale: Locale;
  /** SAFEDEBIT_TIMEOUT_MS: a SANDBOX-SLOW answer comes after it. */
  timeoutMs: number;
  /**
   * paylink's public base (PAYLINK_PUBLIC_URL, or `http://localhost:PORT`): links and the default redirect start
   * with it. Asked each time: with PORT=0 the port is only known once paylink listens.
   */
  publicUrl: () => string;
  /** Links stop taking payment once their `link_duration` has passed, as SAFEDEBIT's do. */
  expiry: LinkExpiry;
}

export interface EmbeddedSandbox {
  /** The Basic auth pair the sandbox takes, made up at start. */
  credentials: SandboxCredentials;
  beneficiaryReference: string;
  routes: CustomRoute[];
  /** Closes the connections used for notifications; with `cutInFlight`, cuts the notifications in flight too. */
  close(cutInFlight?: boolean): Promise<void>;
}

/** The test path a payment reference asks for, if any. */
export function testPathOf(paymentReference: string): TestPath | undefined {
  const reference = paymentReference.toUpperCase();
  const paths = Object.entries(TEST_REFERENCE_PREFIXES) as [TestPath, string][];
  return paths.find(([, prefix]) => reference.startsWith(prefix))?.[0];
}

export function createSandbox(deps: SandboxDependencies): EmbeddedSandbox {
  const credentials = { login: 'paylink-sandbox', password: randomBytes(18).toString('base64url') };
  const issuer = new LinkIssuer((id) => `${deps.publicUrl()}${SANDBOX_PAY_PATH}/${id}`, deps.expiry);
  /** Decisions whose notification reached paylink: the page then says so, and pressing again sends nothing. */
  const decisions = new Map<string, Decision>();
  /** Decisions whose notification paylink may have kept without saying so: only they are sent again. */
  const maybeKept = new Map<string, Decision>();
  /** Decisions being notified: a press meanwhile (a second tab) waits for it rather than send a second one. */
  const beingNotified = new Map<string, Promise<unknown>>();
  // SAFEDEBIT's servers reach paylink from outside: no proxy between them, whatever HTTP(S)_PROXY says.
  const notifier = new Agent({ connect: { timeout: 5000 } });

  function answerLinkRequest(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const checked = checkLinkRequest(req.headers.authorization, rawBody, credentials);
    if (!checked.ok) {
      sendJson(res, checked.answer);
      return;
    }
    const reference = checked.request.payment_reference;
    const answerWithLink = () => {
      const answer = issuer.issue(checked.request);
      deps.logger.debug({ event: 'sandbox_link_request', payment_reference: reference, result: answer.result });
      sendJson(res, answer);
    };
    switch (testPathOf(reference)) {
      case 'exists':
        sendJson(res, { result: false, code: PAYMENT_REFERENCE_USED });
        break;
      case 'refuse':
        sendJson(res, { result: false, message: CODELESS_REFUSAL_MESSAGE });
        break;
      case 'html500':
        sendPage(res, 500, SERVER_ERROR_PAGE);
        break;
      case 'slow': {
        const timer = setTimeout(answerWithLink, deps.timeoutMs + SLOW_MARGIN_MS);
        res.on('close', () => clearTimeout(timer));
        break;
      }
      case undefined:
        answerWithLink();
    }
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readBody(req, API_LIMITS);
    if (read.ok) answerLinkRequest(req, res, read.body.toString('utf8'));
    else if (read.reason === 'too_large') sendText(res, 413, 'request body too large');
    else res.destroy();
  }

  /** The customer's language: `payment_lang` when the request gives one paylink speaks, else PAYLINK_LOCALE. */
  const localeOfLink = (link: IssuedLink) => localeOf(link.request.payment_lang, deps.locale);

  function redirectOf(link: IssuedLink, locale: Locale): string {
    return link.request.manual_redirect_url ?? `${deps.publicUrl()}${THANK_YOU_PATH}?lang=${locale}`;
  }

  function showPaymentPage(
    req: IncomingMessage,
    res: ServerResponse,
    link: IssuedLink,
    status: number,
    problem?: string,
  ): void {
    const locale = localeOfLink(link);
    const decision = decisions.get(link.id);
    const pending = maybeKept.get(link.id);
    const page: PaymentPage = {
      locale,
      amountCents: link.request.amount,
      reference: link.request.payment_reference,
      customer: describeCustomer(link.request),
      ...(decision === undefined ? {} : { decision }),
      ...(pending === undefined ? {} : { only: pending }),
      ...(problem === undefined ? {} : { problem }),
    };
    sendPage(res, status, buildPaymentPage(page), req.method === 'HEAD', new URL(redirectOf(link, locale)).origin);
  }

  /**
   * Posts the notification SAFEDEBIT would to `url_callback`; undefined once paylink took it (2xx), else why not, and
   * whether paylink may have kept it all the same: it answers 503 for one it kept but could not show in Slack yet, and
   * an answer not received may have been on its way.
   */
  async function notify(link: IssuedLink, decision: Decision, locale: Locale): Promise<NotifyProblem | undefined> {
    const { url_callback: callbackUrl, payment_reference: reference } = link.request;
    const status = STATUS_OF[decision];
    const texts = SANDBOX_TEXTS[locale];
    try {
      const response = await request(callbackUrl, {
        method: 'POST',
        dispatcher: notifier,
        headers: { 'content-type': 'application/json', 'user-agent': 'paylink-sandbox (SAFEDEBIT stand-in)' },
        body: JSON.stringify({ payment_status: status, payment_reference: reference, pay_id: link.payId }),
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      });
      await response.body.dump();
      const delivered = response.statusCode >= 200 && response.statusCode < 300;
      deps.logger[delivered ? 'info' : 'warn']({
        event: delivered ? 'sandbox_notification_sent' : 'sandbox_notification_refused',
        status,
        http_status: response.statusCode,
        payment_reference: reference,
      });
      if (delivered) return undefined;
      return { reason: texts.paylinkAnswered(response.statusCode), maybeKept: response.statusCode >= 500 };
    } catch (error) {
      // The callback URL carries its token: only its origin is shown or logged.
      const origin = new URL(callbackUrl).origin;
      const cause = errorCode(error) ?? (error instanceof Error ? error.name : 'unknown error');
      deps.logger.warn({
        event: 'sandbox_notification_failed',
        status,
        origin,
        error: cause,
        payment_reference: reference,
      });
      const code = errorCode(error);
      if (code !== undefined && NEVER_CONNECTED_CODES.has(code))
        return { reason: texts.unreachable(origin), maybeKept: false };
      // PAYLINK_PUBLIC_URL's certificate, which the reps' browsers may trust (an authority of the system's) and Node not.
      const refusal = code === undefined ? undefined : CERTIFICATE_REFUSALS.get(code);
      if (code !== undefined && refusal !== undefined) {
        return { reason: texts.certificateRefused[refusal](origin, code), maybeKept: false };
      }
      return { reason: texts.noAnswer(origin), maybeKept: true };
    }
  }

  async function handlePaymentPage(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const link = issuer.find(id);
    if (!link) {
      sendPage(res, 404, buildUnknownLinkPage(deps.locale), req.method === 'HEAD');
      return;
    }
    // Expired before the customer chose: nothing more is sent. A choice made in time is still shown, or sent again; one
    // still on its way to paylink is waited for (below), as before the deadline.
    const expiredUnchosen = () => issuer.expired(link) && !decisions.has(link.id) && !maybeKept.has(link.id);
    const sendExpired = () => sendPage(res, 410, buildExpiredLinkPage(localeOfLink(link)), req.method === 'HEAD');
    // Whether this press came after the deadline: one made in time is sent, whenever the one it waited for ends.
    const late = expiredUnchosen();
    if (late && !beingNotified.has(link.id)) {
      sendExpired();
      return;
    }
    if (req.method !== 'POST') {
      showPaymentPage(req, res, link, 200);
      return;
    }
    const read = await readBody(req, FORM_LIMITS);
    const chosen = read.ok ? new URLSearchParams(read.body.toString('utf8')).get('decision') : null;
    if (chosen !== 'pay' && chosen !== 'refuse') {
      showPaymentPage(req, res, link, 400);
      return;
    }
    const locale = localeOfLink(link);
    // Pressed again (a double click, the back button, a second tab): the customer already chose, nothing more is sent.
    for (let other = beingNotified.get(link.id); other !== undefined; other = beingNotified.get(link.id)) await other;
    // Made after the deadline, this press waited for one made in time, which did not reach paylink: too late for it.
    if (late && expiredUnchosen()) {
      sendExpired();
      return;
    }
    if (!decisions.has(link.id)) {
      // A decision paylink may have kept is the one sent again, whatever a replayed form says: the page offers no other.
      const decision = maybeKept.get(link.id) ?? chosen;
      const deciding = (async () => {
        const problem = await notify(link, decision, locale);
        if (problem === undefined) decisions.set(link.id, decision);
        else if (problem.maybeKept) maybeKept.set(link.id, decision);
        return problem;
      })().finally(() => beingNotified.delete(link.id));
      beingNotified.set(link.id, deciding);
      const problem = await deciding;
      if (problem !== undefined) {
        const texts = SANDBOX_TEXTS[locale];
        const told = problem.maybeKept ? texts.notificationUnconfirmed : texts.notificationFailed;
        showPaymentPage(req, res, link, 502, told(problem.reason));
        return;
      }
    }
    res.writeHead(303, { location: redirectOf(link, locale), 'cache-control': 'no-store' });
    res.end();
  }

  const failed = (res: ServerResponse) => (error: unknown) => {
    deps.logger.error({ event: 'sandbox_failed', error });
    if (!res.headersSent) sendText(res, 500, 'Internal error');
    else res.destroy();
  };

  return {
    credentials,
    beneficiaryReference: 'SANDBOX-BENEFICIARY',
    routes: [
      {
        path: `${SANDBOX_API_PATH}/get_link_payment`,
        method: 'POST',
        handler: (req, res) => {
          handleApi(req, res).catch(failed(res));
        },
      },
      {
        path: `${SANDBOX_PAY_PATH}/:id`,
        method: ['GET', 'HEAD', 'POST'],
        handler: (req, res) => {
          const id = typeof req.params?.id === 'string' ? req.params.id : '';
          handlePaymentPage(req, res, id).catch(failed(res));
        },
      },
    ],
    close: (cutInFlight = false) => (cutInFlight ? notifier.destroy() : notifier.close()),
  };
}

function sendJson(res: ServerResponse, answer: LinkAnswer): void {
  const body = JSON.stringify(answer);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendPage(res: ServerResponse, status: number, page: string, headOnly = false, redirectOrigin?: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(page)),
    'cache-control': 'no-store',
    'content-security-policy': sandboxPagePolicy(redirectOrigin),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  res.end(headOnly ? undefined : page);
}
