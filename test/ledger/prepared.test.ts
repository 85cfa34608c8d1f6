import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openLedger } from '../../src/ledger/open.js';
import { prepareQuery, type SlotFor } from '../../src/ledger/prepared.js';
import { ENGINES, freshDatabase, ledgerLocationOf, type TestDatabase } from '../support/databases.js';

describe.each(ENGINES)('a prepared query on %s', (engine) => {
  let database: TestDatabase | undefined;
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    await database?.drop();
    ledger = undefined;
    database = undefined;
  });

  async function open(): Promise<Ledger> {
    database = await freshDatabase(engine);
    ledger = await openLedger(ledgerLocationOf(database));
    return ledger;
  }

  it('runs with each call its own arguments, in the engine’s placeholder order, constants kept', async () => {
    const { db } = await open();
    const recordOpened = prepareQuery(db, (slot: SlotFor<{ user: string; at: string }>) =>
      db
        .insertInto('home_views')
        .values({ user_id: slot('user'), opened_at: slot('at') })
        .onConflict((conflict) => conflict.column('user_id').doUpdateSet({ opened_at: slot('at') }))
        .returning(['user_id', 'opened_at']),
    );
    const openedSince = prepareQuery(db, (slot: SlotFor<{ since: string }>) =>
      db
        .selectFrom('home_views')
        .select('user_id')
        .where('opened_at', '>=', slot('since'))
        .where('user_id', '!=', 'U0NOBODY')
        .orderBy('user_id'),
    );

    expect(await recordOpened({ user: 'U0ANNA', at: '2026-11-01T09:00:00.000Z' })).toEqual([
      { user_id: 'U0ANNA', opened_at: '2026-11-01T09:00:00.000Z' },
    ]);
    await recordOpened({ user: 'U0BOB', at: '2026-11-20T09:00:00.000Z' });
    // The same slot twice (the insert and its conflict update) takes the same argument.
    expect(await recordOpened({ user: 'U0ANNA', at: '2026-11-27T09:00:00.000Z' })).toEqual([
      { user_id: 'U0ANNA', opened_at: '2026-11-27T09:00:00.000Z' },
    ]);
    expect(await openedSince({ since: '2026-11-10T00:00:00.000Z' })).toEqual([
      { user_id: 'U0ANNA' },
      { user_id: 'U0BOB' },
    ]);
    expect(await openedSince({ since: '2026-11-21T00:00:00.000Z' })).toEqual([{ user_id: 'U0ANNA' }]);
  });
});
