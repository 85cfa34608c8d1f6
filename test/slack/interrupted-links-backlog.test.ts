import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openLedger } from '../../src/ledger/open.js';
import { ENGINES, freshDatabase, ledgerLocationOf, type TestDatabase } from '../support/databases.js';
import { newLink } from '../support/link-records.js';
import { type Harness, startHarness, visibleText } from '../support/paylink-harness.js';
import {
  type SlackApiCall,
  type SlackApiFault,
  type SlackApiStandin,
  startSlackApiStandin,
} from '../support/slack-api-standin.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

/**
 * A long-lived ledger: an instance died over the weekend while SAFEDEBIT was answering two reps, and paylink is
 * started again on Monday. Its first look at the ledger takes in every link left since (later looks only the last
 * hour's); a DM Slack certainly did not take in that first look must be sent at a later one (README, "Interrupted
 * links", "Links never given to their rep"), and the other reps' links must not wait for the next restart.
 */
const PERIOD_MS = 30;
const DAY_MS = 24 * 3_600_000;
const REPS = ['U0REPA', 'U0REPB', 'U0REPC'];
const LINK = 'https://pay.example/paypage?SDESSID=left-over-the-weekend';

/** Slack answers HTTP 429 past the client's 5 attempts to the first DM: it surely posted nothing. */
const SLACK_SURELY_DID_NOT_TAKE_FIRST_DM = { fault: { status: 429, retryAfterSeconds: 0 }, times: 5 } as const;

const isInterruptedNotice = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes('paylink stopped while SAFEDEBIT');
const isLateLink = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && visibleText(call.args).includes(LINK);

describe.each(ENGINES)('an instance started on a ledger with links left long ago, on %s', (engine) => {
  let database: TestDatabase | undefined;
  let app: Harness | undefined;
  let slack: SlackApiStandin | undefined;
  afterEach(async () => {
    await app?.close();
    await slack?.close();
    await database?.drop();
    app = undefined;
    slack = undefined;
    database = undefined;
  });

  /**
   * Fills a fresh ledger as the instance that died left it, then starts paylink on it with its own Slack stand-in, whose
   * first DMs fail with `firstDmsFail`.
   */
  async function restartAfter(
    leave: (ledger: Ledger) => Promise<void>,
    firstDmsFail?: { fault: SlackApiFault; times: number },
    periodMs = PERIOD_MS,
  ) {
    database = await freshDatabase(engine);
    const ledger = await openLedger(ledgerLocationOf(database));
    try {
      await leave(ledger);
    } finally {
      await ledger.close();
    }
    slack = await startSlackApiStandin();
    if (firstDmsFail) slack.failNext('conversations.open', firstDmsFail.fault, firstDmsFail.times);
    app = await startHarness({
      engine,
      databaseUrl: database.url,
      interruptedLinksPeriodMs: periodMs,
      env: { SLACK_API_URL: slack.apiUrl },
    });
    return slack;
  }

  const claimed = (ledger: Ledger, userId: string, hoursAgo: number) =>
    ledger.claimSubmission(
      newLink({
        createdAt: new Date(Date.now() - 2 * DAY_MS - hoursAgo * 3_600_000),
        userId,
        originChannel: SALES_CHANNEL.id,
      }),
    );

  /**
   * Waits until every rep got one of these DMs and the app logged `sent` for each (it logs a DM once Slack has
   * answered, after the stand-in recorded it); resolves with the events the app logged.
   */
  async function everyRepDmed(
    standin: SlackApiStandin,
    dm: (call: SlackApiCall) => boolean,
    sent: string,
    timeout = 5_000,
  ): Promise<string[]> {
    const dmedReps = () =>
      new Set(
        standin
          .callsTo('chat.postMessage')
          .filter(dm)
          .map((call) => call.args.channel),
      );
    await expect.poll(() => dmedReps().size, { timeout, interval: 50 }).toBe(REPS.length);
    await app?.waitForLog(sent, REPS.length);
    const events: string[] = (app?.logs ?? []).map((line) => JSON.parse(line).event);
    // One DM per rep, not one more.
    expect(events.filter((event) => event === sent)).toHaveLength(REPS.length);
    return events;
  }

  it("tells every rep of an interrupted link, though Slack did not take the first rep's DM in the first look", async () => {
    const standin = await restartAfter(async (ledger) => {
      for (const [index, rep] of REPS.entries()) await claimed(ledger, rep, REPS.length - index);
    }, SLACK_SURELY_DID_NOT_TAKE_FIRST_DM);
    const events = await everyRepDmed(standin, isInterruptedNotice, 'interrupted_notice_sent');
    expect(events).toContain('interrupted_notice_postponed');
  });

  it("gives every rep a link never given to them, though Slack did not take the first rep's DM in the first look", async () => {
    const standin = await restartAfter(async (ledger) => {
      for (const [index, rep] of REPS.entries()) {
        const id = await claimed(ledger, rep, REPS.length - index);
        if (id === undefined) throw new Error('not claimed');
        await ledger.recordOutcome(id, { state: 'created', link: LINK });
      }
    }, SLACK_SURELY_DID_NOT_TAKE_FIRST_DM);
    const events = await everyRepDmed(standin, isLateLink, 'link_delivered_late');
    expect(events).toContain('late_link_postponed');
  });

  it('tells the reps still here in the first look, though a rep who left has older links whose DMs Slack refuses', async () => {
    const gone = 'U0GONE';
    const standin = await restartAfter(
      async (ledger) => {
        for (const hoursAgo of [12, 11, 10]) await claimed(ledger, gone, hoursAgo);
        for (const [index, rep] of REPS.entries()) await claimed(ledger, rep, REPS.length - index);
      },
      { fault: 'user_not_found', times: 3 },
      // Long enough that a round per link of the rep who left shows.
      1_500,
    );
    const events = await everyRepDmed(standin, isInterruptedNotice, 'interrupted_notice_sent', 1_000);
    expect(events.filter((event) => event === 'interrupted_notice_not_sent')).toHaveLength(3);
  });

  it('(control) tells every rep when Slack takes every DM', async () => {
    const standin = await restartAfter(async (ledger) => {
      for (const [index, rep] of REPS.entries()) await claimed(ledger, rep, REPS.length - index);
    });
    await expect
      .poll(() => standin.callsTo('chat.postMessage').filter(isInterruptedNotice).length, { timeout: 5_000 })
      .toBe(REPS.length);
  });
});
