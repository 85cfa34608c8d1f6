import { Server } from 'node:http';
import type { SocketModeReceiver } from '@slack/bolt';
import { describeTokenCheckFailure, slackErrorCode, TOKEN_CHECKS } from './errors.js';

// What paylink adds to Bolt's Socket Mode receiver: its failures to reconnect caught and told in one line, and the
// server its custom routes listen on.

/** Why Socket Mode could not start, in one line: a WebSocket that never opened, or Slack refusing the app-level token. */
export function describeSocketModeFailure(error: unknown, apiUrl: string): string {
  const code = slackErrorCode(error);
  if (code === WEBSOCKET_NOT_OPENED) {
    return `Slack's WebSocket did not open in ${SOCKET_MODE_REOPEN_TRIES} tries, though Slack's Web API gave its URL: let this host open wss:// connections to Slack's socket servers (*.slack.com, port 443; a firewall or a proxy refusing the upgrade)`;
  }
  return describeTokenCheckFailure('SLACK_APP_TOKEN', error, apiUrl);
}

/**
 * What catchReconnectionFailures reaches of Slack's socket client, whose members it needs are private in its types
 * (checked, not assumed).
 */
interface ReconnectingClient {
  delayReconnectAttempt?: (callback: (this: unknown) => Promise<unknown>) => Promise<unknown>;
  /** The client waits its ping timeout times this before a reconnection, which adds one. */
  numOfConsecutiveReconnectionFailures?: number;
  webClient?: { apps?: { connections?: { open?: (args?: object) => Promise<unknown> } } };
}

/**
 * After a drop, Slack's socket client opens a new connection from timers that leave their failure unhandled
 * (slackapi/node-slack-sdk#2656): `delayReconnectAttempt(this.start)`, and, after a failure it takes for a passing one,
 * `delayReconnectAttempt(this.retrieveWSSURL)` inside that start. A reconnection Slack refuses (`invalid_auth`), one
 * given up (Slack out of reach past the client's retries), or one a stop cuts short would end the process with an
 * unhandled rejection, cutting the links being created. Wrapped before the app starts, such a failure reaches
 * `onFailure` instead, and the attempt ends there (the start then stops with it). A refusal of the
 * app-level token that the client would ask about again for ever (`token_revoked`, `missing_scope`: not in its own
 * list) reaches `onFailure` too, and so does a WebSocket that did not open in `reopenTries` tries in a row given its
 * URL. `onFailure` is called once. Once `stopping`, a reconnection under way gets no URL, and a WebSocket opened all
 * the same is closed: the client's disconnect cannot cancel a start waiting for its URL, which would then take Slack's
 * requests after the stop, its links left with no Slack to post to. Slack recycling the connection (`disconnect`) is
 * no failure: the client reconnects at once. False when the client lacks the members wrapped.
 */
export function catchReconnectionFailures(
  client: SocketModeReceiver['client'],
  reopenTries: number,
  onFailure: (error: unknown) => void,
  stopping: () => boolean,
): boolean {
  const reconnecting = client as unknown as ReconnectingClient;
  const connections = reconnecting.webClient?.apps?.connections;
  if (
    typeof reconnecting.delayReconnectAttempt !== 'function' ||
    typeof reconnecting.numOfConsecutiveReconnectionFailures !== 'number' ||
    typeof connections?.open !== 'function'
  ) {
    return false;
  }
  let reported = false;
  const report = (error: unknown) => {
    if (reported) return;
    reported = true;
    onFailure(error);
  };
  // Slack recycles each connection every few hours (`disconnect`: `refresh_requested`, or `warning` a little before),
  // and the client closes it at once; it then waited its ping timeout (5 s by default, up to a minute) before opening
  // the next, while Slack had nowhere to send a rep's /paylink or Submit and refused them (dispatch_failed).
  let askedBySlack = false;
  client.on('ws_message', (data: unknown) => {
    if (isRefreshMessage(data)) askedBySlack = true;
  });
  const delay = reconnecting.delayReconnectAttempt.bind(client);
  reconnecting.delayReconnectAttempt = (callback) => {
    // The client adds one failure, then waits its ping timeout times their number: asked by Slack, none, no wait.
    if (askedBySlack) reconnecting.numOfConsecutiveReconnectionFailures = -1;
    askedBySlack = false;
    return delay(function (this: unknown) {
      // Failed, the attempt is left pending: what awaited it (a start, a URL) must not go on without one.
      return callback.apply(this).catch((error: unknown) => {
        report(error);
        return new Promise<never>(() => undefined);
      });
    });
  };
  const open = connections.open.bind(connections);
  // A WebSocket whose URL Slack's Web API gives but that does not open (a firewall letting slack.com through but not
  // Slack's socket servers, a proxy refusing the upgrade, those servers down): each try fails after a passing one, and
  // the client would try for ever, deaf, while /healthz said all was well. Only such tries count: a wait for the URL
  // (a rate limit on apps.connections.open, Slack's API failing) is the client's own retries.
  let urlGiven = false;
  let urlsNotOpened = 0;
  const never = () => new Promise<never>(() => undefined);
  connections.open = (args) =>
    stopping()
      ? never()
      : open(args).then(
          (answer) => {
            if (stopping()) return never();
            urlGiven = true;
            return answer;
          },
          (error: unknown) => {
            if (TOKEN_CHECKS.SLACK_APP_TOKEN.refusals.has(slackErrorCode(error))) report(error);
            throw error;
          },
        );
  client.on('reconnecting', () => {
    if (!urlGiven) return;
    urlGiven = false;
    urlsNotOpened += 1;
    if (urlsNotOpened >= reopenTries) {
      report(Object.assign(new Error('the WebSocket was not opened'), { code: WEBSOCKET_NOT_OPENED }));
    }
  });
  client.on('connected', () => {
    if (stopping()) void client.disconnect().catch(() => undefined);
    // Asked while a reconnection was already under way: that one answered it, not the next, unrelated, drop.
    askedBySlack = false;
    urlGiven = false;
    urlsNotOpened = 0;
  });
  return true;
}

/**
 * Slack's `{"type":"disconnect","reason":"refresh_requested"}` (small), told apart from the envelopes (whose payloads
 * may hold the word) without parsing each of them.
 */
function isRefreshMessage(data: unknown): boolean {
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data : undefined;
  if (text === undefined || text.length > MAX_DISCONNECT_MESSAGE_LENGTH || !text.includes('"disconnect"')) return false;
  try {
    const { type, reason } = JSON.parse(text.toString()) as { type?: unknown; reason?: unknown };
    return type === 'disconnect' && typeof reason === 'string' && REFRESH_REASONS.has(reason);
  } catch {
    return false;
  }
}

/**
 * Slack recycling a connection. Not `link_disabled` (Socket Mode turned off for the app): reconnecting at once would
 * loop as fast as Slack answers.
 */
const REFRESH_REASONS: ReadonlySet<string> = new Set(['refresh_requested', 'warning']);

const MAX_DISCONNECT_MESSAGE_LENGTH = 2_048;

/** The error code of a WebSocket Slack gave the URL of that did not open in SOCKET_MODE_REOPEN_TRIES tries. */
const WEBSOCKET_NOT_OPENED = 'websocket_not_reopened';

/**
 * Tries in a row whose WebSocket did not open, though Slack gave its URL, after which it is lost: Slack's socket
 * client waits a ping timeout (SLACK_SOCKET_PING_TIMEOUT_MS, 5 s by default) or more before each, so a minute or more.
 */
export const SOCKET_MODE_REOPEN_TRIES = 12;

/** The http.Server Bolt's Socket Mode receiver serves custom routes on (a private field: checked, not assumed). */
export function routesServerOf(receiver: SocketModeReceiver): Server | undefined {
  const server = (receiver as unknown as { httpServer?: unknown }).httpServer;
  return server instanceof Server ? server : undefined;
}
