import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, webApi } from '@slack/bolt';
import { type Dispatcher, request } from 'undici';
import { createOutboundDispatcher, type ProxySettings } from '../http/outbound.js';
import { errorCode, NEVER_CONNECTED_CODES } from '../http/transport-errors.js';
import { postToResponseUrl, RESPONSE_URL_TIMEOUT_MS, type ResponseUrlMessage } from './response-url.js';

/**
 * The Slack Web API methods paylink calls, with the same arguments and answers as Bolt's WebClient (whose
 * types they are), so listeners read as in Slack's samples: `slack.chat.postMessage({...})`.
 *
 * Why not Bolt's WebClient: under `npm run bench` each of its calls cost about 0.6 ms more CPU than here (the
 * global fetch's streams, a request queue, a retry operation, a timeout signal, a form encoding, and a recursive
 * redacted copy of every argument and answer for a debug line it builds even when debug is off). A created
 * link takes four calls, which put paylink at 1.8× the CPU per link of a bare Bolt app making two; through
 * this client it uses about as much as that app (README, Performance). Bolt keeps its WebClient for what it
 * does itself: checking the bot token at start, and Socket Mode's connection (whose app-level token paylink checks
 * first, through `apps.connections.open` here, since Bolt retries a refused one forever).
 *
 * What it does instead: each call is one JSON POST (Slack takes JSON bodies on write methods; the file upload
 * methods and chat.getPermalink are form-encoded, see FORM_ENCODED_METHODS) on a kept-alive undici pool (through the outbound
 * proxy when one is set), bearer token in the header. A call is sent again only when Slack says, or it is
 * certain, that it was not carried out, so that a link is not posted twice:
 * - HTTP 429: after `Retry-After`, so a rate-limited link is posted late rather than lost (views.open only while its
 *   trigger_id can still work);
 * - a connection that never opened, or an HTTP 5xx (Slack failing): after a short backoff;
 * - never after a timeout, a connection lost once the request was written, or a 504 (the gateway timing out on Slack
 *   behind it): Slack may have done it.
 * A refusal (`{ok: false, error}`) throws a SlackApiError whose `data.error` is Slack's error name, as
 * WebClient's platform errors do. Slack's warnings about a call (`response_metadata`) are logged, once each.
 */
export interface SlackWebApi {
  views: {
    open(args: webApi.ViewsOpenArguments): Promise<webApi.ViewsOpenResponse>;
    update(args: webApi.ViewsUpdateArguments): Promise<webApi.ViewsUpdateResponse>;
    publish(args: webApi.ViewsPublishArguments): Promise<webApi.ViewsPublishResponse>;
  };
  chat: {
    postMessage(args: webApi.ChatPostMessageArguments): Promise<webApi.ChatPostMessageResponse>;
    update(args: webApi.ChatUpdateArguments): Promise<webApi.ChatUpdateResponse>;
    getPermalink(args: webApi.ChatGetPermalinkArguments): Promise<webApi.ChatGetPermalinkResponse>;
  };
  conversations: {
    open(args: webApi.ConversationsOpenArguments): Promise<webApi.ConversationsOpenResponse>;
  };
  apps: {
    connections: {
      /**
       * A Socket Mode WebSocket URL: Slack takes only an app-level token (`xapp-…`, connections:write) for it, in the
       * Authorization header, so `token` is sent there in place of the bot token.
       */
      open(args: { token: string }): Promise<webApi.AppsConnectionsOpenResponse>;
    };
  };
  /** Slack's external upload: get an upload URL, POST the bytes there (`upload`), then complete it in a channel. */
  files: {
    getUploadURLExternal(
      args: webApi.FilesGetUploadURLExternalArguments,
    ): Promise<webApi.FilesGetUploadURLExternalResponse>;
    completeUploadExternal(
      args: webApi.FilesCompleteUploadExternalArguments,
    ): Promise<webApi.FilesCompleteUploadExternalResponse>;
    /** POSTs a file's bytes to the `upload_url` files.getUploadURLExternal gave, with the calls' retry rules. */
    upload(uploadUrl: string, bytes: Uint8Array): Promise<void>;
  };
  /** Posts to a command's or shortcut's response_url: not a Web API method, but Slack's, so on the same pool. */
  respond(responseUrl: string, message: ResponseUrlMessage): Promise<void>;
  /**
   * Lets calls in flight finish, then closes the connections; with `cutInFlight` (a stop whose grace ran out), cuts
   * them instead, as a kill would.
   */
  close(cutInFlight?: boolean): Promise<void>;
}

export interface SlackWebApiOptions {
  /** Base URL of the Web API, ending with `/`: `https://slack.com/api/`, or a stand-in's. */
  apiUrl: string;
  token: string;
  userAgent: string;
  logger: Logger;
  /** Bounds each attempt's wait for an answer, and for the answer's body. Default 10 s. */
  timeoutMs?: number;
  /** First backoff after a 5xx or a refused connection, doubled each time. Default 250 ms. */
  backoffMs?: number;
  /** The outbound proxies; none by default (the process environment is not read here). */
  proxy?: ProxySettings;
}

/** Attempts per call, the first included. */
const MAX_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 4_000;
/** A longer Retry-After than this is Slack asking to stop for a while: the call fails instead of hanging on. */
const MAX_RETRY_AFTER_S = 60;
const DEFAULT_TIMEOUT_MS = 10_000;
/** HTTP 504: the one 5xx after which Slack may have carried the call out (see slackMayHaveActed), not sent again. */
const GATEWAY_TIMEOUT = 504;
/**
 * A trigger_id dies 3 s after Slack sent it: views.open is sent again only while that can still work, counting from
 * the first try (the request came in shortly before). A longer wait fails the call at once, for the rep to be told.
 */
const TRIGGER_RETRY_BUDGET_MS = 2_500;

/**
 * The longest one call can take at the default timeout: every attempt waits for its answer as long as it may, then
 * for the answer's body as long again, with the longest wait between them (a Retry-After of a minute), about 6 minutes.
 */
export const LONGEST_CALL_MS =
  MAX_ATTEMPTS * 2 * DEFAULT_TIMEOUT_MS + (MAX_ATTEMPTS - 1) * Math.max(MAX_RETRY_AFTER_S * 1000, MAX_BACKOFF_MS);
/** WebClient's own default: past this many calls at once, the next ones wait for a connection. */
const MAX_CONNECTIONS = 100;
/** Distinct Slack warnings remembered so that each is logged once; past this many the oldest is forgotten. */
const MAX_WARNINGS_REMEMBERED = 200;
/** Slack's words are cut to this length in a log line. */
const MAX_WARNING_LENGTH = 300;

/**
 * Methods Slack reads only form-encoded arguments for, whatever its docs say: files.getUploadURLExternal with a
 * JSON body answers `invalid_arguments` (shared/slack/PLATFORM.md). Its sibling goes the same way, as WebClient sends it.
 * chat.getPermalink is a read method: Slack takes JSON bodies on write methods only.
 */
const FORM_ENCODED_METHODS: ReadonlySet<string> = new Set([
  'files.getUploadURLExternal',
  'files.completeUploadExternal',
  'chat.getPermalink',
]);

/** Slack refused the call: `data.error` names why (`channel_not_found`, `expired_trigger_id`…). */
export class SlackApiError extends Error {
  readonly code = 'slack_webapi_platform_error';
  constructor(
    readonly method: string,
    readonly data: { ok: false; error: string } & Record<string, unknown>,
  ) {
    super(`${method}: ${data.error}`);
    this.name = 'SlackApiError';
  }
}

/**
 * True when a failed call may still have been carried out by Slack: it was sent, and no answer says it was
 * not (a timeout, a connection lost mid-call). Slack's refusals and HTTP answers, and connections that never
 * opened, say it was not.
 */
export function slackMayHaveActed(error: unknown): boolean {
  // A gateway timeout is Slack's front answering that Slack behind it did not in time: it may have done the call.
  if (error instanceof SlackHttpError) return error.statusCode === GATEWAY_TIMEOUT;
  if (error instanceof SlackApiError || error instanceof SlackCallAbandoned) return false;
  const code = errorCode(error);
  return code === undefined || !NEVER_CONNECTED_CODES.has(code);
}

/** Slack answered something other than its JSON: a 5xx after the retries, a 4xx, a body that is not JSON. */
export class SlackHttpError extends Error {
  readonly code = 'slack_webapi_http_error';
  constructor(
    readonly method: string,
    readonly statusCode: number,
    detail: string,
  ) {
    super(`${method}: ${detail}`);
    this.name = 'SlackHttpError';
  }
}

/**
 * A call given up unsent, or between two attempts (waiting out a rate limit, a backoff), because the client was cut
 * by a stop whose grace ran out: Slack did not act on it, so whatever it was for may be given back for later.
 */
class SlackCallAbandoned extends Error {
  readonly code = 'paylink_stopping';
  constructor(readonly method: string) {
    super(`${method}: not sent, paylink is stopping`);
    this.name = 'SlackCallAbandoned';
  }
}

type Answer = { ok: boolean; error?: unknown } & Record<string, unknown>;

/** An answer whose body did not end in time: sent, so Slack may have carried the call out (slackMayHaveActed). */
class SlackAnswerTooSlow extends Error {
  readonly code = 'paylink_answer_timeout';
  constructor(method: string, timeoutMs: number) {
    super(`${method}: answer not read within ${timeoutMs} ms`);
    this.name = 'SlackAnswerTooSlow';
  }
}

/** The answer's body within `timeoutMs`: undici's bodyTimeout bounds only each wait between two of its chunks. */
async function readWithin(method: string, body: Dispatcher.ResponseData['body'], timeoutMs: number): Promise<string> {
  const timer = setTimeout(() => body.destroy(new SlackAnswerTooSlow(method, timeoutMs)), timeoutMs);
  try {
    return await body.text();
  } finally {
    clearTimeout(timer);
  }
}

export function createSlackWebApi(options: SlackWebApiOptions): SlackWebApi {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const backoffMs = options.backoffMs ?? 250;
  const dispatcher = createOutboundDispatcher(options.proxy ?? {}, {
    connections: MAX_CONNECTIONS,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const authorization = `Bearer ${options.token}`;
  const jsonHeaders = {
    authorization,
    'content-type': 'application/json; charset=utf-8',
    'user-agent': options.userAgent,
  };
  const formHeaders = { ...jsonHeaders, 'content-type': 'application/x-www-form-urlencoded' };
  // Ends the waits between attempts when the client is cut: a rate limit of a minute would outlast the stop.
  const cut = new AbortController();
  const wait = async (name: string, ms: number) => {
    try {
      await sleep(ms, undefined, { signal: cut.signal });
    } catch (error) {
      if (cut.signal.aborted) throw new SlackCallAbandoned(name);
      throw error;
    }
  };
  const backoffWait = (attempt: number) => Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  const backoff = (name: string, attempt: number) => wait(name, backoffWait(attempt));
  const logWarnings = slackWarningLogger(options.logger);

  /**
   * POSTs `body` to `url` until Slack answers 200, within the retry rules above, and returns that answer with
   * its body unread; throws for anything else. `name` says what was sent, in errors and logs.
   */
  async function post(
    name: string,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array,
    retryBudgetMs = Number.POSITIVE_INFINITY,
  ) {
    const started = Date.now();
    const outlasts = (waitMs: number) => Date.now() + waitMs - started > retryBudgetMs;
    for (let attempt = 1; ; attempt++) {
      if (cut.signal.aborted) throw new SlackCallAbandoned(name);
      const last = attempt === MAX_ATTEMPTS;
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, { method: 'POST', headers, body, dispatcher });
      } catch (error) {
        const code = errorCode(error);
        if (last || code === undefined || !NEVER_CONNECTED_CODES.has(code) || outlasts(backoffWait(attempt)))
          throw error;
        await backoff(name, attempt);
        continue;
      }
      const { statusCode } = response;
      if (statusCode === 429) {
        await response.body.dump();
        const retryAfterS = Number(response.headers['retry-after'] ?? 1);
        const waitS = Number.isFinite(retryAfterS) && retryAfterS >= 0 ? retryAfterS : 1;
        if (last || waitS > MAX_RETRY_AFTER_S || outlasts(waitS * 1000)) {
          throw new SlackHttpError(name, 429, `rate limited for ${waitS} s`);
        }
        options.logger.warn({ event: 'slack_rate_limited', method: name, retry_after_s: waitS });
        await wait(name, waitS * 1000);
        continue;
      }
      if (statusCode >= 500 && statusCode !== GATEWAY_TIMEOUT && !last && !outlasts(backoffWait(attempt))) {
        await response.body.dump();
        await backoff(name, attempt);
        continue;
      }
      if (statusCode !== 200) {
        await response.body.dump();
        throw new SlackHttpError(name, statusCode, `HTTP ${statusCode}`);
      }
      return response;
    }
  }

  /** Calls `method` with the bot token, or with `token` when given. */
  async function call<Result>(method: string, args: object, token?: string): Promise<Result> {
    const form = FORM_ENCODED_METHODS.has(method);
    const body = form ? formEncode(args) : JSON.stringify(args);
    const headers = form ? formHeaders : jsonHeaders;
    const response = await post(
      method,
      `${options.apiUrl}${method}`,
      token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
      body,
      method === 'views.open' ? TRIGGER_RETRY_BUDGET_MS : undefined,
    );
    const text = await readWithin(method, response.body, timeoutMs);
    let answer: Answer;
    try {
      answer = JSON.parse(text) as Answer;
    } catch {
      throw new SlackHttpError(method, response.statusCode, 'answer is not JSON');
    }
    logWarnings(method, answer.response_metadata);
    if (answer.ok !== true) {
      throw new SlackApiError(method, { ...answer, ok: false, error: String(answer.error ?? 'unknown_error') });
    }
    return answer as Result;
  }

  return {
    views: {
      open: (args) => call('views.open', args),
      update: (args) => call('views.update', args),
      publish: (args) => call('views.publish', args),
    },
    chat: {
      postMessage: (args) => call('chat.postMessage', args),
      update: (args) => call('chat.update', args),
      getPermalink: (args) => call('chat.getPermalink', args),
    },
    conversations: {
      open: (args) => call('conversations.open', args),
    },
    apps: {
      connections: {
        open: ({ token }) => call('apps.connections.open', {}, token),
      },
    },
    files: {
      getUploadURLExternal: (args) => call('files.getUploadURLExternal', args),
      completeUploadExternal: (args) => call('files.completeUploadExternal', args),
      async upload(uploadUrl, bytes) {
        // Raw bytes, which Slack's upload URL takes as well as a multipart form; the token goes along, as WebClient's.
        const headers = { ...jsonHeaders, 'content-type': 'application/octet-stream' };
        const response = await post('file upload', uploadUrl, headers, bytes);
        await response.body.dump();
      },
    },
    respond: (responseUrl, message) =>
      postToResponseUrl(dispatcher, responseUrl, message, Math.min(timeoutMs, RESPONSE_URL_TIMEOUT_MS)),
    close: (cutInFlight = false) => {
      if (!cutInFlight) return dispatcher.close();
      cut.abort();
      return dispatcher.destroy();
    },
  };
}

/** Arguments as a form: strings as they are, numbers and booleans as text, objects and arrays as JSON (as WebClient does). */
function formEncode(args: object): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    form.append(name, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
  }
  return form.toString();
}

/**
 * Logs what Slack says about a call beside its answer, as its WebClient does, so that a deprecated argument or a
 * malformed block is noticed: `response_metadata.warnings` (`missing_charset`…) and `response_metadata.messages`
 * (`[WARN] …` at warn, `[ERROR] …` at error). Each (method, words) once per process: they repeat with every call.
 */
function slackWarningLogger(logger: Logger): (method: string, metadata: unknown) => void {
  const logged = new Set<string>();
  const firstTime = (method: string, words: string) => {
    const key = `${method} ${words}`;
    if (logged.has(key)) return false;
    if (logged.size >= MAX_WARNINGS_REMEMBERED) logged.delete(logged.values().next().value as string);
    logged.add(key);
    return true;
  };
  return (method, metadata) => {
    if (typeof metadata !== 'object' || metadata === null) return;
    const { warnings, messages } = metadata as { warnings?: unknown; messages?: unknown };
    for (const warning of stringsIn(warnings)) {
      if (firstTime(method, warning)) logger.warn({ event: 'slack_warning', method, warning });
    }
    for (const message of stringsIn(messages)) {
      if (!firstTime(method, message)) continue;
      const [, level, words = message] = /^\[(WARN|ERROR)\]\s*(.*)$/s.exec(message) ?? [];
      if (level === 'ERROR') logger.error({ event: 'slack_error_message', method, message: words });
      else logger.warn({ event: 'slack_warning', method, message: words });
    }
  };
}

/** The strings of an array from Slack's answer, cut for a log line; nothing for anything else. */
function stringsIn(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.slice(0, MAX_WARNING_LENGTH));
}
