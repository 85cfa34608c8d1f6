import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { LEDGER_WAIT_MS, openLedger } from '../../src/ledger/open.js';
import { freshDatabase, ledgerLocationOf, type TestDatabase } from '../support/databases.js';

/**
 * Another process holding the SQLite file's write lock (a second instance, a backup, an admin's sqlite3 shell): a
 * ledger write waits for it up to LEDGER_WAIT_MS, but never on the event loop's thread, which every other Slack
 * request of the instance needs meanwhile (test/process/sqlite-locked.test.ts shows it from Slack's side).
 */
describe('a SQLite ledger whose file another connection holds locked', () => {
  let database: TestDatabase;
  let ledger: Ledger;
  let holder: SqliteDatabase.Database;
  afterEach(async () => {
    if (holder.inTransaction) holder.exec('rollback');
    holder.close();
    await ledger.close();
    await database.drop();
  });

  const lockedLedger = async () => {
    database = await freshDatabase('sqlite');
    const location = ledgerLocationOf(database);
    if (location.engine !== 'sqlite') throw new Error('expected a SQLite file');
    ledger = await openLedger(location);
    holder = new SqliteDatabase(location.path);
    holder.exec('begin immediate');
  };

  /** How many times a 10 ms timer fired while `work` ran: none when the thread was held all along. */
  const timerTicksDuring = async (work: Promise<unknown>) => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 10);
    try {
      await work;
    } finally {
      clearInterval(timer);
    }
    return ticks;
  };

  it('a write waits for the lock without holding the thread, and goes through once it is let go', async () => {
    await lockedLedger();
    setTimeout(() => holder.exec('rollback'), 600);

    const ticks = await timerTicksDuring(ledger.recordHomeOpened('U0WAITING', new Date()));

    expect(ticks).toBeGreaterThan(20);
    expect(await ledger.homeViewers(['U0WAITING'])).toEqual(['U0WAITING']);
  });

  it('a write still locked out after LEDGER_WAIT_MS fails as the lock error, having left the thread free', async () => {
    await lockedLedger();
    const started = performance.now();
    const write = ledger.recordHomeOpened('U0WAITING', new Date()).then(
      () => undefined,
      (error: unknown) => error,
    );

    const ticks = await timerTicksDuring(write);

    expect(await write).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(LEDGER_WAIT_MS - 50);
    expect(ticks).toBeGreaterThan(LEDGER_WAIT_MS / 20);
  }, 15_000);
});
