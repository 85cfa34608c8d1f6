import { afterEach, describe, expect, it } from 'vitest';
import { buildCallbackUrl } from '../../src/callback/token.js';
import { abandonedAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { openLedger } from '../../src/ledger/open.js';
import {
  type AppProcess,
  exitCodeOf,
  openModalOf,
  type ProcessWorld,
  startAppProcess,
  startProcessWorld,
  validSubmission,
} from '../support/app-process.js';
import { ledgerLocationOf } from '../support/databases.js';
import { newLink } from '../support/link-records.js';
import { SIGNING_SECRET, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { sendInteraction } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/** The summary a late link's first reply was posted under, in the rep's DM, as Slack shows it now. */
function summaryRepliedTo(world: ProcessWorld, reply: SlackApiCall) {
  const messages = world.standin.messagesIn(String(reply.args.channel));
  return messages.find((message) => message.ts === reply.args.thread_ts);
}

/** Both instances' SAFEDEBIT timeout: the first is killed well within it, while SAFEDEBIT is answering. */
const SAFEDEBIT_TIMEOUT_MS = 3_000;

describe('an instance killed while SAFEDEBIT is answering', () => {
  let world: ProcessWorld | undefined;
  const apps: AppProcess[] = [];
  afterEach(async () => {
    await world?.close(apps.splice(0));
    world = undefined;
  });

  it('leaves its link to the next instance, which tells the rep and marks it interrupted', async () => {
    world = await startProcessWorld();
    const { standin, safedebit } = world;
    const env = { ...world.env, SAFEDEBIT_TIMEOUT_MS: String(SAFEDEBIT_TIMEOUT_MS) };
    const first = await startAppProcess(env);
    apps.push(first);
    safedebit.setMode({ kind: 'hang' });
    const modal = await openModalOf(first.baseUrl, standin);
    await sendInteraction(first.baseUrl, SIGNING_SECRET, validSubmission(modal));
    while (safedebit.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const killed = exitCodeOf(first);
    first.child.kill('SIGKILL');
    await killed;

    // Time passes (the abandonment delay is over a minute; when it is reached is tested on a movable clock in
    // test/slack/interrupted-links.test.ts): the claim is made older than it, as if the next instance came later.
    const claimedBefore = new Date(Date.now() - abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS) - 1_000).toISOString();
    const ledger = await openLedger(ledgerLocationOf(world.database));
    try {
      await ledger.db.updateTable('links').set({ created_at: claimedBefore }).execute();
    } finally {
      await ledger.close();
    }

    const next = await startAppProcess(env);
    apps.push(next);
    const notice = await standin.waitForCall('chat.postMessage', (call) =>
      String(call.args.text).includes('paylink stopped while SAFEDEBIT was creating'),
    );
    expect(String(notice.args.channel)).toMatch(/^D/);
    expect(String(notice.args.text)).toContain('F-2026-031');
    // Logged once the DM is sent (so once per link, however often Slack puts the DM off): just after Slack's answer.
    await expect.poll(() => next.output()).toContain('"event":"link_interrupted"');
    // The modal, "creating…" since the submission, says it too for a rep still looking at it.
    const shown = standin.displayedViews().find((view) => view.id === modal.id);
    expect(visibleText(shown)).toContain('paylink stopped while SAFEDEBIT was creating');
    expect(visibleText(shown)).toContain('F-2026-031');

    const reopened = await openLedger(ledgerLocationOf(world.database));
    try {
      const rows = await reopened.db.selectFrom('links').select(['state', 'payment_reference']).execute();
      expect(rows).toEqual([{ state: 'interrupted', payment_reference: 'F-2026-031' }]);
    } finally {
      await reopened.close();
    }
    // Nothing was posted in the channel: there is no link to show.
    expect(standin.callsTo('chat.postMessage').filter((call) => !String(call.args.channel).startsWith('D'))).toEqual(
      [],
    );
  }, 30_000);
});

describe('an instance killed after recording the link, while its summary waits out a Slack rate limit', () => {
  let world: ProcessWorld | undefined;
  const apps: AppProcess[] = [];
  afterEach(async () => {
    await world?.close(apps.splice(0));
    world = undefined;
  });

  it('leaves the link to the next instance, which DMs it to the rep and shows it in the modal', async () => {
    world = await startProcessWorld();
    const { standin } = world;
    const env = { ...world.env, SAFEDEBIT_TIMEOUT_MS: String(SAFEDEBIT_TIMEOUT_MS) };
    const first = await startAppProcess(env);
    apps.push(first);
    // Slack asks to wait 30 s before the summary: SAFEDEBIT's link is recorded, nothing is posted yet.
    standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 30 });
    const modal = await openModalOf(first.baseUrl, standin);
    await sendInteraction(first.baseUrl, SIGNING_SECRET, validSubmission(modal));
    while (!first.output().includes('"event":"slack_rate_limited"')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const killed = exitCodeOf(first);
    first.child.kill('SIGKILL');
    await killed;

    // Time passes (over half an hour; when it is reached is tested on a movable clock in
    // test/slack/interrupted-links.test.ts): the claim is made older than that, as if the next instance came later.
    const claimedBefore = new Date(Date.now() - undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS) - 1_000).toISOString();
    const ledger = await openLedger(ledgerLocationOf(world.database));
    let link: string | null | undefined;
    try {
      await ledger.db.updateTable('links').set({ created_at: claimedBefore }).execute();
      link = (await ledger.db.selectFrom('links').select('link').executeTakeFirst())?.link;
    } finally {
      await ledger.close();
    }
    expect(link).toContain('SDESSID=');

    const next = await startAppProcess(env);
    apps.push(next);
    const late = await standin.waitForCall('chat.postMessage', (call) =>
      String(call.args.text).includes('paylink stopped before it could give you this payment link'),
    );
    expect(String(late.args.channel)).toMatch(/^D/);
    expect(String(late.args.text)).toContain(String(link));
    expect(visibleText(summaryRepliedTo(world, late))).toContain('F-2026-031');
    await expect.poll(() => next.output()).toContain('"event":"link_delivered_late"');
    // The modal, "creating…" since the submission, shows the link too.
    const shown = standin.displayedViews().find((view) => view.id === modal.id);
    expect(visibleText(shown)).toContain(String(link));
    // Nothing was posted in the channel, and nothing is said of an interrupted link: the link exists.
    expect(standin.messagesIn(SALES_CHANNEL.id)).toEqual([]);
    expect(next.output()).not.toContain('"event":"link_interrupted"');
  }, 30_000);
});

describe('an instance killed while announcing a link SAFEDEBIT reported on, its summary waiting out a Slack rate limit', () => {
  let world: ProcessWorld | undefined;
  const apps: AppProcess[] = [];
  afterEach(async () => {
    await world?.close(apps.splice(0));
    world = undefined;
  });

  it('leaves the link to the next instance, which DMs its rep once, and posts nothing in the channel', async () => {
    world = await startProcessWorld();
    const { standin } = world;
    const callbackSecret = 'process-confirmed-callback-secret-0123456789';
    const env = {
      ...world.env,
      SAFEDEBIT_TIMEOUT_MS: String(SAFEDEBIT_TIMEOUT_MS),
      PAYLINK_CALLBACK_SECRET: callbackSecret,
    };
    // A link whose answer was an outage (SAFEDEBIT timed out): paylink showed none, and SAFEDEBIT made it all the same.
    const ledger = await openLedger(ledgerLocationOf(world.database));
    let id: string | undefined;
    try {
      id = await ledger.claimSubmission(
        newLink({ userId: SALES_REP.id, originChannel: SALES_CHANNEL.id, paymentReference: 'F-2026-031' }),
      );
      await ledger.recordOutcome(String(id), { state: 'outage', detail: 'timeout' });
    } finally {
      await ledger.close();
    }

    const first = await startAppProcess(env);
    apps.push(first);
    // Slack asks to wait 30 s before the summary: the link is confirmed in the ledger, nothing is posted yet.
    standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 30 });
    const notified = fetch(buildCallbackUrl(first.baseUrl, String(id), callbackSecret), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payment_status: 'SETTLED', pay_id: 'P-77' }),
    }).catch(() => undefined);
    while (!first.output().includes('"event":"slack_rate_limited"')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const killed = exitCodeOf(first);
    first.child.kill('SIGKILL');
    await killed;
    await notified;

    // Time passes (over half an hour; when it is reached is tested on a movable clock in
    // test/slack/interrupted-links.test.ts): the confirmation is made older than that, as if the next instance came later.
    const confirmedBefore = new Date(Date.now() - undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS) - 1_000).toISOString();
    const left = await openLedger(ledgerLocationOf(world.database));
    try {
      expect(await left.findLink(String(id))).toMatchObject({ state: 'created', summary_ts: null, link: null });
      await left.db.updateTable('links').set({ confirmed_at: confirmedBefore }).execute();
    } finally {
      await left.close();
    }

    const next = await startAppProcess(env);
    apps.push(next);
    const late = await standin.waitForCall('chat.postMessage', (call) =>
      String(call.args.text).includes('paylink stopped while announcing'),
    );
    expect(String(late.args.channel)).toMatch(/^D/);
    const summary = visibleText(summaryRepliedTo(world, late));
    expect(summary).toContain('F-2026-031');
    expect(summary).toContain('Paid');
    expect(String(late.args.text)).toContain('SAFEDEBIT merchant back office');
    await expect.poll(() => next.output()).toContain('"event":"confirmed_link_delivered_late"');
    // Nothing in the channel, where the killed instance may have posted the summary without recording it.
    expect(standin.messagesIn(SALES_CHANNEL.id)).toEqual([]);

    // A third instance, after the second stops, finds nothing left to send.
    const stopped = exitCodeOf(next);
    next.child.kill('SIGTERM');
    await stopped;
    const third = await startAppProcess(env);
    apps.push(third);
    const reopened = await openLedger(ledgerLocationOf(world.database));
    try {
      expect(await reopened.findLink(String(id))).toMatchObject({
        undelivered_to_rep: 0,
        summary_ts: late.args.thread_ts,
      });
    } finally {
      await reopened.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const sent = standin.callsTo('chat.postMessage').filter((call) => String(call.args.text).includes('announcing'));
    expect(sent).toHaveLength(1);
  }, 30_000);
});
