import { afterEach } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { type LedgerOptions, openLedger } from '../../src/ledger/open.js';
import { type Engine, freshDatabase, ledgerLocationOf, type TestDatabase } from './databases.js';

export interface TestLedgers {
  /** One more instance's ledger on this test's database (a fresh one of the engine, made at the first call). */
  open(options?: LedgerOptions): Promise<Ledger>;
  /** Closes every ledger opened so far, as instances stopping would; the database stays. */
  closeAll(): Promise<void>;
}

/**
 * Ledgers for the tests of a `describe` block: each test gets a fresh database of `engine`, and after it every
 * ledger it opened is closed and the database dropped.
 */
export function testLedgers(engine: Engine): TestLedgers {
  // The promise, so that instances opened at once share one database.
  let database: Promise<TestDatabase> | undefined;
  const opened: Ledger[] = [];
  const closeAll = async () => {
    await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
  };
  afterEach(async () => {
    await closeAll();
    const made = await database?.catch(() => undefined);
    database = undefined;
    await made?.drop();
  });
  return {
    async open(options) {
      database ??= freshDatabase(engine);
      const ledger = await openLedger(ledgerLocationOf(await database), options);
      opened.push(ledger);
      return ledger;
    },
    closeAll,
  };
}
