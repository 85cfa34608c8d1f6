import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { abandonedAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { LEDGER_WAIT_MS } from '../../src/ledger/open.js';
import { ownPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/** The harness's SAFEDEBIT_TIMEOUT_MS. */
const SAFEDEBIT_TIMEOUT_MS = 1500;
const PERIOD_MS = 100;
const LINK = 'https://pay.example/paypage?SDESSID=left-behind';

const dmSaying = (words: string) => (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes(words);
/** A link given late: its summary in the rep's DM, then this first reply, with the link, in its thread. */
const isLateLink = dmSaying('paylink stopped before it could give');
const isReminder = dmSaying('still awaiting payment');
/** A DM that is not a reminder (the late link awaits payment too, so it gets one). */
const isOtherDm = (call: SlackApiCall) => String(call.args.channel).startsWith('D') && !isReminder(call);
const isInterruptedNotice = dmSaying('paylink stopped while SAFEDEBIT');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * An operator builds an index on the links table without CONCURRENTLY (or leaves a psql transaction open after a LOCK):
 * for longer than a ledger call waits, every write to `links` waits behind a SHARE lock.
 */
async function lockLinksTable(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE links IN SHARE MODE');
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

    locker = await lockLinksTable(database.url);
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
          dms(isOtherDm, 'F-UNDELIVERED').length,
          dms(isLateLink, LINK).length,
          dms(isReminder, 'F-AWAITING').length,
        ],
        { timeout: 5_000 },
      )
      .toEqual([1, 1, 1, 1]);
  }, 30_000);
});

describe('a rep submits while another session holds the links table longer than paylink waits (PostgreSQL)', () => {
  it('is told no link was created, and the ledger keeps no request of it to take later for an interrupted one', async () => {
    database = await ownPostgresDatabase();
    const clock = movableClock();
    app = await startHarness({ databaseUrl: database.url, clock: clock.now, interruptedLinksPeriodMs: PERIOD_MS });
    const h = app;
    const { view } = await h.openModal();

    locker = await lockLinksTable(database.url);
    await h.submit(view, VALID_FORM);
    // paylink gives up the claim after LEDGER_WAIT_MS and gives the rep the form back: "no link was created".
    const refused = await h.waitForViewUpdate(
      view.id,
      (shown) => visibleText(shown).includes('could not record the request'),
      LEDGER_WAIT_MS + 3_000,
    );
    expect(visibleText(refused.args.view)).toContain('no link was created');
    expect(h.safedebit.requests).toHaveLength(0);

    // The operator's lock ends a moment later: the ledger answers again.
    await sleep(500);
    await locker.query('COMMIT');
    await sleep(500);

    // Once a link still `requested` would count as abandoned, the rounds must have nothing to tell the rep about.
    clock.advance(abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS) + 1_000);
    await sleep(PERIOD_MS * 15);
    expect({
      notices: h.standin
        .callsTo('chat.postMessage')
        .filter(isInterruptedNotice)
        .map((call) => visibleText(call.args)),
      modal_replaced: h.standin
        .callsTo('views.update')
        .some((call) => visibleText(call.args.view).includes('paylink stopped while SAFEDEBIT')),
      interrupted_logged: h.logs.filter((line) => line.includes('"link_interrupted"')).length,
    }).toEqual({ notices: [], modal_replaced: false, interrupted_logged: 0 });
    const rows = await locker.query<{ state: string }>('select state from links where payment_reference = $1', [
      VALID_FORM.payment_reference,
    ]);
    // Nor does the ledger keep a request SAFEDEBIT never got (the export's `requested`/`interrupted` row).
    expect(rows.rows).toEqual([]);
  }, 30_000);
});
