import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { LEDGER_WAIT_MS } from '../../src/ledger/open.js';
import { ownPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, startHarness, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/** The harness's SAFEDEBIT_TIMEOUT_MS. */
const SAFEDEBIT_TIMEOUT_MS = 1500;
const PERIOD_MS = 100;
const LINK = 'https://pay.example/paypage?SDESSID=left-behind';

const dmSaying = (words: string) => (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes(words);
const isLateLink = dmSaying('paylink stopped before it could give');
const isInterruptedNotice = dmSaying('paylink stopped while SAFEDEBIT');
const isReminder = dmSaying('still awaiting payment');

let app: Harness | undefined;
let database: TestDatabase | undefined;
let locker: pg.Client | undefined;
afterEach(async () => {
  await locker?.end().catch(() => undefined);
  locker = undefined;
  await app?.close();
  app = undefined;
  await database?.drop();
  database = undefined;
});

async function otherSession(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function claim(h: Harness, createdAt: Date, reference = 'F-2026-031'): Promise<string> {
  const id = await h.paylink.ledger.claimSubmission(
    newLink({ createdAt, userId: SALES_REP.id, originChannel: SALES_CHANNEL.id, paymentReference: reference }),
  );
  if (id === undefined) throw new Error('not claimed');
  return id;
}

/** Waits until the app has logged `event` (a round that failed on the ledger's time limit). */
async function logged(h: Harness, event: string, timeoutMs = LEDGER_WAIT_MS + 3_000): Promise<void> {
  await expect
    .poll(() => h.logs.some((line) => line.includes(`"event":"${event}"`)), { timeout: timeoutMs })
    .toBe(true);
}

/**
 * pg's query_timeout only stops paylink's wait: a claim left waiting behind another session's lock would be carried
 * out once the lock is gone, after its round gave up, and its DM never sent. PostgreSQL gives the statement up first.
 */
describe("the rounds' claims waiting past the ledger's time limit behind another session's lock (PostgreSQL)", () => {
  it('are given up by PostgreSQL too: once the lock is gone, the interrupted notice, the late link and the reminder are sent', async () => {
    database = await ownPostgresDatabase();
    const clock = movableClock();
    app = await startHarness({
      databaseUrl: database.url,
      clock: clock.now,
      interruptedLinksPeriodMs: PERIOD_MS,
      reminderPeriodMs: PERIOD_MS,
      env: { PAYLINK_REMIND_AFTER: '30m' },
    });
    const h = app;
    // An instance died while SAFEDEBIT was answering.
    await claim(h, clock.now(), 'F-INTERRUPTED');
    // An instance recorded SAFEDEBIT's link and was killed before posting anything: the rep never got it.
    const undelivered = await claim(h, clock.now(), 'F-UNDELIVERED');
    await h.paylink.ledger.recordOutcome(undelivered, { state: 'created', link: LINK });
    // A link posted in its thread, still awaiting payment.
    const awaiting = await claim(h, clock.now(), 'F-AWAITING');
    await h.paylink.ledger.recordOutcome(awaiting, { state: 'created', link: LINK });
    await h.paylink.ledger.recordSummary(
      awaiting,
      { channel: SALES_CHANNEL.id, ts: '1700000000.000100', threadTs: '1700000000.000100' },
      null,
      LINK,
    );

    // CREATE INDEX (without CONCURRENTLY) holds a SHARE lock on the table: every write waits.
    locker = await otherSession(database.url);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE links IN SHARE MODE');
    // Past every round's delay (the late link's, about 35 minutes, is the longest), within the hour rounds look back.
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS) + 1_000);
    // Each round's claim waits for the table, and paylink gives up after its 5 s.
    await logged(h, 'interrupted_links_failed');
    await logged(h, 'reminders_failed');
    await locker.query('COMMIT');

    const dms = (what: (call: SlackApiCall) => boolean, reference: string) =>
      h.standin.callsTo('chat.postMessage').filter((call) => what(call) && visibleText(call.args).includes(reference));
    await expect
      .poll(
        () => [
          dms(isInterruptedNotice, 'F-INTERRUPTED').length,
          dms(isLateLink, 'F-UNDELIVERED').length,
          dms(isReminder, 'F-AWAITING').length,
        ],
        { timeout: 5_000 },
      )
      .toEqual([1, 1, 1]);
  }, 30_000);
});
