import { describe, expect, it } from 'vitest';
import { abandonedAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import type { Harness } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * A running instance looks only an hour back once a look has run out of links (README, "Interrupted links"). When
 * Slack puts DMs off for longer than that (rate limits, an outage), each look is cut short and the link released for
 * the next: the window must not slide past it, or the rep would hear of it only at the next restart.
 */
const PERIOD_MS = 30;
const SAFEDEBIT_TIMEOUT_MS = 1500;
const OVER_AN_HOUR_MS = 61 * 60_000;

const settle = (ms = PERIOD_MS * 8) => new Promise((resolve) => setTimeout(resolve, ms));
const isNotice = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes('paylink stopped while SAFEDEBIT');

/**
 * A running instance whose first look ran out of links (an empty ledger), then Slack answering `conversations.open`
 * with HTTP 429 past the client's retries (surely not posted, may be tried again) until `slackBack()` is called.
 */
async function runningInstanceSlackDown(harnesses: ReturnType<typeof testHarnesses>) {
  const clock = movableClock();
  const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: PERIOD_MS });
  await app.waitForLog('started');
  await settle();
  let slackDown = true;
  app.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 0 }, 1_000_000, () => slackDown);
  return {
    app,
    clock,
    slackBack: () => {
      slackDown = false;
    },
  };
}

async function claimLeftLink(app: Harness, createdAt: Date, paymentReference: string): Promise<string> {
  const id = await app.paylink.ledger.claimSubmission(
    newLink({ createdAt, userId: SALES_REP.id, originChannel: SALES_CHANNEL.id, paymentReference }),
  );
  if (id === undefined) throw new Error('not claimed');
  return id;
}

describe.each(ENGINES)('a released link, Slack putting DMs off for over an hour, on %s', (engine) => {
  const harnesses = testHarnesses(engine);

  it('an interrupted link: its rep is told once Slack takes DMs again (the instance kept running all along)', async () => {
    const { app, clock, slackBack } = await runningInstanceSlackDown(harnesses);
    // Another instance died while SAFEDEBIT was answering: its link is abandoned now.
    const id = await claimLeftLink(
      app,
      new Date(clock.now().getTime() - abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS)),
      'F-2026-031',
    );
    await app.waitForLog('interrupted_notice_postponed');
    clock.advance(OVER_AN_HOUR_MS);
    await settle();
    slackBack();
    await app.waitForLog('interrupted_notice_sent');
    await settle();

    expect({
      notices: app.standin.callsTo('chat.postMessage').filter(isNotice).length,
      state: (await app.paylink.ledger.findLink(id))?.state,
    }).toEqual({ notices: 1, state: 'interrupted' });
  });

  it('a link never given to its rep: it is given once Slack takes DMs again', async () => {
    const { app, clock, slackBack } = await runningInstanceSlackDown(harnesses);
    // An instance recorded SAFEDEBIT's link, then died before its rep had it.
    const id = await claimLeftLink(
      app,
      new Date(clock.now().getTime() - undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS)),
      'F-2026-032',
    );
    await app.paylink.ledger.recordOutcome(id, { state: 'created', link: 'https://pay.example.com/paypage?SDESSID=1' });
    await app.waitForLog('late_link_postponed');
    clock.advance(OVER_AN_HOUR_MS);
    await settle();
    slackBack();
    await app.waitForLog('link_delivered_late');

    expect((await app.paylink.ledger.findLink(id))?.undelivered_to_rep).toBe(0);
  });
});

/**
 * Two instances on one ledger: a look that runs out of links did not see one another instance held (claimed, its DM
 * being put off). Once the holder releases it and leaves for good (scaled in), the instance that kept running must
 * still look at it again: it looks at the whole ledger again within the hour.
 */
/** B's clock runs this far ahead of A's: only B takes the link for an abandoned one at first. */
const SKEW_MS = 20_000;

describe.each(ENGINES)('a link released by an instance that then leaves, on %s', (engine) => {
  const harnesses = testHarnesses(engine);

  it('is still noticed by the instance that kept running all along', async () => {
    const clockA = movableClock();
    const clockB = movableClock();
    clockB.advance(SKEW_MS);
    const a = await harnesses.start({ clock: clockA.now, interruptedLinksPeriodMs: PERIOD_MS });
    const b = await harnesses.start({ clock: clockB.now, interruptedLinksPeriodMs: PERIOD_MS });
    await a.waitForLog('started');
    await b.waitForLog('started');
    await settle();

    // Slack puts B's DMs off (HTTP 429 past the client's retries), slowly: B holds its claim a while each round.
    b.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 0 }, 1_000_000);
    b.standin.setDelay('conversations.open', 300);

    // An instance died while SAFEDEBIT was answering: abandoned by B's clock, not yet by A's.
    const createdAt = new Date(clockA.now().getTime() - abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS) + SKEW_MS / 2);
    const id = await a.paylink.ledger.claimSubmission(
      newLink({ createdAt, userId: SALES_REP.id, originChannel: SALES_CHANNEL.id, paymentReference: 'F-2026-099' }),
    );
    if (id === undefined) throw new Error('not claimed');

    // B claimed it and is waiting on Slack: an hour on, A looks while B holds it.
    await b.standin.waitForCall('conversations.open', () => true, 5_000);
    expect((await a.paylink.ledger.findLink(id))?.state).toBe('interrupted');
    clockA.advance(OVER_AN_HOUR_MS);
    await settle();

    // B gives the link back (its DM put off once more) and leaves for good.
    b.standin.setDelay('conversations.open', 0);
    await b.waitForLog('interrupted_notice_postponed');
    await harnesses.stop(b);
    expect((await a.paylink.ledger.findLink(id))?.state).toBe('requested');

    // A keeps running, Slack taking its DMs, for another hour and more.
    clockA.advance(OVER_AN_HOUR_MS);
    await settle();
    await a.waitForLog('interrupted_notice_sent', 1, 3_000);
    expect((await a.paylink.ledger.findLink(id))?.state).toBe('interrupted');
  });
});
