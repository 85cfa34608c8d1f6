import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { type TextDecoding, textDecoderFor } from '../http/charset.js';
import { createOutboundDispatcher, type ProxySettings } from '../http/outbound.js';
import { errorCode, NEVER_CONNECTED_CODES } from '../http/transport-errors.js';
import type { OutageReason, PaymentLinkOutcome } from './outcome.js';
import { type PaymentLinkRequest, paymentLinkRequestSchema } from './request.js';

export interface SafedebitClientOptions {
  /** Where the API lives, e.g. `https://host.safedebit.fr/ssp`; `/get_link_payment` is appended. */
  baseUrl: string;
  login: string;
  password: string;
  /** Bounds the whole call: connecting (retry included), waiting for the answer and reading it. */
  timeoutMs: number;
  userAgent: string;
  /** The outbound proxies; none by default (the process environment is not read here). */
  proxy?: ProxySettings;
}

export interface SafedebitClient {
  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLinkOutcome>;
  /**
   * Lets calls in flight finish, then closes the kept-alive connections; with `cutInFlight` (a stop whose grace ran
   * out), cuts them instead, as a kill would.
   */
  close(cutInFlight?: boolean): Promise<void>;
}

/** Past this many bytes the answer is abandoned as `too_large`: a link and a few fields come in well under it. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A retry can create a second link, so the second attempt only follows a connection that never opened,
 * where SAFEDEBIT cannot have seen the request.
 */
const MAX_ATTEMPTS = 2;

/**
 * Each connect attempt (TCP, and TLS for https) may use this share of the budget, so that a retry after a
 * connect timeout still has time. Less than half: undici's connect timer is coarse and fires up to ~1 s late.
 */
const CONNECT_TIMEOUT_SHARE = 0.4;

/** Plain http links are only believable from a local sandbox. */
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

type WithoutLatency<T> = T extends unknown ? Omit<T, 'latencyMs'> : never;
/** What a call came to, before its latency is known. */
type Settlement = WithoutLatency<PaymentLinkOutcome>;

/**
 * Characters no payment page's address needs, and that Slack reads as markup around a link: `<…>` (mentions such
 * as `<!channel>`), `|` (a label that hides the address), whitespace and controls.
 */
const SLACK_MARKUP_IN_URL = /[\s\p{C}<>|]/u;

/**
 * The longest link paylink can give the rep: Slack refuses a whole message or view with one text past its limit, and
 * the narrowest place the link goes is a field of `/paylink status` (2000 characters, its label included).
 * SAFEDEBIT documents no length for it; its addresses are far shorter.
 */
export const MAX_PAYMENT_LINK_LENGTH = 1900;

/** A link paylink passes on to a customer: https, or plain http from a local sandbox only, and short enough to show. */
export function isPaymentPageUrl(link: string): boolean {
  if (link.length > MAX_PAYMENT_LINK_LENGTH || SLACK_MARKUP_IN_URL.test(link)) return false;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return false;
  }
  // `https://pay.safedebit.fr@evil.example/` reads as SAFEDEBIT's host and opens another.
  if (url.username !== '' || url.password !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTNAMES.has(url.hostname));
}

/**
 * SAFEDEBIT's own words with a refusal. The documentation shows only a code and names no such field, so a text
 * is read under the usual names, in REFUSAL_WORD_KEYS' order of preference; one that is not text, or shows
 * nothing, is ignored rather than taken for an outage.
 */
const refusalWords = z
  .string()
  .regex(/[^\p{C}\s]/u, 'nothing visible')
  .optional()
  .catch(undefined);
const REFUSAL_WORD_KEYS = ['message', 'msg', 'error_message', 'error'] as const;
type RefusalWordKey = (typeof REFUSAL_WORD_KEYS)[number];

/**
 * The documented booleans, and the strings and numbers a PHP back office may echo for them: a link SAFEDEBIT made,
 * taken for an outage, would be lost to the rep (asking again meets EXIST_005); a refusal would lose its code.
 */
const RESULT_WRITTEN = new Map<unknown, boolean>([
  ['true', true],
  [1, true],
  ['1', true],
  ['false', false],
  [0, false],
  ['0', false],
]);

function readResult(answer: unknown): unknown {
  if (answer === null || typeof answer !== 'object' || !('result' in answer)) return answer;
  const written = RESULT_WRITTEN.get(answer.result);
  return written === undefined ? answer : { ...answer, result: written };
}

const answerSchema = z.discriminatedUnion('result', [
  z.object({
    result: z.literal(true),
    // Blanks around it (a PHP echo's line break) are no part of an address: SAFEDEBIT made the link, the rep gets it.
    link: z
      .string()
      .trim()
      .refine(isPaymentPageUrl, 'expected a payment page address (https, no Slack markup, short enough)'),
  }),
  z.object({
    result: z.literal(false),
    code: z
      .union([z.string().trim().min(1), z.number()])
      .transform(String)
      .optional()
      .catch(undefined),
    message: refusalWords,
    msg: refusalWords,
    error_message: refusalWords,
    error: refusalWords,
  }),
]);

/** Where each issue is, never what the value was: these strings end up in errors and logs. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const what = issue.code === 'unrecognized_keys' ? `unknown keys ${issue.keys.join(', ')}` : issue.code;
      return `${where}: ${what}`;
    })
    .join('; ');
}

/**
 * Rejects when the deadline passes. Needed beside the request's own signal: undici only acts on an abort once
 * a connection is up, so a slow connect would otherwise outlive the deadline. A request
 * whose connection opens after that is aborted by undici before anything is written.
 */
function deadlinePassed(deadline: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    deadline.addEventListener('abort', () => reject(deadline.reason), { once: true });
  });
}

/** Drops an answer unread; undici reports that as an AbortError nobody needs to hear. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function outage(reason: OutageReason, detail: string): Settlement {
  return { kind: 'outage', reason, detail };
}

/** The content-type for a log line: it comes from the server, so it is cut short. */
function describeContentType(contentType: string): string {
  return contentType === '' ? 'no content-type' : `content-type ${contentType.slice(0, 100)}`;
}

/** Reads the body up to `maxBytes`; past that it stops, which destroys the stream and its connection. */
async function readAtMost(
  body: AsyncIterable<Buffer>,
  maxBytes: number,
  decoder: TextDecoding,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (received > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return decoder.decode(Buffer.concat(chunks));
}

/** `result: false` is SAFEDEBIT saying no, with a code or its own words; with neither it is not the contract. */
function refusalOf(answer: { code?: string } & Partial<Record<RefusalWordKey, string>>): Settlement {
  const { code } = answer;
  const message = REFUSAL_WORD_KEYS.map((key) => answer[key]).find((words) => words !== undefined);
  if (code !== undefined) return message === undefined ? { kind: 'refusal', code } : { kind: 'refusal', code, message };
  if (message !== undefined) return { kind: 'refusal', message };
  return outage('unexpected_shape', 'undocumented answer: result false without a code or a message');
}

/** Turns a complete HTTP 200 body into an outcome. */
function interpretAnswer(text: string, contentType: string): Settlement {
  // The body decides, not its label: a PHP endpoint that echoes its JSON without a Content-Type header says
  // text/html, and taking that answer for an outage would lose a link SAFEDEBIT made (and may have sent).
  if (text.trimStart().startsWith('<')) {
    return outage('html', `HTML page instead of JSON (${describeContentType(contentType)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return outage('not_json', `answer is not JSON (${describeContentType(contentType)}, ${text.length} characters)`);
  }
  const answer = answerSchema.safeParse(readResult(json));
  if (!answer.success) return outage('unexpected_shape', `undocumented answer: ${describeIssues(answer.error.issues)}`);
  if (!answer.data.result) return refusalOf(answer.data);
  return { kind: 'link', link: answer.data.link };
}

export function createSafedebitClient(options: SafedebitClientOptions): SafedebitClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError('SAFEDEBIT base URL must be http(s)');
  }
  if (options.login.includes(':')) throw new TypeError('SAFEDEBIT login cannot contain ":" (HTTP Basic auth)');
  const path = `${base.pathname.replace(/\/+$/, '')}/get_link_payment`;
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: `Basic ${Buffer.from(`${options.login}:${options.password}`).toString('base64')}`,
    'user-agent': options.userAgent,
  };
  const dispatcher = createOutboundDispatcher(options.proxy ?? {}, {
    connectTimeoutMs: Math.max(1, Math.floor(options.timeoutMs * CONNECT_TIMEOUT_SHARE)),
  });

  /** One HTTP exchange; rejects only with transport errors (connection, abort). */
  async function exchange(body: string, signal: AbortSignal): Promise<Settlement> {
    const response = await dispatcher.request({ origin: base.origin, method: 'POST', path, headers, body, signal });
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode !== 200) {
      discard(response.body);
      return outage('http_status', `HTTP ${response.statusCode} (${describeContentType(contentType)})`);
    }
    const text = await readAtMost(response.body, MAX_RESPONSE_BYTES, textDecoderFor(contentType));
    return text === undefined
      ? outage('too_large', `answer longer than ${MAX_RESPONSE_BYTES} bytes`)
      : interpretAnswer(text, contentType);
  }

  async function send(body: string): Promise<Settlement> {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const timedOut = deadlinePassed(deadline);
    for (let attempt = 1; ; attempt++) {
      try {
        return await Promise.race([exchange(body, deadline), timedOut]);
      } catch (error) {
        if (deadline.aborted) return outage('timeout', `no complete answer within ${options.timeoutMs} ms`);
        const code = errorCode(error);
        const neverConnected = code !== undefined && NEVER_CONNECTED_CODES.has(code);
        if (neverConnected && attempt < MAX_ATTEMPTS) continue;
        const tried = attempt === 1 ? '1 attempt' : `${attempt} attempts`;
        const cause = code ?? (error instanceof Error ? error.name : 'unknown error');
        // Every try failed before connecting (only those are tried again): SAFEDEBIT received nothing.
        return outage(neverConnected ? 'unreachable' : 'connection', `connection failed: ${cause} (${tried})`);
      }
    }
  }

  return {
    async createPaymentLink(request) {
      const parsed = paymentLinkRequestSchema.safeParse(request);
      if (!parsed.success) {
        throw new TypeError(`get_link_payment request refused by the schema: ${describeIssues(parsed.error.issues)}`);
      }
      const started = performance.now();
      const settlement = await send(JSON.stringify(parsed.data));
      return { ...settlement, latencyMs: performance.now() - started };
    },
    close: (cutInFlight = false) => (cutInFlight ? dispatcher.destroy() : dispatcher.close()),
  };
}
