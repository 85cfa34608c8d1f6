import { createHmac, randomBytes } from 'node:crypto';
import type { ViewStateSelectedOption, ViewStateValue } from '@slack/bolt';
import { slackJson } from './slack-json.js';
import {
  APP_ID,
  BOT_ID,
  BOT_USER_ID,
  ENTERPRISE,
  fakeTriggerId,
  SALES_CHANNEL,
  SALES_REP,
  type SlackUser,
  TEAM_DOMAIN,
  TEAM_ID,
} from './slack-workspace.js';

/**
 * Requests to the app's `POST /slack/events` as Slack sends them, signed with the signing secret: form-encoded,
 * carrying slash command fields or an interaction `payload`, or JSON for the Events API (`event_callback`). The payload shapes follow Slack's interaction payload
 * reference (docs.slack.dev/reference/interaction-payloads) and Bolt's own types for them.
 */

/** What the app answered, and how long it took: Slack gives up after 3 s. */
export interface SlackHttpResult {
  status: number;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  elapsedMs: number;
}

/** Overrides for testing signature checks: a stale or future timestamp, or a forged signature. */
export interface SigningOverrides {
  timestampSeconds?: number;
  signature?: string;
}

/** Slash command fields, in the order Slack sends them. */
export interface SlashCommandFields {
  token: string;
  team_id: string;
  team_domain: string;
  enterprise_id?: string;
  enterprise_name?: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  api_app_id: string;
  is_enterprise_install: string;
  response_url: string;
  trigger_id: string;
}

/** `view.state.values`: by block_id, then by action_id, as Bolt types them. */
export type ViewStateValues = Record<string, Record<string, ViewStateValue>>;

/** Any interaction payload; `sendInteraction` sends it as `payload=<json>`. */
export type InteractionPayload = { type: string } & Record<string, unknown>;

/** The deprecated verification token Slack still puts in payloads; Bolt checks the signature instead. */
export const VERIFICATION_TOKEN = 'xVerificationTokenx';

/**
 * Deliberately not a Slack URL: an app that posts to a response_url the test did not set gets a refused
 * connection at once (loopback discard port) instead of reaching for hooks.slack.com.
 */
const UNSET_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-set';

/** Headers Slack sends with a request: `X-Slack-Signature = v0=hex(HMAC-SHA256(secret, "v0:<ts>:<body>"))`. */
export function signSlackRequest(
  rawBody: string,
  signingSecret: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
  contentType = FORM_CONTENT_TYPE,
): Record<string, string> {
  const timestamp = String(timestampSeconds);
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return {
    'Content-Type': contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': `v0=${digest}`,
  };
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** What Slack sends Events API requests as. */
const JSON_CONTENT_TYPE = 'application/json';

/**
 * Posts `rawBody` to `<appBaseUrl>/slack/events`, signed as Slack would (unless overridden), with `extraHeaders`
 * (an Events API retry's `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`).
 */
export async function sendSignedRequest(
  appBaseUrl: string,
  signingSecret: string,
  rawBody: string,
  overrides: SigningOverrides = {},
  contentType = FORM_CONTENT_TYPE,
  extraHeaders: Record<string, string> = {},
): Promise<SlackHttpResult> {
  const signed = signSlackRequest(rawBody, signingSecret, overrides.timestampSeconds, contentType);
  const headers: Record<string, string> = { ...signed, ...extraHeaders };
  if (overrides.signature !== undefined) headers['X-Slack-Signature'] = overrides.signature;
  const startedAt = performance.now();
  const response = await fetch(`${appBaseUrl.replace(/\/$/, '')}/slack/events`, {
    method: 'POST',
    headers,
    body: rawBody,
  });
  const body = await response.text();
  return { status: response.status, body, json: parseJsonOrUndefined(body), elapsedMs: performance.now() - startedAt };
}

/** A slash command as Slack sends it: `/paylink` with empty text, typed by the sales rep in #sales, unless `fields` say otherwise. */
export function slashCommandPayload(fields: Partial<SlashCommandFields> = {}): SlashCommandFields {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    team_domain: TEAM_DOMAIN,
    channel_id: SALES_CHANNEL.id,
    channel_name: SALES_CHANNEL.name,
    user_id: SALES_REP.id,
    user_name: SALES_REP.username,
    command: '/paylink',
    text: '',
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: UNSET_RESPONSE_URL,
    trigger_id: fakeTriggerId(),
    ...fields,
  };
}

/**
 * A slash command's fields where the app is installed org-wide (Enterprise Grid): Slack adds `enterprise_id` and
 * `enterprise_name`, `is_enterprise_install` is `true`, and `team_id` stays the workspace the command was typed in.
 */
export function orgWideCommandFields(fields: Partial<SlashCommandFields> = {}): Partial<SlashCommandFields> {
  return { enterprise_id: ENTERPRISE.id, enterprise_name: ENTERPRISE.name, is_enterprise_install: 'true', ...fields };
}

/**
 * Sends a slash command (see `slashCommandPayload` for the defaults). The default `trigger_id` is well-formed but
 * unknown to the standin and the default `response_url` leads nowhere: pass `standin.issueTriggerId()` and
 * `standin.responseUrl()` when the app is expected to use them.
 */
export function sendSlashCommand(
  appBaseUrl: string,
  signingSecret: string,
  fields: Partial<SlashCommandFields> = {},
  overrides?: SigningOverrides,
): Promise<SlackHttpResult> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(slashCommandPayload(fields))) {
    if (value !== undefined) form.append(name, value);
  }
  return sendSignedRequest(appBaseUrl, signingSecret, form.toString(), overrides);
}

/** Sends an interaction (shortcut, block action, view submission) as Slack does: form field `payload` holding JSON. */
export function sendInteraction(
  appBaseUrl: string,
  signingSecret: string,
  payload: object,
  overrides?: SigningOverrides,
): Promise<SlackHttpResult> {
  const rawBody = new URLSearchParams({ payload: slackJson(payload) }).toString();
  return sendSignedRequest(appBaseUrl, signingSecret, rawBody, overrides);
}

/** The fields every interaction payload of a workspace-installed (not org-installed) app carries. */
function interactionEnvelope(type: string, user: SlackUser) {
  return {
    type,
    token: VERIFICATION_TOKEN,
    team: { id: TEAM_ID, domain: TEAM_DOMAIN },
    user,
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * `payload` as Slack sends it when the app is installed org-wide (Enterprise Grid): `team` is null ("Null if the app
 * is org-installed", view interaction payloads reference), the organization in `enterprise`.
 */
export function orgWideInteraction(payload: InteractionPayload): InteractionPayload {
  return { ...payload, team: null, enterprise: { ...ENTERPRISE }, is_enterprise_install: true };
}

/** An `action_ts`-style timestamp for now. */
const nowTs = () => (Date.now() / 1000).toFixed(6);

/**
 * The message a shortcut was used on, as Slack embeds it; extra fields (blocks, files…) pass through. A bot's message
 * has no `user` (see `shortcutMessages`).
 */
export type ShortcutMessage = { ts: string; text: string; user?: string; thread_ts?: string } & Record<string, unknown>;

/** Messages other than a person's plain one that a rep may use the shortcut on, as Slack embeds them. */
export const shortcutMessages = {
  /** A reply in a thread: `thread_ts` is its parent's ts. */
  threadReply: (ts: string, parentTs: string, user: string): ShortcutMessage => ({
    type: 'message',
    ts,
    thread_ts: parentTs,
    parent_user_id: user,
    user,
    text: 'Can you send them the link?',
  }),
  /** A reply also sent to the channel: shown there, yet a reply in its parent's thread. */
  threadBroadcast: (ts: string, parentTs: string, user: string): ShortcutMessage => ({
    type: 'message',
    subtype: 'thread_broadcast',
    ts,
    thread_ts: parentTs,
    root: { type: 'message', ts: parentTs, user, text: 'Order 42', thread_ts: parentTs, reply_count: 1 },
    user,
    text: 'Link coming',
  }),
  /** Another app's or an integration's message: `bot_id`, and no `user`. */
  botMessage: (ts: string): ShortcutMessage => ({
    type: 'message',
    subtype: 'bot_message',
    ts,
    bot_id: 'B0CRM',
    username: 'crm',
    text: 'New order #42: 1 250,50 €',
    bot_profile: { id: 'B0CRM', app_id: 'A0CRM', name: 'crm', team_id: TEAM_ID },
  }),
  /** A file shared without a comment: empty text. */
  fileWithoutText: (ts: string, user: string): ShortcutMessage => ({
    type: 'message',
    ts,
    user,
    text: '',
    files: [{ id: 'F0QUOTE', name: 'quote.pdf', mimetype: 'application/pdf', user }],
    upload: false,
  }),
};

/** A `message_action` payload: a message shortcut used on `message` in `channel`. */
export function messageShortcutPayload(options: {
  trigger_id: string;
  message: ShortcutMessage;
  callback_id?: string;
  channel?: { id: string; name: string };
  response_url?: string;
  user?: SlackUser;
}): InteractionPayload {
  return {
    ...interactionEnvelope('message_action', options.user ?? SALES_REP),
    action_ts: nowTs(),
    channel: options.channel ?? SALES_CHANNEL,
    callback_id: options.callback_id ?? 'paylink_from_message',
    trigger_id: options.trigger_id,
    response_url: options.response_url ?? UNSET_RESPONSE_URL,
    message_ts: options.message.ts,
    message: { type: 'message', team: TEAM_ID, ...options.message },
  };
}

/** An element interaction as it appears in `actions`; `action_ts` is filled in when missing. */
export type BlockActionInput = { type: string; action_id: string; block_id: string } & Record<string, unknown>;

/**
 * A `block_actions` payload from an element inside a modal. `view` is the modal as Slack holds it (e.g. from
 * `standin.displayedViews()`); `stateValues`, when given, replaces its `state.values` (see `stateValuesFor`).
 */
export function blockActionsPayload(options: {
  view: { id: string } & Record<string, unknown>;
  actions: BlockActionInput[];
  stateValues?: ViewStateValues;
  trigger_id?: string;
  user?: SlackUser;
}): InteractionPayload {
  const { view, stateValues } = options;
  return {
    ...interactionEnvelope('block_actions', options.user ?? SALES_REP),
    api_app_id: APP_ID,
    container: { type: 'view', view_id: view.id },
    trigger_id: options.trigger_id ?? fakeTriggerId(),
    view: stateValues === undefined ? view : { ...view, state: { values: stateValues } },
    actions: options.actions.map((action) => ({ action_ts: nowTs(), ...action })),
  };
}

/** The submitted modal: at least its callback_id and state; any other view field (id, hash, blocks…) passes through. */
export type SubmittedView = { callback_id: string; state: { values: ViewStateValues } } & Record<string, unknown>;

/**
 * A `view_submission` payload. Slack sends the whole view (with the fields it adds) and, for a modal without
 * conversation-select elements, an empty `response_urls`.
 */
export function viewSubmissionPayload(options: {
  view: SubmittedView;
  user?: SlackUser;
  trigger_id?: string;
}): InteractionPayload {
  const id = typeof options.view.id === 'string' ? options.view.id : 'V0SUBMITTED';
  return {
    ...interactionEnvelope('view_submission', options.user ?? SALES_REP),
    api_app_id: APP_ID,
    trigger_id: options.trigger_id ?? fakeTriggerId(),
    view: {
      team_id: TEAM_ID,
      type: 'modal',
      blocks: [],
      private_metadata: '',
      external_id: '',
      hash: `${Math.floor(Date.now() / 1000)}.submitted`,
      clear_on_close: false,
      notify_on_close: false,
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      app_installed_team_id: TEAM_ID,
      bot_id: BOT_ID,
      ...options.view,
      id,
    },
    response_urls: [],
  };
}

interface OptionShape {
  text: ViewStateSelectedOption['text'];
  value: string;
}

interface InputElementShape {
  type: string;
  action_id: string;
  options?: OptionShape[];
  option_groups?: { options: OptionShape[] }[];
  initial_value?: unknown;
  initial_option?: OptionShape;
  initial_options?: OptionShape[];
}

const TEXT_ELEMENTS = new Set(['plain_text_input', 'email_text_input', 'url_text_input', 'number_input']);
const SINGLE_CHOICE_ELEMENTS = new Set(['radio_buttons', 'static_select']);

/**
 * `view.state.values` as Slack would submit `view` after the user typed or picked `inputs` (by block_id: a
 * string, or the option values for checkboxes). Like Slack, a block the user left alone carries its element's
 * initial value, else an empty one (`value: null`, `selected_option: null`, `selected_options: []`).
 * Throws on a block_id with no input block, an option value the element does not offer, or an element type
 * this helper does not know, so a test cannot silently submit something Slack never would.
 */
export function stateValuesFor(
  view: { blocks?: readonly unknown[] },
  inputs: Record<string, string | readonly string[]> = {},
): ViewStateValues {
  const values: ViewStateValues = {};
  const unmatched = new Set(Object.keys(inputs));
  for (const { blockId, element } of inputBlocksOf(view)) {
    unmatched.delete(blockId);
    values[blockId] = { [element.action_id]: stateValueOf(element, inputs[blockId], blockId) };
  }
  if (unmatched.size > 0) throw new Error(`stateValuesFor: no input block with block_id ${[...unmatched].join(', ')}`);
  return values;
}

function inputBlocksOf(view: { blocks?: readonly unknown[] }): { blockId: string; element: InputElementShape }[] {
  return (view.blocks ?? []).flatMap((candidate) => {
    const block = candidate as { type?: unknown; block_id?: unknown; element?: Partial<InputElementShape> };
    if (block.type !== 'input') return [];
    const { block_id: blockId, element } = block;
    if (typeof blockId !== 'string' || typeof element?.type !== 'string' || typeof element.action_id !== 'string') {
      // Slack would invent random ids here, which the app could not read back.
      throw new Error(`stateValuesFor: input block without block_id or element action_id: ${JSON.stringify(block)}`);
    }
    return [{ blockId, element: element as InputElementShape }];
  });
}

function stateValueOf(
  element: InputElementShape,
  input: string | readonly string[] | undefined,
  blockId: string,
): ViewStateValue {
  const { type } = element;
  if (TEXT_ELEMENTS.has(type) || SINGLE_CHOICE_ELEMENTS.has(type)) {
    if (input !== undefined && typeof input !== 'string') {
      throw new Error(`stateValuesFor: block ${blockId} (${type}) takes one value, not a list`);
    }
    if (TEXT_ELEMENTS.has(type)) {
      return { type, value: input ?? (typeof element.initial_value === 'string' ? element.initial_value : null) };
    }
    const selected = input === undefined ? element.initial_option : optionWithValue(element, input, blockId);
    return { type, selected_option: selected === undefined ? null : selectedOption(selected) };
  }
  if (type === 'checkboxes') {
    const chosen =
      input === undefined
        ? (element.initial_options ?? [])
        : (typeof input === 'string' ? [input] : input).map((value) => optionWithValue(element, value, blockId));
    return { type, selected_options: chosen.map(selectedOption) };
  }
  throw new Error(`stateValuesFor: block ${blockId} has a ${type} element, which this helper does not support`);
}

function optionWithValue(element: InputElementShape, value: string, blockId: string): OptionShape {
  const offered = element.options ?? element.option_groups?.flatMap((group) => group.options) ?? [];
  const option = offered.find((candidate) => candidate.value === value);
  if (option === undefined) {
    const values = offered.map((candidate) => candidate.value).join(', ');
    throw new Error(`stateValuesFor: block ${blockId} offers no option "${value}" (offers: ${values})`);
  }
  return option;
}

const selectedOption = ({ text, value }: OptionShape): ViewStateSelectedOption => ({ text, value });

function parseJsonOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** An Events API event, as inside `event_callback`: `type` and whatever that event carries. */
export type SlackEvent = { type: string } & Record<string, unknown>;

/**
 * `app_home_opened`: `user` opened the app's Home tab (or its Messages tab, `tab: 'messages'`). Slack adds `view`,
 * the Home view published before, to every open but the first.
 */
export function appHomeOpenedEvent(
  user: string,
  tab: 'home' | 'messages' = 'home',
  view?: Record<string, unknown>,
): SlackEvent {
  return { type: 'app_home_opened', user, channel: 'D0APPHOME', tab, event_ts: nowTs(), ...(view ? { view } : {}) };
}

/** The `event_callback` envelope Slack wraps an event in (docs.slack.dev/apis/events-api). */
export function eventCallbackPayload(event: SlackEvent): Record<string, unknown> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** Delivers an event as the Events API does: JSON, signed like every other request. */
export function sendEvent(
  appBaseUrl: string,
  signingSecret: string,
  event: SlackEvent,
  overrides?: SigningOverrides,
): Promise<SlackHttpResult> {
  return sendEventCallback(appBaseUrl, signingSecret, eventCallbackPayload(event), overrides);
}

/** Why Slack delivers an event again: it got no 2xx within 3 s, or an error, or could not connect. */
export type EventRetryReason =
  | 'http_timeout'
  | 'http_error'
  | 'connection_failed'
  | 'too_many_requests'
  | 'unknown_error';

/**
 * Delivers an `event_callback` body (from `eventCallbackPayload`); with `retry`, as Slack's retry of it: the same body
 * (same `event_id`), with `X-Slack-Retry-Num` (1 to 3) and `X-Slack-Retry-Reason`.
 */
export function sendEventCallback(
  appBaseUrl: string,
  signingSecret: string,
  body: Record<string, unknown>,
  overrides?: SigningOverrides,
  retry?: { num: 1 | 2 | 3; reason: EventRetryReason },
): Promise<SlackHttpResult> {
  const headers: Record<string, string> = retry
    ? { 'X-Slack-Retry-Num': String(retry.num), 'X-Slack-Retry-Reason': retry.reason }
    : {};
  return sendSignedRequest(appBaseUrl, signingSecret, slackJson(body), overrides, JSON_CONTENT_TYPE, headers);
}
