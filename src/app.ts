import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { App, HTTPReceiver, type Logger, type LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { callbackRoute } from './callback/route.js';
import { type Config, secretsOf } from './config.js';
import { SANDBOX_API_PATH, SLACK_EVENTS_PATH } from './constants.js';
import type { LinkCreator } from './flow/create-link.js';
import { createHomeTabs } from './flow/home-tab.js';
import { interruptedLinksPeriodMs, startInterruptedLinkChecks } from './flow/interrupted-links.js';
import { DEFAULT_LEDGER_RETRY_DELAYS_MS, type UnrecordedWrite } from './flow/ledger-writes.js';
import { reminderPeriodMs, startReminders } from './flow/reminders.js';
import { DEFAULT_STATUS_ROUND_PERIOD_MS, recordLateWrites, startStatusRounds } from './flow/status-updates.js';
import type { Track, TrackedWork } from './flow/tracked-work.js';
import { drainable } from './http/draining.js';
import { healthRoute } from './http/health.js';
import { answerMalformedRequests, answerMalformedUrls, guardRequestListeners } from './http/malformed-request.js';
import { createOutboundDispatcher, fetchThrough, usesProxy } from './http/outbound.js';
import { cutSlowBodies } from './http/slow-bodies.js';
import { thankYouRoute } from './http/thank-you.js';
import { errorCodeOrMessage } from './http/transport-errors.js';
import type { Ledger } from './ledger/ledger.js';
import { openLedger } from './ledger/open.js';
import { describeLedgerFailure } from './ledger/open-failure.js';
import { createJsonLogger, socketClientLogger, withBoltRefusalsNamed } from './logger.js';
import { createSafedebitClient, isPaymentPageUrl, type SafedebitClient } from './safedebit/client.js';
import { createSandbox, type EmbeddedSandbox } from './sandbox/routes.js';
import { describeTokenCheckFailure, type SlackTokenVariable, slackErrorCode } from './slack/errors.js';
import { registerListeners } from './slack/listeners/index.js';
import {
  catchReconnectionFailures,
  describeSocketModeFailure,
  routesServerOf,
  SOCKET_MODE_REOPEN_TRIES,
} from './slack/socket-mode.js';
import { createSlackWebApi } from './slack/web-api.js';

/** paylink's User-Agent towards SAFEDEBIT and Slack. */
export const USER_AGENT = 'paylink/0.1.0 (+Slack payment links)';

export interface PaylinkDependencies {
  /** Where log lines go (tests capture them); stdout by default. */
  writeLog?: (line: string) => void;
  clock?: () => Date;
  /** IANA time zone for dates shown in Slack; the configuration's (TZ) by default. */
  timeZone?: string;
  /**
   * A thread reply or status line claimed this long ago by an instance that never finished may be taken over;
   * 10 minutes by default.
   */
  replyClaimTimeoutMs?: number;
  /** How long each Slack Web API attempt waits for its answer; 10 s by default (see createSlackWebApi). */
  slackTimeoutMs?: number;
  /** How long a request to /slack/events may take to arrive whole before it is answered 408; 10 s by default. */
  slackBodyTimeoutMs?: number;
  /** How long Bolt waits for a listener to acknowledge before answering 404 itself; Bolt's 3001 ms by default. */
  unhandledRequestTimeoutMs?: number;
  /** How many times the token check at start is tried again (with a doubling wait from 250 ms); 4 by default. */
  tokenCheckRetries?: number;
  /** How often due reminders are looked for; a tenth of PAYLINK_REMIND_AFTER, within [1 s, 5 min], by default. */
  reminderPeriodMs?: number;
  /** How often interrupted links are looked for after the look at start; see interruptedLinksPeriodMs. */
  interruptedLinksPeriodMs?: number;
  /**
   * How often thread replies Slack did not take (and status lines behind, expiries unshown) are looked for; a minute
   * by default.
   */
  statusRoundPeriodMs?: number;
  /** The waits before each new try of a ledger write refused after SAFEDEBIT answered; about 15 s in all by default. */
  ledgerRetryDelaysMs?: readonly number[];
}

export interface RunningPaylink {
  app: App;
  /** The loopback port the HTTP server listens on (events in HTTP mode, /healthz and callbacks in both). */
  port: number;
  logger: Logger;
  ledger: Ledger;
  /**
   * Stops taking new work, waits up to `graceMs` (shutdownGraceMs by default) for links being created, then closes
   * everything.
   */
  stop(graceMs?: number): Promise<void>;
  /**
   * Resolves when paylink can no longer hear Slack and will not by itself: in Socket Mode, Slack refused to open its
   * WebSocket again after a drop, or could not be reached past its client's retries. The entry point then stops, so
   * that the process manager starts it again and the start-up checks say what is wrong. Never in HTTP mode.
   */
  slackLost: Promise<void>;
}

/** Builds and starts the whole app: Bolt, its routes, the SAFEDEBIT client (or the sandbox). */
export async function startPaylink(config: Readonly<Config>, deps: PaylinkDependencies = {}): Promise<RunningPaylink> {
  const logger = createJsonLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    // Without SAFEDEBIT credentials the built-in sandbox answers: every log line says so.
    context: config.safedebit ? {} : { safedebit: 'SANDBOX' },
    ...(deps.writeLog ? { write: deps.writeLog } : {}),
  });
  // Without SAFEDEBIT credentials the built-in sandbox makes the links: the ledger keeps them apart from real ones.
  const inSandbox = config.safedebit === undefined;
  const ledger = await openLedger(config.ledger, {
    sandbox: inSandbox,
    onConnectionLost: (error) => logger.warn({ event: 'ledger_connection_lost', error: errorCodeOrMessage(error) }),
    onNewerLedger: (newestMigration) => logger.warn({ event: 'ledger_newer_than_release', newestMigration }),
    onMigrationLockedOut: (waitedMs) =>
      logger.warn({
        event: 'ledger_migration_waiting',
        waited_s: Math.round(waitedMs / 1000),
        msg: "another session holds a lock on the ledger's tables (a pg_dump, a transaction left open in psql…): the migration gives way to it and tries again",
      }),
  }).catch((error: unknown) => {
    throw new Error(describeLedgerFailure(error, config.ledger));
  });
  logger.info({ event: 'ledger_opened', engine: config.ledger.engine });
  // Known once listening: with PORT=0 (tests) the system picks it. Without a public URL (the sandbox alone), localhost.
  let listeningPort = config.port;
  const publicUrl = () => config.publicUrl ?? `http://localhost:${listeningPort}`;
  const { proxy } = config;
  const clock = deps.clock ?? (() => new Date());
  const { safedebit, beneficiaryReference, sandbox } = config.safedebit
    ? {
        safedebit: createSafedebitClient({
          baseUrl: config.safedebit.apiUrl,
          login: config.safedebit.login,
          password: config.safedebit.password,
          timeoutMs: config.safedebitTimeoutMs,
          userAgent: USER_AGENT,
          proxy,
        }),
        beneficiaryReference: config.safedebit.beneficiaryReference,
        sandbox: undefined,
      }
    : startEmbeddedSandbox(config, logger, publicUrl, () => listeningPort, clock);

  const slack = createSlackWebApi({
    apiUrl: config.slack.apiUrl,
    token: config.slack.botToken,
    userAgent: USER_AGENT,
    logger,
    proxy,
    ...(deps.slackTimeoutMs === undefined ? {} : { timeoutMs: deps.slackTimeoutMs }),
  });
  // Bolt's own calls (the token check; Socket Mode's apps.connections.open and WebSocket) only need a dispatcher
  // to go through a proxy: without one they keep Bolt's, whose WebSocket connection Socket Mode can force-close.
  const boltDispatcher = usesProxy(proxy) ? createOutboundDispatcher(proxy) : undefined;
  // A stop whose grace ran out cuts the calls still in flight (cutInFlight), as the process manager's kill would: letting
  // them finish could take a Slack call's timeout more.
  const closeClients = (cutInFlight = false) =>
    Promise.all([
      safedebit.close(cutInFlight),
      sandbox?.close(cutInFlight),
      slack.close(cutInFlight),
      cutInFlight ? boltDispatcher?.destroy() : boltDispatcher?.close(),
    ]);

  /** Work that goes on after an answer (to Slack, or SAFEDEBIT), by what it is, counted until done. */
  const inFlight = new Map<Promise<void>, TrackedWork>();
  const track: Track = (kind, work) => {
    const tracked = work
      .catch((error: unknown) => logger.error({ event: 'link_flow_failed', error }))
      .finally(() => inFlight.delete(tracked));
    inFlight.set(tracked, kind);
  };
  const timeZone = deps.timeZone ?? config.timeZone;
  const homeTabs = createHomeTabs({ ledger, slack, logger, config, sandbox: inSandbox, clock, timeZone });
  const ledgerRetriesCut = new AbortController();
  // What every flow shares (the link flow, notifications, rounds, App Home); each adds its own to it.
  const flowContext = {
    ledger,
    slack,
    logger,
    sandbox: inSandbox,
    clock,
    timeZone,
    homeTabs,
    replyClaimTimeoutMs: deps.replyClaimTimeoutMs ?? DEFAULT_REPLY_CLAIM_TIMEOUT_MS,
    ledgerRetryDelaysMs: deps.ledgerRetryDelaysMs ?? DEFAULT_LEDGER_RETRY_DELAYS_MS,
    ledgerRetriesCut: ledgerRetriesCut.signal,
    unrecordedWrites: new Map<string, UnrecordedWrite>(),
  };
  // Until started: in Socket Mode, Bolt serves PORT before Slack's WebSocket is open, and retries opening it.
  let receivingSlack = false;
  const customRoutes = [
    healthRoute(() => ({ receivingSlack, sandbox: inSandbox, inFlight: inFlight.size })),
    callbackRoute({ ...flowContext, config, track }),
    thankYouRoute(config.locale),
    ...(sandbox?.routes ?? []),
  ];
  const receiver: Receiver = config.slack.appToken
    ? new SocketModeReceiver({
        appToken: config.slack.appToken,
        clientPingTimeout: config.slack.socketPingTimeoutMs,
        logger: socketClientLogger(logger),
        customRoutes,
        dispatcher: boltDispatcher,
        // The socket client asks apps.connections.open with its own WebClient: without this, always slack.com.
        installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? '',
        endpoints: SLACK_EVENTS_PATH,
        logger: withBoltRefusalsNamed(logger),
        customRoutes,
        processBeforeResponse: false,
        bodyLimit: SLACK_BODY_LIMIT_BYTES,
        ...(deps.unhandledRequestTimeoutMs === undefined
          ? {}
          : { unhandledRequestTimeoutMillis: deps.unhandledRequestTimeoutMs }),
        processEventErrorHandler: answerMalformedRequests,
        dispatchErrorHandler: answerMalformedUrls,
      });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger,
    logLevel: config.logLevel as LogLevel,
    // Bolt's own client only checks the token at start (paylink's calls go through `slack`): a few quick
    // retries rather than WebClient's default of half an hour, so that an unreachable Slack is reported.
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      timeout: 10_000,
      retryConfig: { retries: deps.tokenCheckRetries ?? 4, factor: 2, minTimeout: 250, maxTimeout: 4000 },
      ...(boltDispatcher && { fetch: fetchThrough(boltDispatcher) }),
    },
    // Bolt would otherwise check the token in its constructor, where a failure is an unhandled rejection.
    deferInitialization: true,
    // Bolt's default conversation store keeps state in this process's memory and looks it up on every event;
    // paylink keeps none there (its state is in the ledger, shared by every instance).
    convoStore: false,
  });

  registerListeners(app, {
    ...flowContext,
    config,
    safedebit: safedebit satisfies LinkCreator,
    beneficiaryReference,
    get publicUrl() {
      return publicUrl();
    },
    track,
  });
  app.error(async (error) => {
    logger.error({ event: 'listener_error', error: error.message });
  });

  // Socket Mode: Bolt serves the routes on an http.Server it keeps to itself and starts without an error
  // handler, so a taken PORT would crash the process; watch it here, and read the port it got.
  const socketModeServer = receiver instanceof SocketModeReceiver ? routesServerOf(receiver) : undefined;
  if (socketModeServer) guardRequestListeners(socketModeServer, logger);
  const socketModeListening = socketModeServer && listening(socketModeServer);
  const checkToken = async (variable: SlackTokenVariable, check: () => Promise<unknown>) => {
    try {
      await check();
    } catch (error) {
      await Promise.all([closeClients(), ledger.close()]);
      throw new Error(describeTokenCheckFailure(variable, error, config.slack.apiUrl));
    }
  };
  await checkToken('SLACK_BOT_TOKEN', () => app.init());
  const appToken = config.slack.appToken;
  // Bolt's Socket Mode client asks apps.connections.open again every few seconds, forever, whatever Slack answers
  // but a few codes (invalid_auth, not_authed…; not token_revoked or missing_scope): asked once here first, a refused
  // app-level token stops the start.
  // A Slack that fails to answer stops it too, as at the bot token's check just before: the process manager's
  // restarts are the retries, and each one says why in a line, where Bolt would retry without a word.
  if (appToken) await checkToken('SLACK_APP_TOKEN', () => slack.apps.connections.open({ token: appToken }));
  // Set once a stop begins: a reconnection of Slack's socket under way then opens nothing (catchReconnectionFailures).
  let stopping: Promise<void> | undefined;
  // Watched from the first start: a WebSocket that never opens (a firewall letting slack.com through but not Slack's
  // socket servers) would keep the start waiting for ever, without a word.
  let socketModeFailed: (error: unknown) => void = () => undefined;
  const socketModeFailure = new Promise<unknown>((resolve) => {
    socketModeFailed = resolve;
  });
  const watched =
    !(receiver instanceof SocketModeReceiver) ||
    catchReconnectionFailures(
      receiver.client,
      SOCKET_MODE_REOPEN_TRIES,
      (error) => socketModeFailed(error),
      () => stopping !== undefined,
    );
  const failedToStart = Symbol('socket mode failed to start');
  const notListening = async (error: unknown): Promise<never> => {
    await app.stop().catch(() => undefined);
    await Promise.all([closeClients(), ledger.close()]);
    throw describeListenFailure(error, config.port);
  };
  const started = await Promise.race([app.start(config.port), socketModeFailure.then(() => failedToStart)]).catch(
    notListening,
  );
  if (started === failedToStart) {
    await app.stop().catch(() => undefined);
    await Promise.all([closeClients(), ledger.close()]);
    throw new Error(describeSocketModeFailure(await socketModeFailure, config.slack.apiUrl));
  }
  if (!socketModeServer)
    cutSlowBodies(started as Server, SLACK_EVENTS_PATH, deps.slackBodyTimeoutMs ?? SLACK_BODY_TIMEOUT_MS);
  const connections = drainable(socketModeServer ?? (started as Server));
  await socketModeListening?.catch(notListening);
  receivingSlack = true;
  // A release of Slack's socket client without the members wrapped: its reconnections are left as they are.
  if (!watched) logger.warn({ event: 'socket_mode_reconnections_unwatched' });
  const slackLost = socketModeFailure.then((error) => {
    // A stop under way cuts a reconnection short: that is no loss.
    if (stopping) return new Promise<void>(() => undefined);
    receivingSlack = false;
    logger.error({
      event: 'socket_mode_lost',
      error: slackErrorCode(error),
      msg: "Slack's WebSocket could not be opened again: paylink stops. If SLACK_APP_TOKEN was revoked or regenerated, set the new one",
    });
  });
  const address = (socketModeServer ?? (started as Server)).address() as AddressInfo;
  const port = address.port;
  listeningPort = port;
  // Due reminders are looked for once the app is up; at shutdown the rounds in progress end before the clients close.
  const reminding =
    config.remindAfterMs === undefined
      ? undefined
      : { afterMs: config.remindAfterMs, periodMs: deps.reminderPeriodMs ?? reminderPeriodMs(config.remindAfterMs) };
  const reminders = reminding && startReminders({ ...flowContext, config }, reminding.afterMs, reminding.periodMs);
  // Links whose creation an instance (this one before a restart, or another) left unfinished: looked for now.
  const interruptedLinks = startInterruptedLinkChecks(
    { ...flowContext, config },
    config.safedebitTimeoutMs,
    deps.interruptedLinksPeriodMs ?? interruptedLinksPeriodMs(config.safedebitTimeoutMs),
  );
  // Thread replies Slack did not take, which SAFEDEBIT may never bring again, status lines behind and expiries unshown:
  // looked for once a minute.
  const statusRounds = startStatusRounds(
    { ...flowContext, config },
    deps.statusRoundPeriodMs ?? DEFAULT_STATUS_ROUND_PERIOD_MS,
  );
  logger.info({
    event: 'started',
    port,
    mode: config.slack.appToken ? 'socket' : 'http',
    safedebit: inSandbox ? 'SANDBOX' : 'live',
    locale: config.locale,
    ...(reminding && { reminder_period_ms: reminding.periodMs }),
  });

  async function stop(graceMs: number): Promise<void> {
    logger.info({ event: 'stopping', in_flight: inFlight.size });
    // One grace for all a stop waits for: the requests being answered, the rounds in progress (a DM waiting out a
    // Slack rate limit may take minutes) and the links being created, so that the process manager's kill does not
    // come first.
    const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    const waitingFor = new Set<string>();
    const awaited = (name: string, work: Promise<unknown>) => {
      waitingFor.add(name);
      return work.finally(() => waitingFor.delete(name));
    };
    // Bolt's Socket Mode stop() does not wait for its HTTP server: a callback being answered would be cut short.
    const socketModeServerClosed = socketModeServer?.listening ? once(socketModeServer, 'close') : undefined;
    const requestsAnswered = awaited(
      'requests',
      app
        .stop()
        .catch((error: unknown) => logger.warn({ event: 'receiver_stop_failed', error }))
        .then(() => socketModeServerClosed),
    );
    // New connections are refused from now on; the ones kept alive take the request under way, if any, and close.
    connections.drain();
    // /healthz answers 503: a load balancer still polling it sends this instance nothing more.
    receivingSlack = false;
    // No round starts from now on; the one in progress, if any, is awaited within the grace.
    const roundsOver = Promise.all([
      reminders && awaited('reminders', reminders.stop()),
      awaited('interrupted_links', interruptedLinks.stop()),
      awaited('status_updates', statusRounds.stop()),
    ]);
    const allDone = (async () => {
      await requestsAnswered;
      await Promise.allSettled([Promise.allSettled([...inFlight.keys()]), roundsOver]);
      return 'done' as const;
    })();
    const outcome = await Promise.race([allDone, grace]);
    if (outcome === 'timeout') {
      // What tracked work is still running, by what it is: links, App Home tabs, answers.
      const tracked = new Set(inFlight.values());
      logger.warn({
        event: 'shutdown_grace_expired',
        in_flight: inFlight.size,
        waiting_for: [...waitingFor, ...tracked],
      });
    }
    // Cut, a write waiting to be tried again is kept at once, for the last try below.
    if (outcome === 'timeout') ledgerRetriesCut.abort();
    await closeClients(outcome === 'timeout');
    // Cut, the Slack calls still waiting (a rate limit waited out) end at once as never sent: the rounds give back the
    // links they claimed for them, which the ledger must still take, or no later round would ever claim them again.
    if (outcome === 'timeout') await Promise.race([allDone, sleep(CUT_SETTLE_MS, undefined, { ref: false })]);
    // Last, so that writes kept by the work the cut ended (a link's place, say whether the rep has it) are tried too. A
    // ledger making each wait (a file another process holds locked: 5 s a write) would keep the stop past the process
    // manager's kill: after LAST_WRITES_MS the ledger closes, which ends the write in flight (SQLite: at once;
    // PostgreSQL: when its statement ends) and fails those left, each logged as what it came to.
    const lastWrites = recordLateWrites(flowContext, true);
    await Promise.race([lastWrites, sleep(LAST_WRITES_MS, undefined, { ref: false })]);
    await ledger.close();
    await lastWrites;
    logger.info({ event: 'stopped' });
  }

  return {
    app,
    port,
    logger,
    ledger,
    stop(graceMs = shutdownGraceMs(config.safedebitTimeoutMs)) {
      stopping ??= stop(graceMs);
      return stopping;
    },
    slackLost,
  };
}

/**
 * Bolt reads a body whole before checking its signature, 4 MB by default, from anyone. Slack's largest request to
 * paylink, a form's submission (the view and its values, every field at its limit), stays far under 1 MiB.
 */
const SLACK_BODY_LIMIT_BYTES = 1024 * 1024;
/** Slack sends its requests whole at once, and waits 3 s for the answer: a body still coming after this never will. */
const SLACK_BODY_TIMEOUT_MS = 10_000;

/** How long a stop whose grace ran out waits, once its clients are cut, for the work they ended to record it. */
const CUT_SETTLE_MS = 2_000;

/** How long a stop tries the writes the ledger refused until then before it closes the ledger, failing those left. */
const LAST_WRITES_MS = 2_000;

/** Within the 30 s most process managers give before they kill (Kubernetes' default), with room to close. */
const SHUTDOWN_GRACE_MS = 25_000;

/**
 * How long a stopping instance waits for the links being created: 25 s, or longer when SAFEDEBIT may take longer to
 * answer (SAFEDEBIT_TIMEOUT_MS and 5 s more), so that a SIGTERM does not cut a link SAFEDEBIT is still making.
 */
export function shutdownGraceMs(safedebitTimeoutMs: number): number {
  return Math.max(SHUTDOWN_GRACE_MS, safedebitTimeoutMs + 5_000);
}

/**
 * Longer than a thread reply's post can take (paylink's Slack client makes up to 5 attempts of up to 10 s each for the
 * answer and 10 s for its body, and waits up to a minute between them when Slack asks it to, about 6 minutes in all),
 * so that a reply still being posted is never taken for one whose instance died; a crash costs its reply that long.
 */
const DEFAULT_REPLY_CLAIM_TIMEOUT_MS = 10 * 60_000;

/** A port paylink cannot listen on, as one line naming PORT; any other error as it is. */
function describeListenFailure(error: unknown, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return new Error(`PORT ${port} is in use by another process (EADDRINUSE): stop it, or choose another PORT`);
  if (code === 'EACCES')
    return new Error(`PORT ${port} needs privileges this user lacks (EACCES): choose one above 1023`);
  return error;
}

/** Resolves once the server listens, rejects with its error (EADDRINUSE…); handled from the start. */
function listening(server: Server): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  ready.catch(() => undefined); // awaited later: a failure before then must not count as unhandled
  return ready;
}

/**
 * Development without SAFEDEBIT credentials: the built-in sandbox, on paylink's own port. paylink calls it over
 * HTTP as it calls SAFEDEBIT, so its test references take the real paths (timeout, HTML 500…); never through a
 * proxy, since it is paylink calling itself. The client is made at the first link, once the port is known.
 */
function startEmbeddedSandbox(
  config: Readonly<Config>,
  logger: Logger,
  publicUrl: () => string,
  port: () => number,
  clock: () => Date,
): { safedebit: SafedebitClient; beneficiaryReference: string; sandbox: EmbeddedSandbox } {
  const sandbox = createSandbox({
    logger,
    locale: config.locale,
    timeoutMs: config.safedebitTimeoutMs,
    publicUrl,
    expiry: { clock, unit: config.linkDuration?.unit },
  });
  let client: SafedebitClient | undefined;
  const connected = () =>
    (client ??= createSafedebitClient({
      baseUrl: `http://127.0.0.1:${port()}${SANDBOX_API_PATH}`,
      ...sandbox.credentials,
      timeoutMs: config.safedebitTimeoutMs,
      userAgent: USER_AGENT,
    }));
  logger.warn({
    event: 'sandbox_started',
    msg: 'SANDBOX: SAFEDEBIT_API_URL is unset, links come from the built-in sandbox under /sandbox/',
  });
  if (config.publicUrl !== undefined && !isPaymentPageUrl(config.publicUrl)) {
    logger.warn({
      event: 'sandbox_links_refused',
      msg: 'PAYLINK_PUBLIC_URL is plain http outside localhost: paylink refuses such payment links, so every sandbox link would be an outage. Use https, or leave it unset',
    });
  }
  return {
    safedebit: {
      createPaymentLink: (request) => connected().createPaymentLink(request),
      close: async (cutInFlight) => client?.close(cutInFlight),
    },
    beneficiaryReference: sandbox.beneficiaryReference,
    sandbox,
  };
}
