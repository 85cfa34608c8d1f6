import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/open.js';
import { freshDatabase, ledgerLocationOf, TEST_POSTGRES_URL, type TestDatabase } from '../support/databases.js';

describe('opening the ledger on a PostgreSQL server where another app drops its own schemas', () => {
  it('starts every time, first start or restart: what another schema does is no concern of paylink', async () => {
    // Another app on the same server, creating and dropping schemas of its own meanwhile.
    const neighbour = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await neighbour.connect();
    let churning = true;
    const churn = (async () => {
      while (churning) {
        const schema = `neighbour_${randomBytes(6).toString('hex')}`;
        await neighbour.query(`create schema ${schema}; create table ${schema}.t (id serial primary key, a text)`);
        await neighbour.query(`drop schema ${schema} cascade`);
      }
    })();
    const databases: TestDatabase[] = [];
    const failures: string[] = [];
    try {
      for (let start = 0; start < 30; start += 1) {
        // Every other start is a first one, migrating a new ledger; the others open it again.
        if (start % 2 === 0) databases.push(await freshDatabase('postgres'));
        const database = databases.at(-1) as TestDatabase;
        try {
          await (await openLedger(ledgerLocationOf(database))).close();
        } catch (error) {
          failures.push(String((error as Error).message));
        }
      }
    } finally {
      churning = false;
      await churn;
      await neighbour.end();
      await Promise.all(databases.map((database) => database.drop()));
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
