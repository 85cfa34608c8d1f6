import { type RunningPaylink, startPaylink } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { type Engine, freshDatabase } from './databases.js';
import { type SafedebitStandin, startSafedebitStandin } from './safedebit-standin.js';
import {
  type ChannelSetup,
  type DisplayedView,
  type SlackApiCall,
  type SlackApiStandin,
  type SocketModeAck,
  startSlackApiStandin,
} from './slack-api-standin.js';
import {
  type InteractionPayload,
  messageShortcutPayload,
  orgWideInteraction,
  type ShortcutMessage,
  type SlackHttpResult,
  type SlashCommandFields,
  sendInteraction,
  sendSlashCommand,
  slashCommandPayload,
  stateValuesFor,
  viewSubmissionPayload,
} from './slack-requests.js';
import { SALES_REP, type SlackUser } from './slack-workspace.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-0000-paylink-bot-token';
/** The app-level token a harness in Socket Mode starts with (the standin only checks the `xapp-` prefix). */
export const APP_TOKEN = 'xapp-1-test';
export const SAFEDEBIT_LOGIN = 'merchant-login';
export const SAFEDEBIT_PASSWORD = 'merchant-password-S3cr3t!';
export const PUBLIC_URL = 'https://paylink.example.com';

/** A form the validation accepts, as a rep would type it. */
export const VALID_FORM = {
  amount: '1 250,50',
  payment_reference: 'F-2026-031',
  consumer_reference: 'CUST-42',
  consumer_email: 'jean.dupont@example.com',
  consumer_phone_number: '06 12 34 56 78',
  consumer_first_name: 'Jean',
  consumer_last_name: 'Dupont',
} as const;

export interface Harness {
  baseUrl: string;
  standin: SlackApiStandin;
  safedebit: SafedebitStandin;
  paylink: RunningPaylink;
  /** Every JSON line the app logged. */
  logs: string[];
  /** Runs /paylink with a live trigger and response_url; resolves with the modal Slack now shows. */
  openModal(
    fields?: Partial<SlashCommandFields>,
  ): Promise<{ result: SlackHttpResult; view: DisplayedView; responseUrl: string }>;
  /**
   * Runs the *Create payment link* shortcut on `message` (in #sales by the sales rep, unless `where` says otherwise);
   * resolves with the modal Slack now shows. `orgWide`: as Slack sends it to an org-wide install.
   */
  openModalFromMessage(
    message: ShortcutMessage,
    where?: { channel?: { id: string; name: string }; user?: SlackUser; orgWide?: boolean },
  ): Promise<{ result: SlackHttpResult; view: DisplayedView; responseUrl: string }>;
  /** Submits a displayed modal with these inputs typed (block_id → text, or option values). */
  submit(
    view: DisplayedView,
    inputs: Record<string, string | readonly string[]>,
    user?: SlackUser,
    shape?: (payload: InteractionPayload) => InteractionPayload,
  ): Promise<SlackHttpResult>;
  /**
   * Waits until the app has logged `event` (an event name, or a test of the parsed line) `count` times or more;
   * resolves with every such entry. For what the app logs after an event a test can see (Slack's answer to a call
   * the stand-in recorded, work that goes on after an HTTP response): see `waitForLog`.
   */
  waitForLog(event: LoggedEvent, count?: number, timeoutMs?: number): Promise<LogEntry[]>;
  /** The next views.update of `viewId` whose view satisfies `predicate`. */
  waitForViewUpdate(
    viewId: string,
    predicate?: (view: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<SlackApiCall>;
  /**
   * Creates a link as `user` would, end to end (command, modal, submission), and resolves once the modal shows it,
   * with the callback URL SAFEDEBIT was given, pointed at this app.
   */
  createLink(inputs?: Record<string, string | readonly string[]>, user?: SlackUser): Promise<{ callbackUrl: string }>;
  /** SAFEDEBIT's notification of `status` for the link of `callbackUrl`; resolves with the app's HTTP status. */
  notify(callbackUrl: string, status: string): Promise<number>;
  /** `openModal` and `submit` with Slack delivering over the Socket Mode connection (harness in `socketMode`). */
  overSocket: {
    openModal(
      fields?: Partial<SlashCommandFields>,
    ): Promise<{ result: SocketModeAck; view: DisplayedView; responseUrl: string }>;
    submit(
      view: DisplayedView,
      inputs: Record<string, string | readonly string[]>,
      user?: SlackUser,
    ): Promise<SocketModeAck>;
  };
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  channels?: Record<string, ChannelSetup>;
  /** The app's clock (link expiry, notification times); the real one by default. */
  clock?: () => Date;
  /**
   * Starts the app in Socket Mode (with `APP_TOKEN`): Slack's requests come over the standin's WebSocket (see
   * `overSocket`), while PORT still serves /healthz and SAFEDEBIT callbacks over HTTP. The signing secret stays set
   * unless `env` clears it (then give PAYLINK_CALLBACK_SECRET).
   */
  socketMode?: boolean;
  /** The ledger's engine (a fresh, empty database either way); SQLite by default. */
  engine?: Engine;
  /** An existing ledger to share (two instances on one database); the harness then leaves it alone. */
  databaseUrl?: string;
  /** How long the stand-in's trigger_ids live (Slack's 3 s by default). */
  triggerLifetimeMs?: number;
  /** See PaylinkDependencies.replyClaimTimeoutMs. */
  replyClaimTimeoutMs?: number;
  /** See PaylinkDependencies.reminderPeriodMs. */
  reminderPeriodMs?: number;
  /** See PaylinkDependencies.interruptedLinksPeriodMs. */
  interruptedLinksPeriodMs?: number;
  /** See PaylinkDependencies.ledgerRetryDelaysMs. */
  ledgerRetryDelaysMs?: readonly number[];
  /** See PaylinkDependencies.statusRoundPeriodMs. */
  statusRoundPeriodMs?: number;
  /** See PaylinkDependencies.slackTimeoutMs. */
  slackTimeoutMs?: number;
  /** See PaylinkDependencies.slackBodyTimeoutMs. */
  slackBodyTimeoutMs?: number;
}

/**
 * Starts the real app on a loopback port, against a stand-in Slack and the SAFEDEBIT sandbox: over HTTP, or in
 * Socket Mode with `socketMode`.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = options.databaseUrl === undefined ? await freshDatabase(options.engine ?? 'sqlite') : undefined;
  const standin = await startSlackApiStandin({
    channels: options.channels,
    ...(options.triggerLifetimeMs === undefined ? {} : { triggerLifetimeMs: options.triggerLifetimeMs }),
  });
  const safedebit = await startSafedebitStandin({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD });
  const loaded = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standin.apiUrl,
    PORT: '0',
    ...(options.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    SAFEDEBIT_API_URL: safedebit.url,
    SAFEDEBIT_LOGIN,
    SAFEDEBIT_PASSWORD,
    SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENEF-0001',
    SAFEDEBIT_TIMEOUT_MS: '1500',
    PAYLINK_PUBLIC_URL: PUBLIC_URL,
    PAYLINK_LOCALE: 'en',
    LOG_LEVEL: 'debug',
    DATABASE_URL: options.databaseUrl ?? database?.url ?? '',
    ...options.env,
  });
  // HTTP_PROXY, HTTPS_PROXY, NO_PROXY in `env` reach the app; the test process's own do not.
  const closeStandins = () => Promise.all([standin.close(), safedebit.close(), database?.drop()]);
  if (!loaded.ok) {
    await closeStandins();
    throw new Error(`test config refused: ${loaded.problems.join('; ')}`);
  }
  const logs: string[] = [];
  const paylink = await startPaylink(loaded.config, {
    writeLog: (line) => logs.push(line),
    timeZone: 'Europe/Paris',
    // A request no listener acknowledges gets Bolt's 404 after this, rather than after Slack's 3 s.
    unhandledRequestTimeoutMs: 300,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.replyClaimTimeoutMs === undefined ? {} : { replyClaimTimeoutMs: options.replyClaimTimeoutMs }),
    ...(options.reminderPeriodMs === undefined ? {} : { reminderPeriodMs: options.reminderPeriodMs }),
    ...(options.interruptedLinksPeriodMs === undefined
      ? {}
      : { interruptedLinksPeriodMs: options.interruptedLinksPeriodMs }),
    ...(options.ledgerRetryDelaysMs === undefined ? {} : { ledgerRetryDelaysMs: options.ledgerRetryDelaysMs }),
    ...(options.statusRoundPeriodMs === undefined ? {} : { statusRoundPeriodMs: options.statusRoundPeriodMs }),
    ...(options.slackTimeoutMs === undefined ? {} : { slackTimeoutMs: options.slackTimeoutMs }),
    ...(options.slackBodyTimeoutMs === undefined ? {} : { slackBodyTimeoutMs: options.slackBodyTimeoutMs }),
  }).catch(async (error: unknown) => {
    await closeStandins();
    throw error;
  });
  const baseUrl = `http://127.0.0.1:${paylink.port}`;

  /** Has Slack deliver /paylink with a live trigger and response_url; resolves once the modal it opened shows. */
  async function openModalBy<Result>(
    deliver: (fields: Partial<SlashCommandFields>) => Promise<Result>,
    fields: Partial<SlashCommandFields>,
  ): Promise<{ result: Result; view: DisplayedView; responseUrl: string }> {
    const responseUrl = fields.response_url ?? standin.responseUrl();
    const opensBefore = standin.callsTo('views.open').length;
    const result = await deliver({ trigger_id: standin.issueTriggerId(), response_url: responseUrl, ...fields });
    await standin.waitForCall('views.open', () => standin.callsTo('views.open').length > opensBefore);
    const view = standin.displayedViews().at(-1);
    if (!view) throw new Error('no modal displayed');
    return { result, view, responseUrl };
  }

  const harness: Harness = {
    baseUrl,
    standin,
    safedebit,
    paylink,
    logs,
    openModal: (fields = {}) => openModalBy((command) => sendSlashCommand(baseUrl, SIGNING_SECRET, command), fields),
    openModalFromMessage: (message, where = {}) =>
      openModalBy(({ trigger_id, response_url }) => {
        const payload = messageShortcutPayload({
          trigger_id: String(trigger_id),
          message,
          ...(response_url ? { response_url } : {}),
          ...(where.channel ? { channel: where.channel } : {}),
          ...(where.user ? { user: where.user } : {}),
        });
        return sendInteraction(baseUrl, SIGNING_SECRET, where.orgWide ? orgWideInteraction(payload) : payload);
      }, {}),
    submit: (view, inputs, user = SALES_REP, shape = (payload) => payload) =>
      sendInteraction(baseUrl, SIGNING_SECRET, shape(submissionOf(view, inputs, user))),
    overSocket: {
      openModal: (fields = {}) =>
        openModalBy((command) => standin.sendEnvelope('slash_commands', slashCommandPayload(command)), fields),
      submit: (view, inputs, user = SALES_REP) => standin.sendEnvelope('interactive', submissionOf(view, inputs, user)),
    },
    async createLink(inputs = VALID_FORM, user = SALES_REP) {
      const { view } = await harness.openModal({ user_id: user.id, user_name: user.username });
      await harness.submit(view, inputs, user);
      await harness.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('paypage?SDESSID='));
      const sent = safedebit.requests.at(-1)?.body as { url_callback?: string } | undefined;
      if (!sent?.url_callback) throw new Error('SAFEDEBIT got no url_callback');
      return { callbackUrl: `${baseUrl}${new URL(sent.url_callback).pathname}` };
    },
    async notify(callbackUrl, status) {
      const response = await fetch(callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payment_status: status }),
      });
      await response.body?.cancel();
      return response.status;
    },
    waitForLog: (event, count, timeoutMs) => waitForLog(harness, event, count, timeoutMs),
    waitForViewUpdate(viewId, predicate = () => true, timeoutMs) {
      return standin.waitForCall(
        'views.update',
        (call) => call.args.view_id === viewId && predicate(call.args.view as Record<string, unknown>),
        timeoutMs,
      );
    },
    async close() {
      await paylink.stop(2000);
      await closeStandins();
    },
  };
  return harness;
}

/** A line the app logged, parsed. */
export type LogEntry = Record<string, unknown> & { event?: string; level?: string | number };
/** An event's name, or a test of a parsed log line. */
export type LoggedEvent = string | ((entry: LogEntry) => boolean);

const LOG_WAIT_MS = 5_000;

/**
 * Waits until `apps` (one instance, or several, counted together) have logged `event` `count` times or more, and
 * resolves with every such entry. The app logs much of what a test checks only once Slack has answered a call (a DM
 * sent, a modal updated), or in work that goes on after it answered an HTTP request: waiting for the stand-in to
 * receive the call, or for the response, is not waiting for that line.
 */
export async function waitForLog(
  apps: Harness | readonly Harness[],
  event: LoggedEvent,
  count = 1,
  timeoutMs = LOG_WAIT_MS,
): Promise<LogEntry[]> {
  const instances: readonly Harness[] = Array.isArray(apps) ? apps : [apps as Harness];
  const matches = typeof event === 'string' ? (entry: LogEntry) => entry.event === event : event;
  const entries = () => instances.flatMap((app) => app.logs.map((line) => JSON.parse(line) as LogEntry));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = entries().filter(matches);
    if (found.length >= count) return found;
    if (Date.now() >= deadline) {
      const what = typeof event === 'string' ? `"${event}"` : 'the event sought';
      const events = entries().map((entry) => entry.event ?? entry.msg);
      throw new Error(
        `the app logged ${what} ${found.length} time(s), not ${count}, within ${timeoutMs} ms; it logged: ${events.join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The `view_submission` of a displayed modal with these inputs typed. */
function submissionOf(
  view: DisplayedView,
  inputs: Record<string, string | readonly string[]>,
  user: SlackUser,
): InteractionPayload {
  return viewSubmissionPayload({
    view: {
      ...view,
      callback_id: String(view.callback_id),
      state: { values: stateValuesFor(view as { blocks?: readonly unknown[] }, inputs) },
    },
    user,
  });
}

/** All the text a Block Kit structure shows, flattened, for assertions on what a person reads. */
export function visibleText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(visibleText).join('\n');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([key]) =>
        ['text', 'blocks', 'elements', 'fields', 'attachments', 'accessory', 'label', 'hint'].includes(key),
      )
      .map(([, inner]) => visibleText(inner))
      .join('\n');
  }
  return '';
}

/**
 * Asks the app to stop with a grace of `graceMs` and says whether it had stopped `giveUpMs` later, how long it took,
 * and whether it logged that its grace ran out: a stop that waits past its grace is what a process manager kills.
 */
export async function stopWithGrace(app: Harness, graceMs: number, giveUpMs: number) {
  const asked = Date.now();
  const outcome = await Promise.race([
    app.paylink.stop(graceMs).then(() => 'stopped' as const),
    new Promise<'still stopping'>((resolve) => setTimeout(resolve, giveUpMs, 'still stopping')),
  ]);
  return {
    outcome,
    tookMs: Date.now() - asked,
    graceExpiredLogged: app.logs.some((line) => line.includes('"shutdown_grace_expired"')),
  };
}
