import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_WAIT_MS } from '../../src/ledger/open.js';
import { freshDatabase, sqlitePathOf, type TestDatabase } from '../support/databases.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

let app: Harness | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await app?.close();
  await database?.drop();
});

describe("a thread's permalink Slack gave, when the ledger does not take it (SQLite file locked by another process)", () => {
  it('still gives `/paylink list` its "Open thread" button, and says the ledger failed, not Slack', async () => {
    database = await freshDatabase('sqlite');
    app = await startHarness({ databaseUrl: database.url });
    const h = app;
    await h.createLink({ ...VALID_FORM, payment_reference: 'F-2026-PERMA' });
    // Another connection (a backup, a second instance's long write) holds the write lock a little longer than a
    // ledger call waits, from the moment paylink asks Slack for the permalink.
    const locker = new SqliteDatabase(sqlitePathOf(database));
    const unlock = () => {
      if (locker.open && locker.inTransaction) locker.exec('ROLLBACK');
    };
    let unlocking: NodeJS.Timeout | undefined;
    const stop = h.standin.onCall((call) => {
      if (call.method !== 'chat.getPermalink' || locker.inTransaction) return;
      locker.exec('BEGIN IMMEDIATE');
      unlocking = setTimeout(unlock, LEDGER_WAIT_MS + 500);
    });
    try {
      const responseUrl = h.standin.responseUrl();
      await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'list', response_url: responseUrl });
      const answer = await h.standin.waitForResponse((post) => post.url === responseUrl, LEDGER_WAIT_MS + 5_000);
      const [permalinkCall] = h.standin.callsTo('chat.getPermalink');
      expect(permalinkCall).toBeDefined();
      expect(JSON.stringify(answer.body)).toContain('"url":"https://');
      expect(h.logs.filter((line) => line.includes('"permalink_unavailable"'))).toEqual([]);
      expect(h.logs.filter((line) => line.includes('"permalink_not_kept"'))).toHaveLength(1);
    } finally {
      stop();
      clearTimeout(unlocking);
      unlock();
      locker.close();
    }
  }, 20_000);

  it('logs why in the failure’s words when it has no code (pg’s connection lost)', async () => {
    app = await startHarness({});
    const h = app;
    await h.createLink({ ...VALID_FORM, payment_reference: 'F-2026-PERMA' });
    h.paylink.ledger.recordPermalink = async () => {
      throw new Error('Connection terminated unexpectedly');
    };
    await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'list', response_url: h.standin.responseUrl() });
    const [notKept] = await h.waitForLog('permalink_not_kept');
    expect(notKept).toMatchObject({ error: 'Connection terminated unexpectedly' });
  });
});
