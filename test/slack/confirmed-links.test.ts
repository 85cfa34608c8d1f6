import { describe, expect, it } from 'vitest';
import { buildCallbackUrl } from '../../src/callback/token.js';
import { classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import { type Harness, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

const CALLBACK_SECRET = 'confirmed-links-callback-secret-0123456789';
/** A private channel paylink is not in: the summary goes to the rep's DM instead. */
const PRIVATE_CHANNEL = 'G0PRIVATE';
/** A rep who has left: Slack refuses to open a DM with them, every time. */
const GONE_REP = 'U0GONE';

/** A link whose creation was interrupted, that SAFEDEBIT has since reported on (SETTLED). */
async function reportedInterruptedLink(
  app: Harness,
  userId: string,
  originChannel: string,
  reference: string,
  createdAt: Date,
) {
  const { ledger } = app.paylink;
  const id = await ledger.claimSubmission(newLink({ createdAt, userId, originChannel, paymentReference: reference }));
  if (id === undefined) throw new Error('not claimed');
  await ledger.db.updateTable('links').set({ state: 'interrupted' }).where('id', '=', id).execute();
  return id;
}

async function recordSettled(app: Harness, id: string) {
  await app.paylink.ledger.recordNotification({
    linkId: id,
    dedupeKey: `settled-${id}`,
    status: 'SETTLED',
    rank: statusProgress(classifyStatus('SETTLED')),
    receivedAt: new Date(),
  });
}

describe.each(ENGINES)('confirming a reported link when Slack refuses its summary for good, on %s', (engine) => {
  const harnesses = testHarnesses(engine);
  const start = (interruptedLinksPeriodMs: number) =>
    harnesses.start({
      interruptedLinksPeriodMs,
      channels: { [PRIVATE_CHANNEL]: { kind: 'private', botIsMember: false } },
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET },
    });

  it('a Slack refusal (user_disabled) is not "out of reach": the notification is answered 200, the link confirmed', async () => {
    // No round meanwhile (its first runs at start, before the link exists): the notification alone confirms it.
    const app = await start(600_000);
    app.standin.failNext('conversations.open', 'user_disabled', 1000);
    const id = await reportedInterruptedLink(app, GONE_REP, PRIVATE_CHANNEL, 'F-GONE-1', new Date(Date.now() - 20_000));
    const status = await app.notify(buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET), 'SETTLED');
    // Put back and answered 503 only when Slack surely did not take the summary (out of reach, HTTP errors past the
    // retries): a refusal would come again at every redelivery and every round.
    expect(status).toBe(200);
    // Nor left for the round that DMs a link paylink stopped while announcing: it did not stop, Slack refused.
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({ state: 'created', undelivered_to_rep: 0 });
  });

  it('one link whose summary Slack keeps refusing does not keep every later link from being confirmed by the round', async () => {
    const app = await start(30);
    app.standin.failNext('conversations.open', 'user_disabled', 100_000);
    // The oldest: its rep has left, the channel where they asked is private.
    const gone = await reportedInterruptedLink(
      app,
      GONE_REP,
      PRIVATE_CHANNEL,
      'F-GONE-1',
      new Date(Date.now() - 20_000),
    );
    await recordSettled(app, gone);
    // A later one, in the public sales channel, reported on while Slack was out of reach (so not confirmed then).
    const later = await reportedInterruptedLink(
      app,
      SALES_REP.id,
      SALES_CHANNEL.id,
      'F-LATER-2',
      new Date(Date.now() - 10_000),
    );
    await recordSettled(app, later);
    // Slack is fine for the sales channel: the round (every 30 ms) should give the later link its summary.
    await expect
      .poll(async () => (await app.paylink.ledger.findLink(later))?.summary_ts ?? null, { timeout: 3_000 })
      .not.toBeNull();
  });
});

/** A message paylink posted in a DM (a conversation `D…`). */
const inDirectMessage = (call: SlackApiCall) => String(call.args.channel).startsWith('D');

describe.each(ENGINES)('a confirmed link whose summary Slack refuses or may have posted, on %s', (engine) => {
  const harnesses = testHarnesses(engine);
  const start = (options: { slackTimeoutMs?: number } = {}) =>
    harnesses.start({
      interruptedLinksPeriodMs: 600_000,
      channels: { [PRIVATE_CHANNEL]: { kind: 'private', botIsMember: false } },
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET },
      ...options,
    });

  /** The one DM paylink sent about the link, and what its rep reads in it; nothing else in any DM. */
  async function expectOneNotice(app: Harness, id: string): Promise<string> {
    await app.waitForLog('confirmed_link_notice_sent');
    const dms = app.standin.callsTo('chat.postMessage').filter(inDirectMessage);
    expect(dms).toHaveLength(1);
    const text = visibleText(dms[0]?.args);
    expect(text).toContain('€1,250.50');
    expect(text).toContain('F-REFUSED');
    expect(text).toContain('Paid');
    expect(text).toContain('/paylink status F-REFUSED');
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({ state: 'created', undelivered_to_rep: 0 });
    return text;
  }

  it('a refusal (invalid_blocks) earns the rep a DM saying the link exists, where it stands and where to follow it', async () => {
    const app = await start();
    app.standin.failNext('chat.postMessage', 'invalid_blocks');
    const id = await reportedInterruptedLink(app, SALES_REP.id, SALES_CHANNEL.id, 'F-REFUSED', new Date());
    expect(await app.notify(buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET), 'SETTLED')).toBe(200);

    const text = await expectOneNotice(app, id);
    expect(text).toContain('Slack refused its summary');
    // Slack surely posted nothing: the DM is no summary, and nothing is posted in the channel again.
    expect(app.standin.messagesIn(SALES_CHANNEL.id)).toEqual([]);
    expect(app.standin.callsTo('chat.postMessage').filter((call) => call.args.attachments !== undefined)).toHaveLength(
      1,
    );
  });

  it('a timeout, Slack having maybe posted the summary, earns a DM saying so, never a second summary', async () => {
    const app = await start({ slackTimeoutMs: 1_000 });
    // Well past the timeout: undici checks its timeouts of a second or more on a timer that may add up to a second.
    app.standin.setDelay('chat.postMessage', 3_000);
    const id = await reportedInterruptedLink(app, SALES_REP.id, SALES_CHANNEL.id, 'F-REFUSED', new Date());
    const notified = app.notify(buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET), 'SETTLED');
    await app.standin.waitForCall('chat.postMessage');
    app.standin.setDelay('chat.postMessage', 0);
    expect(await notified).toBe(200);

    const text = await expectOneNotice(app, id);
    expect(text).toContain('its summary may have been posted');
    // Slack did post it (the stand-in answered too late): it stays the one summary, in the channel.
    await expect.poll(() => app.standin.messagesIn(SALES_CHANNEL.id), { timeout: 5_000 }).toHaveLength(1);
    expect(app.standin.callsTo('chat.postMessage').filter((call) => call.args.attachments !== undefined)).toHaveLength(
      1,
    );
  });

  it('a DM Slack did not open in time, its summary surely posted nowhere, is put back (503), not taken for one maybe posted', async () => {
    // A timeout long enough for the calls Slack answers at once, on a busy CI machine too.
    const app = await start({ slackTimeoutMs: 2_500 });
    // paylink is not in the channel where the rep asked: it turns to their DM, which Slack opens past the timeout.
    const id = await reportedInterruptedLink(app, SALES_REP.id, PRIVATE_CHANNEL, 'F-REFUSED', new Date());
    app.standin.setDelay('conversations.open', 8_000);
    const callbackUrl = buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET);
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(503);
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({ state: 'interrupted', summary_ts: null });

    // Slack answering again, the redelivery gives the link its one summary, in the rep's DM: no notice instead of it.
    app.standin.setDelay('conversations.open', 0);
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    const summaries = app.standin.callsTo('chat.postMessage').filter((call) => call.args.attachments !== undefined);
    expect(summaries.filter(inDirectMessage)).toHaveLength(1);
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({ state: 'created', summary_ts: expect.any(String) });
    expect(app.logs.map((line) => JSON.parse(line).event)).not.toContain('confirmed_link_notice_sent');
  });
});

describe.each(ENGINES)('a postponed confirmation whose put-back the ledger refuses once, on %s', (engine) => {
  const harnesses = testHarnesses(engine);

  it('is put back once the ledger takes it, and confirmed later: not left created with no summary for good', async () => {
    const app = await harnesses.start({
      // No round meanwhile (its first runs at start, before the link exists): the redelivery alone confirms it.
      interruptedLinksPeriodMs: 600_000,
      ledgerRetryDelaysMs: [50, 100],
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET },
    });
    const { ledger } = app.paylink;
    const id = await ledger.claimSubmission(
      newLink({
        createdAt: new Date(Date.now() - 20_000),
        userId: SALES_REP.id,
        originChannel: SALES_CHANNEL.id,
        paymentReference: 'F-2026-031',
      }),
    );
    if (id === undefined) throw new Error('not claimed');
    await ledger.db
      .updateTable('links')
      .set({ state: 'outage', state_detail: 'timeout' })
      .where('id', '=', id)
      .execute();
    // The instance loses its network for a moment: Slack out of reach (HTTP 429 past the client's 5 tries stands in
    // for it), and the ledger refuses the one write that puts the confirmation back.
    app.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 0 }, 5);
    const unconfirmLink = ledger.unconfirmLink.bind(ledger);
    ledger.unconfirmLink = async () => {
      ledger.unconfirmLink = unconfirmLink;
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    };
    expect(await app.notify(buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET), 'SETTLED')).toBe(503);
    // SAFEDEBIT redelivers, as a 503 asks it to. Slack and the ledger are back.
    expect(await app.notify(buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET), 'SETTLED')).toBe(200);
    await expect
      .poll(
        async () => {
          const link = await ledger.findLink(id);
          return { state: link?.state, summary_ts: link?.summary_ts ?? null };
        },
        { timeout: 3_000 },
      )
      .toEqual({ state: 'created', summary_ts: expect.any(String) });
  });
});

describe.each(ENGINES)('a trial link confirmed by a live instance, on %s', (engine) => {
  const harnesses = testHarnesses(engine);

  it("is announced [SANDBOX]: its summary and the reply on its missing address, as the sandbox's own would be", async () => {
    const live = await harnesses.start({ env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET } });
    const id = await reportedInterruptedLink(live, SALES_REP.id, SALES_CHANNEL.id, 'TEST-1', new Date());
    // Claimed by the sandbox instance before paylink went live on this ledger.
    await live.paylink.ledger.db.updateTable('links').set({ sandbox: 1 }).where('id', '=', id).execute();
    expect(await live.notify(buildCallbackUrl(live.baseUrl, id, CALLBACK_SECRET), 'SETTLED')).toBe(200);

    const posted = live.standin.callsTo('chat.postMessage').map((call) => String(call.args.text));
    expect(posted.slice(0, 2)).toEqual([
      expect.stringMatching(/^\[SANDBOX\] .*TEST-1/),
      expect.stringMatching(/^\[SANDBOX\] .*its address never reached paylink/),
    ]);
  });
});
