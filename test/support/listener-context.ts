import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createHomeTabs } from '../../src/flow/home-tab.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openLedger } from '../../src/ledger/open.js';
import { createJsonLogger } from '../../src/logger.js';
import type { PaymentLinkOutcome } from '../../src/safedebit/outcome.js';
import type { PaymentLinkRequest } from '../../src/safedebit/request.js';
import type { ListenerContext } from '../../src/slack/listeners/context.js';
import type { paymentSubmission } from '../../src/slack/listeners/views/payment-submission.js';
import { buildPaymentModal } from '../../src/slack/views/payment-modal.js';
import { SlackApiError, type SlackWebApi } from '../../src/slack/web-api.js';
import { BOT_TOKEN, SIGNING_SECRET } from './paylink-harness.js';
import { stateValuesFor, viewSubmissionPayload } from './slack-requests.js';

/** One call a listener made through the fake Slack client. */
export interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
}

/** paylink's Slack client, without Slack: each call is recorded and answered like Slack would, or refused. */
export interface FakeSlack extends SlackWebApi {
  calls: FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  /** The next call to `method` is refused with this Slack error (`expired_trigger_id`, `not_in_channel`…). */
  refuseNext(method: string, error: string): void;
}

export function fakeSlack(): FakeSlack {
  const calls: FakeSlackCall[] = [];
  const refusals = new Map<string, string>();
  let ts = 1_700_000_000;
  const answer = async <T>(method: string, args: object, ok: () => T): Promise<T> => {
    calls.push({ method, args: args as Record<string, unknown> });
    const refusal = refusals.get(method);
    if (refusal !== undefined) {
      refusals.delete(method);
      throw new SlackApiError(method, { ok: false, error: refusal });
    }
    return ok();
  };
  const nextTs = () => {
    ts += 1;
    return `${ts}.000100`;
  };
  return {
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    refuseNext: (method, error) => refusals.set(method, error),
    views: {
      open: (args) => answer('views.open', args, () => ({ ok: true, view: { id: 'V0MODAL' } })),
      update: (args) => answer('views.update', args, () => ({ ok: true })),
      publish: (args) => answer('views.publish', args, () => ({ ok: true })),
    },
    chat: {
      postMessage: (args) =>
        answer('chat.postMessage', args, () => ({ ok: true, channel: args.channel, ts: nextTs() })),
      update: (args) => answer('chat.update', args, () => ({ ok: true })),
      getPermalink: (args) =>
        answer('chat.getPermalink', args, () => ({
          ok: true,
          permalink: `https://paylink-test.slack.com/archives/${args.channel}/p${args.message_ts.replace('.', '')}`,
        })),
    },
    conversations: {
      open: (args) => answer('conversations.open', args, () => ({ ok: true, channel: { id: 'D0REPDM' } })),
    },
    apps: {
      connections: {
        open: (args) => answer('apps.connections.open', args, () => ({ ok: true, url: 'wss://wss.example/link/' })),
      },
    },
    files: {
      getUploadURLExternal: (args) =>
        answer('files.getUploadURLExternal', args, () => ({
          ok: true,
          upload_url: 'https://files.slack.com/upload/v1/F0FILE',
          file_id: 'F0FILE',
        })),
      completeUploadExternal: (args) => answer('files.completeUploadExternal', args, () => ({ ok: true })),
      upload: (uploadUrl, bytes) => answer('files.upload', { uploadUrl, bytes }, () => undefined),
    },
    respond: (url, message) => answer('respond', { url, ...message }, () => undefined),
    close: async () => undefined,
  };
}

/** SAFEDEBIT without SAFEDEBIT: answers each request with the next scripted outcome (a link by default). */
export interface FakeSafedebit {
  requests: PaymentLinkRequest[];
  answerNext(outcome: PaymentLinkOutcome): void;
  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLinkOutcome>;
}

function fakeSafedebit(): FakeSafedebit {
  const requests: PaymentLinkRequest[] = [];
  const scripted: PaymentLinkOutcome[] = [];
  return {
    requests,
    answerNext: (outcome) => scripted.push(outcome),
    async createPaymentLink(request) {
      requests.push(request);
      return (
        scripted.shift() ?? {
          kind: 'link',
          link: `https://pay.example/paypage?SDESSID=${requests.length}`,
          latencyMs: 1,
        }
      );
    },
  };
}

/** A Bolt `ack` that records what it was given. */
export function fakeAck() {
  const acks: unknown[] = [];
  const ack = async (response?: unknown) => {
    acks.push(response);
  };
  return Object.assign(ack, { acks });
}

/**
 * What Bolt gives the view_submission listener when the rep submits paylink's modal (opened with `privateMetadata`)
 * with `inputs` typed: the payload as `body`, its view as `view`, and an `ack` that records what it was given. The same
 * arguments each time, as Slack delivering one submission twice would send them.
 */
export function submittedModal(
  ctx: Pick<ListenerContext, 'config'>,
  inputs: Record<string, string | readonly string[]>,
  privateMetadata: string,
) {
  const modal = buildPaymentModal({
    locale: 'en',
    sandbox: false,
    privateMetadata,
    paymentTypes: ctx.config.paymentTypes,
    values: {},
  });
  const body = viewSubmissionPayload({
    view: {
      ...modal,
      id: 'V0MODAL',
      hash: '1700000000.abc',
      callback_id: String(modal.callback_id),
      state: { values: stateValuesFor(modal as { blocks?: readonly unknown[] }, inputs) },
    },
  });
  const ack = fakeAck();
  const args = { ack, body, view: body.view } as unknown as Parameters<ReturnType<typeof paymentSubmission>>[0];
  return { ack, args };
}

export interface ListenerTestContext {
  ctx: ListenerContext;
  slack: FakeSlack;
  safedebit: FakeSafedebit;
  ledger: Ledger;
  /** The work listeners handed to `track`, to await in a test. */
  tracked: Promise<void>[];
  logs: string[];
  close(): Promise<void>;
}

/**
 * What listeners get from the running app, built without starting it: the configuration `env` gives (on top of
 * a valid test one), a fake Slack client and SAFEDEBIT, and a real ledger in a temporary SQLite file.
 */
export async function listenerContext(env: Record<string, string> = {}): Promise<ListenerTestContext> {
  const folder = mkdtempSync(join(tmpdir(), 'paylink-listener-'));
  const loaded = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PAYLINK_PUBLIC_URL: 'https://paylink.example.com',
    PAYLINK_LOCALE: 'en',
    DATABASE_URL: `sqlite:${join(folder, 'paylink.sqlite')}`,
    ...env,
  });
  if (!loaded.ok) throw new Error(`test config refused: ${loaded.problems.join('; ')}`);
  const config = loaded.config;
  if (config.ledger.engine !== 'sqlite') throw new Error('listener tests use a SQLite ledger');
  const ledger = await openLedger(config.ledger);
  const slack = fakeSlack();
  const safedebit = fakeSafedebit();
  const tracked: Promise<void>[] = [];
  const logs: string[] = [];
  const logger = createJsonLogger({ level: 'debug', secrets: [], write: (line) => logs.push(line) });
  const clock = () => new Date('2026-11-26T13:32:00Z');
  const timeZone = 'Europe/Paris';
  const ctx: ListenerContext = {
    config,
    slack,
    safedebit,
    ledger,
    beneficiaryReference: 'BENEF-0001',
    publicUrl: 'https://paylink.example.com',
    sandbox: false,
    logger,
    clock,
    timeZone,
    homeTabs: createHomeTabs({ ledger, slack, logger, config, sandbox: false, clock, timeZone }),
    replyClaimTimeoutMs: 120_000,
    ledgerRetryDelaysMs: [10, 10],
    unrecordedWrites: new Map(),
    track: (_kind, work) => {
      tracked.push(work);
    },
  };
  return {
    ctx,
    slack,
    safedebit,
    ledger,
    tracked,
    logs,
    async close() {
      await Promise.allSettled(tracked);
      await ledger.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
