import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, sqlitePathOf, type TestDatabase } from '../support/databases.js';
import { refuseWhen } from '../support/ledger-faults.js';
import { type Harness, SIGNING_SECRET, startHarness, stopWithGrace, VALID_FORM } from '../support/paylink-harness.js';
import { appHomeOpenedEvent, sendEvent } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

let app: Harness | undefined;
let database: TestDatabase | undefined;
let locker: SqliteDatabase.Database | undefined;
let rowLocker: pg.Client | undefined;
afterEach(async () => {
  if (locker?.inTransaction) locker.exec('ROLLBACK');
  locker?.close();
  await rowLocker?.end().catch(() => undefined);
  await app?.close();
  await database?.drop();
  app = database = locker = rowLocker = undefined;
});

describe('a stop whose grace runs out', () => {
  it('ends then, rather than waiting for the Slack call in flight to answer or time out (10 s more)', async () => {
    app = await startHarness();
    const { view } = await app.openModal();
    // Slack holds the summary's post: the link flow is still posting it when the grace runs out.
    app.standin.setDelay('chat.postMessage', 20_000);
    await app.submit(view, VALID_FORM);
    await app.standin.waitForCall('chat.postMessage', undefined, 5_000);
    const { outcome, tookMs, graceExpiredLogged } = await stopWithGrace(app, 1_000, 8_000);
    expect({ outcome, withinGrace: tookMs < 3_000, graceExpiredLogged }).toEqual({
      outcome: 'stopped',
      withinGrace: true,
      graceExpiredLogged: true,
    });
  }, 20_000);

  it('names what it still waited for: an App Home tab being drawn, not links', async () => {
    app = await startHarness();
    // Slack holds the tab's publication: the Home draw is still under way when the grace runs out.
    app.standin.setDelay('views.publish', 20_000);
    await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id));
    await app.standin.waitForCall('views.publish', undefined, 5_000);
    const { outcome } = await stopWithGrace(app, 1_000, 8_000);
    expect(outcome).toBe('stopped');
    const expired = app.logs.find((line) => line.includes('"shutdown_grace_expired"'));
    expect(JSON.parse(String(expired))).toMatchObject({ in_flight: 1, waiting_for: ['home'] });
  }, 20_000);

  it('ends in time when the SQLite file is held locked by another process, logging each write it could not record', async () => {
    database = await freshDatabase('sqlite');
    app = await startHarness({ databaseUrl: database.url, ledgerRetryDelaysMs: [] });
    const h = app;
    h.safedebit.setMode({ kind: 'slow', delayMs: 300 });
    const views = [];
    for (let index = 0; index < 2; index++) views.push((await h.openModal()).view);
    await Promise.all(
      views.map((view, index) => h.submit(view, { ...VALID_FORM, payment_reference: `F-LOCKED-${index}` })),
    );
    // While SAFEDEBIT makes the links, an admin's sqlite3 shell is left in a write transaction: each ledger write waits
    // 5 s for it, then fails, and the flows keep what they could not record for a later try.
    await expect.poll(() => h.safedebit.requests.length).toBe(2);
    locker = new SqliteDatabase(sqlitePathOf(database));
    locker.exec('BEGIN IMMEDIATE');
    await h.waitForLog('ledger_write_abandoned', 2, 20_000);

    const { outcome, tookMs } = await stopWithGrace(h, 1_000, 30_000);

    // The grace, 2 s for the work cut to settle, 2 s at most for the last writes: no more, however many are left.
    expect({ outcome, inTime: tookMs < 6_000 }).toEqual({ outcome: 'stopped', inTime: true });
    const lost = h.logs.filter((line) => line.includes('"record_lost"'));
    expect(lost.filter((line) => line.includes('"write":"outcome:'))).toHaveLength(2);
    expect(h.logs.at(-1)).toContain('"event":"stopped"');
  }, 60_000);

  it('logs each last write as what it came to: one the ledger takes after the stop closes it is not called lost (PostgreSQL)', async () => {
    database = await freshDatabase('postgres');
    // No round tries the kept write before the stop does.
    app = await startHarness({
      databaseUrl: database.url,
      ledgerRetryDelaysMs: [],
      interruptedLinksPeriodMs: 3_600_000,
      statusRoundPeriodMs: 3_600_000,
    });
    const h = app;
    // SAFEDEBIT's answer refused by the ledger for a moment: the flow gives the link and keeps the write.
    let refusing = true;
    refuseWhen(h.paylink.ledger, 'recordOutcome', () => refusing);
    await h.createLink();
    const [abandoned] = await h.waitForLog('ledger_write_abandoned');
    const linkId = String(abandoned?.link);
    refusing = false;
    let landed = false;
    const recordOutcome = h.paylink.ledger.recordOutcome.bind(h.paylink.ledger);
    h.paylink.ledger.recordOutcome = async (...args) => {
      const recorded = await recordOutcome(...args);
      landed = true;
      return recorded;
    };
    // A finance query holds the link's row for 3 s: the stop's last try of the write outlasts its 2 s.
    rowLocker = new pg.Client({ connectionString: database.url });
    await rowLocker.connect();
    await rowLocker.query('begin');
    await rowLocker.query('select id from links where id = $1 for update', [linkId]);
    setTimeout(() => void rowLocker?.query('commit'), 3_000);

    const { outcome, tookMs } = await stopWithGrace(h, 500, 20_000);

    expect({ outcome, inTime: tookMs < 8_000 }).toEqual({ outcome: 'stopped', inTime: true });
    const said = (event: string) => h.logs.some((line) => line.includes(`"${event}"`) && line.includes(linkId));
    expect({ landed, recordedLate: said('recorded_late'), lost: said('record_lost') }).toEqual({
      landed: true,
      recordedLate: true,
      lost: false,
    });
  }, 40_000);
});
