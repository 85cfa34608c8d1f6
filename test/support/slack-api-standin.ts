import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { blockKitProblems } from './block-kit-limits.js';
import { slackJson } from './slack-json.js';
import {
  APP_ID,
  BOT_ID,
  BOT_USER_ID,
  BOT_USER_NAME,
  fakeTriggerId,
  TEAM_DOMAIN,
  TEAM_ID,
  TEAM_NAME,
} from './slack-workspace.js';

/**
 * A stand-in for Slack's Web API and for the `response_url` webhooks Slack hands out, on a loopback port,
 * so integration tests run the real app (pass `apiUrl` as its `slackApiUrl`) and watch what it asks of Slack.
 *
 * It answers as Slack does: HTTP 200 with `{ok: true, ...}` or `{ok: false, error}`, HTTP 429 with `Retry-After`
 * when rate limited. Error names are those of Slack's method reference (docs.slack.dev/reference/methods/<method>):
 * - views.open / views.push: `invalid_trigger_id` (unknown), `expired_trigger_id` (older than 3 s),
 *   `exchanged_trigger_id` (already used), `duplicate_external_id`;
 * - views.update: `not_found` (unknown view_id / external_id), `hash_conflict` (stale `hash`);
 * - views.publish: `invalid_arguments` (no user, not a `home` view, over 100 blocks), `hash_conflict`;
 * - files.getUploadURLExternal: `invalid_arguments` for a JSON body (live Slack reads only a form here, PLATFORM.md)
 *   or without filename and length, `missing_argument` for a length of 0; the bytes POSTed to its `upload_url` are
 *   kept (`uploadedFiles`);
 * - files.completeUploadExternal: `invalid_arguments` without `files`, `file_not_found` for a file never issued or
 *   whose bytes never came; with `channel_id` the file is shared there as a message carrying it;
 * - chat.*: `channel_not_found` for a private channel or DM the bot is not in (see `accessibleChannel`; a `D…` or `G…`
 *   id neither configured nor given by conversations.open is one), `message_not_found` for chat.update of a message
 *   never posted, `no_text` for a message without content, `invalid_blocks` / `invalid_attachments` for blocks past
 *   Block Kit's limits (test/support/block-kit-limits.ts), `msg_too_long` for a chat.update `text` over 4,000
 *   characters, `invalid_thread_ts` for a `thread_ts` that is not a message timestamp; chat.update with `text` and no
 *   `blocks` drops the message's blocks, as its reference says;
 * - views.open / views.update / views.publish: `invalid_arguments` for a view past Block Kit's limits (title, buttons,
 *   private_metadata, 100 blocks, input blocks without `submit`…);
 * - conversations.open: `user_not_found` for anything but a user id, `cannot_dm_bot` for the bot itself;
 * - response_url: HTTP 404 `used_url` past its 5 uses, `expired_url` past its 30 minutes, HTTP 400 `invalid_blocks`;
 * - any method: `not_authed` / `invalid_auth` without a bot token, `unknown_method`.
 *
 * It is also Slack's side of Socket Mode (docs.slack.dev/apis/events-api/using-socket-mode): `apps.connections.open`,
 * called with the app-level token (`xapp-…`; a bot or user token gets `not_allowed_token_type`), answers a single-use
 * `ws://` URL on this same port; the WebSocket opened there gets Slack's `hello`, then carries the envelopes of
 * `sendEnvelope` and the app's acks for them.
 */

export type ChannelKind = 'public' | 'private' | 'im';

export interface ChannelSetup {
  kind: ChannelKind;
  botIsMember: boolean;
}

export interface SlackApiStandinOptions {
  /** Conversations by id; any other id is a public channel the bot has not joined. */
  channels?: Record<string, ChannelSetup>;
  /** How long a trigger_id stays usable: Slack's 3 s by default; shorter lets a test see one expire at once. */
  triggerLifetimeMs?: number;
}

/** One Web API request as the app sent it (faulted and refused calls included). */
export interface SlackApiCall {
  method: string;
  /** The arguments, JSON-encoded ones parsed; `{ unparsed: <body> }` when the body was not valid form or JSON. */
  args: Record<string, unknown>;
  /** Date.now() when the request arrived, before its body was read: the standin's own work is not the app's. */
  at: number;
}

/** One JSON body the app posted to a `response_url` issued by `responseUrl()`. */
export interface ResponseUrlPost {
  url: string;
  body: unknown;
  at: number;
}

/** What `failNext` makes a method answer: an error name (`{ok: false, error}`), or Slack's rate limiting. */
/**
 * A refusal (Slack's error name), a rate limit, or a gateway timeout (504) answered once Slack behind it carried the
 * call out all the same.
 */
export type SlackApiFault = string | { status: 429; retryAfterSeconds: number } | { status: 504; carriedOut: true };

/** What Slack adds to its answers about a call: `warnings` (`missing_charset`…), `messages` (`[WARN] …`, `[ERROR] …`). */
export interface ResponseMetadata {
  warnings?: string[];
  messages?: string[];
}

/** The Socket Mode envelope types carrying what this app listens to: slash commands and interactions. */
export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the app sent back over the socket for one envelope. */
export interface SocketModeAck {
  envelope_id: string;
  /** The ack's body: `{}` for a bare ack, else what an HTTP app would answer (e.g. `{response_action: 'errors'}`). */
  payload: Record<string, unknown>;
  /** From sending the envelope to receiving its ack: Slack gives up after 3 s. */
  elapsedMs: number;
}

/** One Socket Mode WebSocket the app opened with a URL from `apps.connections.open`. */
export interface SocketModeConnection {
  /** When Slack's `hello` was sent on it. */
  openedAt: number;
  /** When it closed (the app disconnecting, or the standin closing); absent while open. */
  closedAt?: number;
  /** The WebSocket close code: 1000 when the app said goodbye, 1006 when the connection just dropped. */
  closeCode?: number;
}

/** A file of the external upload, as the standin holds it. */
export interface UploadedFile {
  id: string;
  /** As given to files.getUploadURLExternal. */
  filename: string;
  declaredLength: number;
  /** What was POSTed to the upload URL; undefined until then. */
  bytes?: Buffer;
  /** The title files.completeUploadExternal gave; undefined until completed. */
  title?: string;
  /** Where the completion shared it. */
  channels: string[];
}

/** A modal as Slack holds it: the view the app sent plus the fields Slack adds. */
export type DisplayedView = Record<string, unknown> & { id: string; hash: string; root_view_id: string };

export interface SlackApiStandin {
  /** Base URL of the Web API, ending with `/api/` like `https://slack.com/api/`. */
  readonly apiUrl: string;
  readonly calls: readonly SlackApiCall[];
  readonly responses: readonly ResponseUrlPost[];
  callsTo(method: string): SlackApiCall[];
  /** Resolves with the first call to `method` matching `predicate`, whether it already happened or comes later. */
  waitForCall(method: string, predicate?: (call: SlackApiCall) => boolean, timeoutMs?: number): Promise<SlackApiCall>;
  /**
   * Calls `listener` with every Web API call as it arrives, before it is answered, until the returned function
   * is called. For a caller following many calls at once (the bench): each `waitForCall` first scans the
   * whole log, this costs nothing per call already seen.
   */
  onCall(listener: (call: SlackApiCall) => void): () => void;
  /** A trigger id as Slack puts in a command or interaction payload: usable once, within 3 s of this call. */
  issueTriggerId(): string;
  /** The messages a conversation holds now, each as last updated, oldest first. */
  messagesIn(channel: string): Record<string, unknown>[];
  /** Modals currently held (opened or pushed), oldest first, each as last updated. */
  displayedViews(): DisplayedView[];
  /** The Home tab last published for `user`, as Slack holds it; undefined when none was. */
  homeView(user: string): DisplayedView | undefined;
  /** Files of external uploads, in the order their upload URLs were issued. */
  uploadedFiles(): UploadedFile[];
  /**
   * The next `times` calls to `method` (those whose arguments `when` accepts, when given) answer with `fault` instead of
   * being carried out.
   */
  failNext(
    method: string,
    fault: SlackApiFault,
    times?: number,
    when?: (args: Record<string, unknown>) => boolean,
  ): void;
  /** Holds every answer of `method` back by `ms` (0 removes the delay). */
  setDelay(method: string, ms: number): void;
  /**
   * Every answer of `method`, success or refusal, carries this `response_metadata` (undefined removes it), as Slack's
   * do for a deprecated argument or a malformed block; warnings also go in the top-level `warning`, as Slack puts them.
   */
  setResponseMetadata(method: string, metadata: ResponseMetadata | undefined): void;
  /** A fresh `response_url` on this standin; what is posted to it lands in `responses`. */
  responseUrl(): string;
  /** Resolves with the first `response_url` post matching `predicate`, whether it already happened or comes later. */
  waitForResponse(predicate?: (post: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
  /** Socket Mode connections the app opened, oldest first. */
  readonly socketConnections: readonly SocketModeConnection[];
  /** Resolves with the first open Socket Mode connection, whether it opened already or opens later. */
  waitForSocketConnection(timeoutMs?: number): Promise<SocketModeConnection>;
  /**
   * Delivers `payload` over the newest open Socket Mode connection as Slack does
   * (`{envelope_id, type, payload, accepts_response_payload: true}`) and resolves with the app's ack for it;
   * rejects when no connection is open or no ack comes within `timeoutMs`.
   */
  sendEnvelope(type: SocketEnvelopeType, payload: object, timeoutMs?: number): Promise<SocketModeAck>;
  /** Drops every open Socket Mode connection without a close frame, as a network failure does (close code 1006). */
  dropSocketConnections(): void;
  /**
   * Asks the app to reconnect on every open Socket Mode connection, as Slack does every few hours when it recycles
   * them (`{type: 'disconnect', reason: 'refresh_requested'}`); the connections stay open until the app closes them.
   */
  askToReconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  /** Closes the Web API and the Socket Mode connections; pending `sendEnvelope` calls reject. */
  close(): Promise<void>;
}

type WebApiArgs = Record<string, unknown>;
type WebApiRefusal = { ok: false; error: string };
type WebApiAnswer = ({ ok: true } & Record<string, unknown>) | WebApiRefusal;

/** Slack's: a trigger_id must be used within 3 seconds. */
const TRIGGER_LIFETIME_MS = 3_000;
const DEFAULT_WAIT_MS = 5_000;
/** Form-encoded arguments that @slack/web-api serializes as JSON strings. */
const JSON_ENCODED_ARGS = new Set(['view', 'blocks', 'attachments', 'metadata', 'files']);
/**
 * Methods whose arguments live Slack reads only from a form: a JSON body gets `invalid_arguments` (PLATFORM.md).
 * chat.getPermalink is a read method: its reference page lists only application/x-www-form-urlencoded, and a JSON body
 * is answered "[ERROR] missing required field: channel / message_ts" (stoiveyp/Slack.NetStandard#45).
 */
const FORM_ONLY_METHODS = new Set(['files.getUploadURLExternal', 'chat.getPermalink']);
/** Slack's cap on the blocks of a Home tab. */
const MAX_HOME_BLOCKS = 100;
/** chat.update's `msg_too_long`: "The `text` field cannot exceed 4,000 characters." */
const MAX_UPDATE_TEXT = 4000;
/** A response_url: "up to 5 times within 30 minutes" (Slack's interactivity docs). */
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
/** A message timestamp as Slack writes them: seconds, a dot, microseconds. */
const MESSAGE_TS = /^\d+\.\d+$/;
/** Where files.getUploadURLExternal sends the bytes; Slack's look like `https://files.slack.com/upload/v1/…`. */
const UPLOAD_PATH = '/upload/';
/** Message timestamps start here and grow by 100 µs per message, so they are unique and increasing. */
const FIRST_MESSAGE_TS_SECONDS = 1_700_000_000;
/** Where `apps.connections.open` sends the app; Slack's URLs look like `wss://wss-primary.slack.com/link/?ticket=…`. */
const SOCKET_MODE_PATH = '/link/';

const refuse = (error: string): WebApiRefusal => ({ ok: false, error });

export async function startSlackApiStandin(options: SlackApiStandinOptions = {}): Promise<SlackApiStandin> {
  const callLog = new WaitableLog<SlackApiCall>();
  const responseLog = new WaitableLog<ResponseUrlPost>();
  const channels = new Map<string, ChannelSetup>(Object.entries(options.channels ?? {}));
  const triggers = new Map<string, { issuedAt: number; exchanged: boolean }>();
  const views = new Map<string, DisplayedView>();
  const homeViews = new Map<string, DisplayedView>();
  const files = new Map<string, UploadedFile>();
  const viewIdsByExternalId = new Map<string, string>();
  const messages = new Map<string, Record<string, unknown>>();
  const conversationIdsByUsers = new Map<string, string>();
  const faults = new Map<string, { fault: SlackApiFault; when?: (args: Record<string, unknown>) => boolean }[]>();
  const delays = new Map<string, number>();
  const metadataByMethod = new Map<string, ResponseMetadata>();
  const responseUrlIds = new Map<string, { issuedAt: number; uses: number }>();
  const socketTickets = new Set<string>();
  const socketLog = new WaitableLog<SocketModeConnection>();
  const openSockets = new Map<WebSocket, SocketModeConnection>();
  const pendingAcks = new Map<string, PendingAck>();
  let idCount = 0;
  let messageCount = 0;

  const nextId = (prefix: string) => `${prefix}${String(++idCount).padStart(8, '0')}`;
  const nextViewHash = () => `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  const messageKey = (channel: string, ts: string) => `${channel}/${ts}`;

  function nextMessageTs(): string {
    const micros = ++messageCount * 100;
    return `${FIRST_MESSAGE_TS_SECONDS + Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /**
   * The conversation id if the bot may use it, else Slack's refusal. With chat:write.public the bot reaches any
   * public channel, joined or not; private channels and DMs only as a member. Slack hides a private conversation
   * from non-members, so those answer `channel_not_found` (confirmed by reports on chat.postMessage to private
   * channels and to other people's DMs); `not_in_channel` is a public channel refusing a token without
   * chat:write.public, which this app never is, so it is not modelled (inject it with `failNext` if needed).
   */
  function accessibleChannel(channel: unknown): string | WebApiRefusal {
    if (typeof channel !== 'string' || channel === '') return refuse('channel_not_found');
    // A DM (D…) or a private conversation (G…) the test did not set up and conversations.open did not give is someone
    // else's: Slack hides it from the bot.
    const unknown: ChannelSetup = /^[DG]/.test(channel)
      ? { kind: channel.startsWith('D') ? 'im' : 'private', botIsMember: false }
      : { kind: 'public', botIsMember: false };
    const setup = channels.get(channel) ?? unknown;
    return setup.kind === 'public' || setup.botIsMember ? channel : refuse('channel_not_found');
  }

  function exchangeTrigger(triggerId: unknown): WebApiRefusal | undefined {
    const trigger = typeof triggerId === 'string' ? triggers.get(triggerId) : undefined;
    if (trigger === undefined) return refuse('invalid_trigger_id');
    if (trigger.exchanged) return refuse('exchanged_trigger_id');
    if (Date.now() - trigger.issuedAt > (options.triggerLifetimeMs ?? TRIGGER_LIFETIME_MS))
      return refuse('expired_trigger_id');
    trigger.exchanged = true;
    return undefined;
  }

  /** The view the app sent, completed with the fields Slack returns (see views.open's example response). */
  function holdView(view: Record<string, unknown>, id: string, state: unknown): DisplayedView {
    const held: DisplayedView = {
      type: 'modal',
      private_metadata: '',
      callback_id: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      previous_view_id: null,
      ...view,
      id,
      team_id: TEAM_ID,
      state,
      hash: nextViewHash(),
      root_view_id: id,
      app_id: APP_ID,
      bot_id: BOT_ID,
    };
    views.set(id, held);
    return held;
  }

  /**
   * Slack refuses a view past Block Kit's limits with `invalid_arguments` (its `response_metadata.messages` saying
   * which): undefined when `view` is one Slack takes.
   */
  function viewRefusal(view: Record<string, unknown>, surface: 'modal' | 'home'): WebApiRefusal | undefined {
    if (view.type !== surface) return refuse('invalid_arguments');
    return slackRefuses(blockKitProblems(surface, view)).length > 0 ? refuse('invalid_arguments') : undefined;
  }

  /**
   * Slack refuses blocks or attachments past Block Kit's limits (`invalid_blocks`, `invalid_attachments`). The
   * advice the checker gives about `text` (present, readable length) is not a refusal: Slack warns, or truncates.
   */
  function messageRefusal(args: WebApiArgs): WebApiRefusal | undefined {
    const problems = blockKitProblems('message', { text: 'x', blocks: args.blocks, attachments: args.attachments });
    const hard = slackRefuses(problems).filter((problem) => !/^attachments\[\d+\]\.fallback:/.test(problem));
    if (hard.some((problem) => problem.startsWith('blocks'))) return refuse('invalid_blocks');
    if (hard.length > 0) return refuse('invalid_attachments');
    return undefined;
  }

  /** views.open and views.push: both exchange a trigger for a new modal. */
  function openView(args: WebApiArgs): WebApiAnswer {
    const view = asObject(args.view);
    if (view === undefined) return refuse('invalid_arguments');
    const invalid = viewRefusal(view, 'modal');
    if (invalid !== undefined) return invalid;
    const externalId = typeof view.external_id === 'string' && view.external_id !== '' ? view.external_id : undefined;
    if (externalId !== undefined && viewIdsByExternalId.has(externalId)) return refuse('duplicate_external_id');
    const triggerRefusal = exchangeTrigger(args.trigger_id);
    if (triggerRefusal !== undefined) return triggerRefusal;
    const held = holdView(view, nextId('V'), { values: {} });
    if (externalId !== undefined) viewIdsByExternalId.set(externalId, held.id);
    return { ok: true, view: held };
  }

  function updateView(args: WebApiArgs): WebApiAnswer {
    const view = asObject(args.view);
    if (view === undefined) return refuse('invalid_arguments');
    const id = typeof args.view_id === 'string' ? args.view_id : viewIdsByExternalId.get(String(args.external_id));
    const current = id === undefined ? undefined : views.get(id);
    if (current === undefined) return refuse('not_found');
    if (typeof args.hash === 'string' && args.hash !== current.hash) return refuse('hash_conflict');
    const invalid = viewRefusal(view, 'modal');
    if (invalid !== undefined) return invalid;
    return { ok: true, view: holdView(view, current.id, current.state) };
  }

  /** The message Slack stores for a bot post: the content arguments plus the bot's identity. */
  function botMessage(args: WebApiArgs, ts: string): Record<string, unknown> {
    const message: Record<string, unknown> = {
      type: 'message',
      subtype: 'bot_message',
      text: args.text ?? '',
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      app_id: APP_ID,
      team: TEAM_ID,
      ts,
    };
    for (const key of ['blocks', 'attachments', 'metadata', 'thread_ts']) {
      if (args[key] !== undefined) message[key] = args[key];
    }
    return message;
  }

  const hasContent = (args: WebApiArgs) =>
    [args.text, args.blocks, args.attachments].some((content) => content !== undefined && content !== '');

  const methods: Record<string, (args: WebApiArgs) => WebApiAnswer> = {
    'auth.test': () => ({
      ok: true,
      url: `https://${TEAM_DOMAIN}.slack.com/`,
      team: TEAM_NAME,
      user: BOT_USER_NAME,
      team_id: TEAM_ID,
      user_id: BOT_USER_ID,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),
    'apps.connections.open': () => {
      const ticket = randomUUID();
      socketTickets.add(ticket);
      return { ok: true, url: `${origin.replace(/^http/, 'ws')}${SOCKET_MODE_PATH}?ticket=${ticket}&app_id=${APP_ID}` };
    },
    'views.open': openView,
    'views.push': openView,
    'views.update': updateView,
    'views.publish': (args) => {
      const view = asObject(args.view);
      const user = typeof args.user_id === 'string' ? args.user_id : '';
      const blocks = Array.isArray(view?.blocks) ? view.blocks : [];
      if (view === undefined || user === '' || view.type !== 'home' || blocks.length > MAX_HOME_BLOCKS) {
        return refuse('invalid_arguments');
      }
      const invalid = viewRefusal(view, 'home');
      if (invalid !== undefined) return invalid;
      const current = homeViews.get(user);
      if (typeof args.hash === 'string' && args.hash !== current?.hash) return refuse('hash_conflict');
      const held = holdView(view, current?.id ?? nextId('V'), { values: {} });
      // A Home tab is not a modal: held apart from displayedViews().
      views.delete(held.id);
      homeViews.set(user, held);
      return { ok: true, view: held };
    },
    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (typeof args.filename !== 'string' || args.filename === '' || args.length === undefined) {
        return refuse('invalid_arguments');
      }
      if (!Number.isInteger(length) || length < 0) return refuse('invalid_arguments');
      if (length === 0) return refuse('missing_argument');
      const id = nextId('F');
      files.set(id, { id, filename: args.filename, declaredLength: length, channels: [] });
      return { ok: true, upload_url: `${origin}${UPLOAD_PATH}${id}`, file_id: id };
    },
    'files.completeUploadExternal': (args) => {
      const completed = Array.isArray(args.files) ? args.files.map(asObject) : [];
      if (completed.length === 0 || completed.some((file) => typeof file?.id !== 'string')) {
        return refuse('invalid_arguments');
      }
      const held = completed.map((file) => files.get(String(file?.id)));
      if (held.some((file) => file?.bytes === undefined)) return refuse('file_not_found');
      const channel = args.channel_id === undefined ? undefined : accessibleChannel(args.channel_id);
      if (typeof channel === 'object') return channel;
      const shared = held.flatMap((file, index) => {
        if (file === undefined) return [];
        const title = completed[index]?.title;
        file.title = typeof title === 'string' ? title : file.filename;
        if (channel !== undefined) file.channels.push(channel);
        return [{ id: file.id, name: file.filename, title: file.title, size: file.bytes?.length ?? 0 }];
      });
      if (channel !== undefined) {
        const ts = nextMessageTs();
        const text = typeof args.initial_comment === 'string' ? args.initial_comment : '';
        messages.set(messageKey(channel, ts), { ...botMessage({ text }, ts), subtype: 'file_share', files: shared });
      }
      return { ok: true, files: shared.map(({ id, title }) => ({ id, title })) };
    },
    'chat.postMessage': (args) => {
      const channel = accessibleChannel(args.channel);
      if (typeof channel !== 'string') return channel;
      if (!hasContent(args)) return refuse('no_text');
      if (args.thread_ts !== undefined && !MESSAGE_TS.test(String(args.thread_ts))) return refuse('invalid_thread_ts');
      const invalid = messageRefusal(args);
      if (invalid !== undefined) return invalid;
      const ts = nextMessageTs();
      const message = botMessage(args, ts);
      messages.set(messageKey(channel, ts), message);
      return { ok: true, channel, ts, message };
    },
    'chat.update': (args) => {
      const channel = accessibleChannel(args.channel);
      if (typeof channel !== 'string') return channel;
      const ts = String(args.ts);
      const current = messages.get(messageKey(channel, ts));
      if (current === undefined) return refuse('message_not_found');
      if (!hasContent(args)) return refuse('no_text');
      if (typeof args.text === 'string' && args.text.length > MAX_UPDATE_TEXT) return refuse('msg_too_long');
      const invalid = messageRefusal(args);
      if (invalid !== undefined) return invalid;
      // Slack keeps what the update leaves out (attachments, metadata, thread) and marks the message edited, but not
      // the blocks when `text` comes without them: "If the text argument is provided and blocks are not provided, the
      // blocks will be removed, and the provided text will be used for message rendering" (chat.update's reference).
      const message: Record<string, unknown> = {
        ...current,
        ...botMessage(args, ts),
        edited: { user: BOT_USER_ID, ts: nextMessageTs() },
      };
      if (args.blocks === undefined && args.text !== undefined) delete message.blocks;
      messages.set(messageKey(channel, ts), message);
      return { ok: true, channel, ts, text: message.text, message };
    },
    'chat.postEphemeral': (args) => {
      const channel = accessibleChannel(args.channel);
      if (typeof channel !== 'string') return channel;
      if (typeof args.user !== 'string' || args.user === '') return refuse('user_not_found');
      if (!hasContent(args)) return refuse('no_text');
      return { ok: true, message_ts: nextMessageTs() };
    },
    'conversations.open': (args) => {
      const users = String(args.users ?? '')
        .split(',')
        .map((user) => user.trim())
        .filter((user) => user !== '');
      if (users.length === 0) return refuse('users_list_not_supplied');
      if (users.some((user) => !/^[UW][A-Z0-9]+$/.test(user))) return refuse('user_not_found');
      if (users.includes(BOT_USER_ID)) return refuse('cannot_dm_bot');
      const usersKey = [...users].sort().join(',');
      const existing = conversationIdsByUsers.get(usersKey);
      if (existing !== undefined) return { ok: true, no_op: true, already_open: true, channel: { id: existing } };
      // One user: a DM (D…); several: a group DM, private to its members (G…). Either way the bot is in it.
      const id = nextId(users.length === 1 ? 'D' : 'G');
      conversationIdsByUsers.set(usersKey, id);
      channels.set(id, { kind: users.length === 1 ? 'im' : 'private', botIsMember: true });
      return { ok: true, channel: { id } };
    },
    'chat.getPermalink': (args) => {
      const channel = accessibleChannel(args.channel);
      if (typeof channel !== 'string') return channel;
      if (typeof args.message_ts !== 'string' || args.message_ts === '') return refuse('message_not_found');
      const threadTs = messages.get(messageKey(channel, args.message_ts))?.thread_ts;
      const permalink = `https://${TEAM_DOMAIN}.slack.com/archives/${channel}/p${args.message_ts.replace('.', '')}`;
      return {
        ok: true,
        channel,
        permalink: typeof threadTs === 'string' ? `${permalink}?thread_ts=${threadTs}&cid=${channel}` : permalink,
      };
    },
  };

  /** The first fault set for `method` that applies to a call with `args`, taken off the list. */
  function takeFault(method: string, args: Record<string, unknown>): SlackApiFault | undefined {
    const pending = faults.get(method) ?? [];
    const index = pending.findIndex((entry) => entry.when === undefined || entry.when(args));
    return index === -1 ? undefined : pending.splice(index, 1)[0]?.fault;
  }

  async function answerWebApi(
    method: string,
    request: IncomingMessage,
    rawBody: string,
    arrivedAt: number,
    response: ServerResponse,
  ) {
    const args = parseWebApiArgs(request.headers['content-type'], rawBody);
    callLog.add({ method, args: args ?? { unparsed: rawBody }, at: arrivedAt });
    const delayMs = delays.get(method);
    if (delayMs !== undefined) await sleep(delayMs);
    const fault = takeFault(method, args ?? {});
    if (typeof fault === 'object' && fault.status === 429) {
      response.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return sendJson(response, 429, refuse('ratelimited'));
    }
    const metadata = metadataByMethod.get(method);
    const answer = (body: WebApiAnswer) =>
      sendJson(
        response,
        200,
        metadata === undefined
          ? body
          : {
              ...body,
              ...(metadata.warnings && { warning: metadata.warnings.join(',') }),
              response_metadata: metadata,
            },
      );
    if (typeof fault === 'string') return answer(refuse(fault));
    if (args === undefined) return answer(refuse('invalid_form_data'));
    if (FORM_ONLY_METHODS.has(method) && request.headers['content-type']?.startsWith('application/json')) {
      // Live Slack reads nothing from the JSON body here, so the required arguments are "missing".
      return answer(refuse('invalid_arguments'));
    }
    const authRefusal =
      method === 'apps.connections.open' ? checkAppToken(request.headers) : checkBotToken(request.headers, args);
    if (authRefusal !== undefined) return answer(authRefusal);
    const carryOut = methods[method];
    const result = carryOut === undefined ? refuse('unknown_method') : carryOut(args);
    if (fault?.status === 504) {
      response.writeHead(504, { 'Content-Type': 'text/html' }).end('<html><body>504 Gateway Time-out</body></html>');
      return;
    }
    answer(result);
  }

  /**
   * The bytes of an external upload, raw (as paylink sends them) or as the file of a multipart form (as WebClient
   * does): both are Slack's documented ways. 200 `OK - <length>`, as Slack answers.
   */
  async function answerUpload(path: string, request: IncomingMessage, body: Buffer, response: ServerResponse) {
    const file = files.get(path.slice(UPLOAD_PATH.length));
    if (file === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const contentType = request.headers['content-type'] ?? '';
    let bytes = body;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      const part = [...form.values()].find((value): value is File => typeof value !== 'string');
      bytes = Buffer.from(part ? await part.arrayBuffer() : new ArrayBuffer(0));
    }
    file.bytes = bytes;
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end(`OK - ${bytes.length}`);
  }

  function answerResponseUrl(path: string, rawBody: string, response: ServerResponse) {
    const issued = responseUrlIds.get(path.slice('/response/'.length));
    if (issued === undefined) {
      return sendJson(response, 404, { ok: false, error: 'response_url not issued by this standin' });
    }
    if (Date.now() - issued.issuedAt > RESPONSE_URL_LIFETIME_MS) {
      return sendJson(response, 404, { ok: false, error: 'expired_url' });
    }
    if (issued.uses >= RESPONSE_URL_USES) return sendJson(response, 404, { ok: false, error: 'used_url' });
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return sendJson(response, 400, { ok: false, error: 'invalid_payload' });
    }
    const message = asObject(body) ?? {};
    if (!hasContent(message)) return sendJson(response, 400, { ok: false, error: 'no_text' });
    if (messageRefusal(message) !== undefined) return sendJson(response, 400, { ok: false, error: 'invalid_blocks' });
    issued.uses += 1;
    responseLog.add({ url: `${origin}${path}`, body, at: Date.now() });
    sendJson(response, 200, { ok: true });
  }

  const server = createServer((request, response) => {
    const arrivedAt = Date.now();
    readBody(request)
      .then((bytes) => {
        const path = new URL(request.url ?? '/', origin).pathname;
        const rawBody = bytes.toString('utf8');
        if (request.method === 'POST' && path.startsWith('/api/')) {
          return answerWebApi(path.slice('/api/'.length), request, rawBody, arrivedAt, response);
        }
        if (request.method === 'POST' && path.startsWith('/response/')) {
          return answerResponseUrl(path, rawBody, response);
        }
        if (request.method === 'POST' && path.startsWith(UPLOAD_PATH)) {
          return answerUpload(path, request, bytes, response);
        }
        sendJson(response, 404, { ok: false, error: 'not_found' });
      })
      .catch((error: unknown) => sendJson(response, 500, { ok: false, error: String(error) }));
  });
  const socketServer = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', origin);
    const ticket = url.searchParams.get('ticket') ?? '';
    // Each apps.connections.open URL is good for one connection, as Slack's are.
    if (url.pathname !== SOCKET_MODE_PATH || !socketTickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    socketServer.handleUpgrade(request, socket, head, acceptSocketModeConnection);
  });

  function acceptSocketModeConnection(socket: WebSocket): void {
    const connection: SocketModeConnection = { openedAt: Date.now() };
    openSockets.set(socket, connection);
    socket.on('message', (data) => settleAck(data));
    socket.on('close', (code) => {
      openSockets.delete(socket);
      connection.closedAt = Date.now();
      connection.closeCode = code;
    });
    // A peer vanishing mid-frame emits 'error' before 'close'; unheard, it would crash the test process.
    socket.on('error', () => {});
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: openSockets.size,
        debug_info: { host: 'applink-standin', build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: APP_ID },
      }),
    );
    socketLog.add(connection);
  }

  /** An ack is `{envelope_id, payload}`; anything else on the socket is not for an envelope and is ignored. */
  function settleAck(data: RawData): void {
    const ack = asObject(parseJsonOrKeep(data.toString()));
    const envelopeId = typeof ack?.envelope_id === 'string' ? ack.envelope_id : '';
    const pending = pendingAcks.get(envelopeId);
    if (ack === undefined || pending === undefined) return;
    pending.settle({
      envelope_id: envelopeId,
      payload: asObject(ack.payload) ?? {},
      elapsedMs: performance.now() - pending.sentAt,
    });
  }

  function sendEnvelope(
    type: SocketEnvelopeType,
    payload: object,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<SocketModeAck> {
    const socket = [...openSockets.keys()].findLast((candidate) => candidate.readyState === WebSocket.OPEN);
    if (socket === undefined) {
      return Promise.reject(new Error('No open Socket Mode connection: was the app started with an app-level token?'));
    }
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new Error(`No ack for the ${type} envelope ${envelopeId} (waited ${timeoutMs} ms)`)),
        timeoutMs,
      );
      const settle = (outcome: SocketModeAck | Error) => {
        clearTimeout(timer);
        pendingAcks.delete(envelopeId);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      pendingAcks.set(envelopeId, { sentAt: performance.now(), settle });
      socket.send(slackJson({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
    });
  }

  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${origin}/api/`,
    calls: callLog.entries,
    responses: responseLog.entries,
    callsTo: (method) => callLog.entries.filter((call) => call.method === method),
    waitForCall: (method, predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
      callLog.waitFor(
        (call) => call.method === method && predicate(call),
        timeoutMs,
        () =>
          `No matching ${method} call; calls so far: ${callLog.entries.map((call) => call.method).join(', ') || 'none'}`,
      ),
    onCall: (listener) => callLog.subscribe(listener),
    issueTriggerId: () => {
      const triggerId = fakeTriggerId();
      triggers.set(triggerId, { issuedAt: Date.now(), exchanged: false });
      return triggerId;
    },
    displayedViews: () => [...views.values()],
    homeView: (user) => homeViews.get(user),
    uploadedFiles: () => [...files.values()],
    messagesIn: (channel) =>
      [...messages.entries()].filter(([key]) => key.startsWith(`${channel}/`)).map(([, message]) => message),
    failNext: (method, fault, times = 1, when) => {
      const added = Array.from({ length: times }, () => ({ fault, ...(when ? { when } : {}) }));
      faults.set(method, [...(faults.get(method) ?? []), ...added]);
    },
    setDelay: (method, ms) => {
      if (ms > 0) delays.set(method, ms);
      else delays.delete(method);
    },
    setResponseMetadata: (method, metadata) => {
      if (metadata) metadataByMethod.set(method, metadata);
      else metadataByMethod.delete(method);
    },
    responseUrl: () => {
      const id = randomBytes(8).toString('hex');
      responseUrlIds.set(id, { issuedAt: Date.now(), uses: 0 });
      return `${origin}/response/${id}`;
    },
    waitForResponse: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
      responseLog.waitFor(
        predicate,
        timeoutMs,
        () => `No matching response_url post (${responseLog.entries.length} seen)`,
      ),
    socketConnections: socketLog.entries,
    waitForSocketConnection: (timeoutMs = DEFAULT_WAIT_MS) =>
      socketLog.waitFor(
        (connection) => connection.closedAt === undefined,
        timeoutMs,
        () => `No open Socket Mode connection (${socketLog.entries.length} opened and closed)`,
      ),
    sendEnvelope,
    dropSocketConnections: () => {
      for (const socket of openSockets.keys()) socket.terminate();
    },
    askToReconnect: (reason = 'refresh_requested') => {
      const disconnect = JSON.stringify({
        type: 'disconnect',
        reason,
        debug_info: { host: 'applink-7fc4fdbb7b-jq8jw' },
      });
      for (const socket of openSockets.keys()) socket.send(disconnect);
    },
    close: async () => {
      for (const pending of pendingAcks.values()) pending.settle(new Error('The standin closed before the ack came'));
      // Upgraded sockets no longer belong to the HTTP server: closeAllConnections() does not reach them.
      for (const socket of openSockets.keys()) socket.terminate();
      await new Promise<void>((resolve) => socketServer.close(() => resolve()));
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Clients keep connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      });
    },
  };
}

/** A `sendEnvelope` waiting for its ack (or an Error: timeout, standin closing). */
interface PendingAck {
  sentAt: number;
  settle(outcome: SocketModeAck | Error): void;
}

/** An append-only record that tests can wait on. */
class WaitableLog<Entry> {
  readonly entries: Entry[] = [];
  readonly #waiters = new Set<(entry: Entry) => void>();

  add(entry: Entry): void {
    this.entries.push(entry);
    for (const waiter of this.#waiters) waiter(entry);
  }

  /** Calls `listener` with each entry added from now on, until the returned function is called. */
  subscribe(listener: (entry: Entry) => void): () => void {
    this.#waiters.add(listener);
    return () => {
      this.#waiters.delete(listener);
    };
  }

  /** The first entry, past or future, that `matches`; rejects with `describeMiss()` after `timeoutMs`. */
  waitFor(matches: (entry: Entry) => boolean, timeoutMs: number, describeMiss: () => string): Promise<Entry> {
    const found = this.entries.find(matches);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const stopWaiting = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter = (entry: Entry) => {
        if (!matches(entry)) return;
        stopWaiting();
        resolve(entry);
      };
      const timer = setTimeout(() => {
        stopWaiting();
        reject(new Error(`${describeMiss()} (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

/**
 * Web API arguments from a form-encoded body (what @slack/web-api sends, with structured arguments as JSON
 * strings) or a JSON body; undefined when the body cannot be parsed.
 */
function parseWebApiArgs(contentType: string | undefined, rawBody: string): WebApiArgs | undefined {
  if (contentType?.startsWith('application/json')) {
    try {
      return asObject(JSON.parse(rawBody || '{}'));
    } catch {
      return undefined;
    }
  }
  const args: WebApiArgs = {};
  for (const [key, value] of new URLSearchParams(rawBody)) {
    args[key] = JSON_ENCODED_ARGS.has(key) ? parseJsonOrKeep(value) : value;
  }
  return args;
}

/** Block Kit's block and element types: the checker details only those paylink uses, Slack knows these. */
const BLOCK_KIT_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'video',
  'button',
  'channels_select',
  'checkboxes',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'file_input',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
  'workflow_button',
]);

/** The checker's problems Slack refuses: all but its "not checked here" about a type Block Kit has. */
function slackRefuses(problems: string[]): string[] {
  return problems.filter((problem) => {
    const type = /(?:block|element) type (\S+) not checked here$/.exec(problem)?.[1];
    return type === undefined || !BLOCK_KIT_TYPES.has(type);
  });
}

function parseJsonOrKeep(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Slack takes the token from `Authorization: Bearer …` or a `token` argument; this app only has a bot token. */
function checkBotToken(headers: IncomingHttpHeaders, args: WebApiArgs): WebApiRefusal | undefined {
  const token = headers.authorization?.match(/^Bearer (.+)$/)?.[1] ?? args.token;
  if (typeof token !== 'string' || token === '') return refuse('not_authed');
  return token.startsWith('xoxb-') ? undefined : refuse('invalid_auth');
}

/** apps.connections.open takes only the app-level token, which @slack/socket-mode sends as `Bearer xapp-…`. */
function checkAppToken(headers: IncomingHttpHeaders): WebApiRefusal | undefined {
  const token = headers.authorization?.match(/^Bearer (.+)$/)?.[1];
  if (token === undefined) return refuse('not_authed');
  if (token.startsWith('xapp-')) return undefined;
  return refuse(/^xox[a-z]-/.test(token) ? 'not_allowed_token_type' : 'invalid_auth');
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  // A delayed answer may outlive close(), which destroys open connections.
  if (response.destroyed) return;
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(slackJson(body));
}
