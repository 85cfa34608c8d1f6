import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_WAIT_MS } from '../../src/ledger/open.js';
import { freshDatabase, sqlitePathOf, type TestDatabase } from '../support/databases.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, startHarness } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

const isNotice = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes('paylink stopped while SAFEDEBIT');

let app: Harness | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await app?.close();
  await database?.drop();
});

/**
 * Slack rate-limits the first DM for two minutes (paylink may try it again, so it releases the claim), and right then
 * another connection holds the ledger file's write lock a little longer than a ledger call waits (a backup, a second
 * instance's long write): releasing the claim fails with SQLITE_BUSY. Returns what closes that other connection.
 */
function refuseFirstDmThenLockLedger(h: Harness, ledgerFile: TestDatabase): () => void {
  h.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 120 });
  const locker = new SqliteDatabase(sqlitePathOf(ledgerFile));
  let locked = false;
  const stop = h.standin.onCall((call) => {
    if (call.method !== 'conversations.open' || locked) return;
    locked = true;
    locker.exec('BEGIN IMMEDIATE');
    setTimeout(() => locker.exec('ROLLBACK'), LEDGER_WAIT_MS + 500);
  });
  return () => {
    stop();
    locker.close();
  };
}

describe('an interrupted-links round cut by a ledger failure (SQLite file locked by another process)', () => {
  it('tries the release again, and every abandoned link is noticed at a later round', async () => {
    database = await freshDatabase('sqlite');
    app = await startHarness({ databaseUrl: database.url, interruptedLinksPeriodMs: 50 });
    const h = app;
    // Two links whose instance died while SAFEDEBIT was answering, ten minutes ago.
    const longAgo = new Date(Date.now() - 10 * 60_000);
    const claim = (reference: string) =>
      h.paylink.ledger.claimSubmission(
        newLink({
          createdAt: longAgo,
          userId: SALES_REP.id,
          originChannel: SALES_CHANNEL.id,
          paymentReference: reference,
        }),
      );
    const unlock = refuseFirstDmThenLockLedger(h, database);
    const first = await claim('F-OLD-1');
    const second = await claim('F-OLD-2');
    await expect.poll(() => h.standin.callsTo('chat.postMessage').filter(isNotice).length, { timeout: 15_000 }).toBe(2);
    unlock();

    const rows = await Promise.all([first, second].map((id) => h.paylink.ledger.findLink(String(id))));
    // The release refused by the locked file is tried again, and rounds kept running: every abandoned link's rep is told.
    expect({
      releases_retried: h.logs.filter((line) => /"ledger_write_retried".*"release_claim"/.test(line)).length,
      states: rows.map((row) => row?.state),
      notices: h.standin.callsTo('chat.postMessage').filter(isNotice).length,
    }).toEqual({ releases_retried: 1, states: ['interrupted', 'interrupted'], notices: 2 });
  }, 30_000);
});

describe('a reminders round cut by a ledger failure (SQLite file locked by another process)', () => {
  it('tries the release again, and every due link is reminded at a later round', async () => {
    database = await freshDatabase('sqlite');
    // Links made now, remembered ten minutes later: no round finds one half made (claimed, its link not yet recorded).
    const clock = movableClock();
    app = await startHarness({
      databaseUrl: database.url,
      clock: clock.now,
      reminderPeriodMs: 50,
      env: { PAYLINK_REMIND_AFTER: '10s' },
    });
    const h = app;
    const created = async (reference: string) => {
      const id = String(
        await h.paylink.ledger.claimSubmission(
          newLink({
            createdAt: clock.now(),
            userId: SALES_REP.id,
            originChannel: SALES_CHANNEL.id,
            paymentReference: reference,
          }),
        ),
      );
      const link = `https://pay.example/paypage?SDESSID=${reference}`;
      await h.paylink.ledger.recordOutcome(id, { state: 'created', link });
      await h.paylink.ledger.recordSentPrivately(id, link);
      return id;
    };
    const unlock = refuseFirstDmThenLockLedger(h, database);
    const ids = await Promise.all([created('F-OLD-1'), created('F-OLD-2')]);
    clock.advance(10 * 60_000);
    const isReminder = (call: SlackApiCall) => String(call.args.channel).startsWith('D');
    await expect
      .poll(() => h.standin.callsTo('chat.postMessage').filter(isReminder).length, { timeout: 15_000 })
      .toBe(2);
    unlock();

    const rows = await Promise.all(ids.map((id) => h.paylink.ledger.findLink(id)));
    const reminders = h.standin.callsTo('chat.postMessage').filter((call) => String(call.args.channel).startsWith('D'));
    expect({
      releases_retried: h.logs.filter((line) => /"ledger_write_retried".*"release_claim"/.test(line)).length,
      reminded: rows.map((row) => row?.reminded_at !== null),
      reminder_dms: reminders.length,
    }).toEqual({ releases_retried: 1, reminded: [true, true], reminder_dms: 2 });
  }, 30_000);
});
