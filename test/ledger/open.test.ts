import { afterEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/ledger/database-url.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openLedger } from '../../src/ledger/open.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';

const opened: Ledger[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function open(database: TestDatabase): Promise<Ledger> {
  const location = parseDatabaseUrl(database.url);
  if ('error' in location) throw new Error(location.error);
  const ledger = await openLedger(location);
  opened.push(ledger);
  return ledger;
}

describe('openLedger on PostgreSQL', () => {
  it('opens a ledger in its own schema while another schema of the server already holds one', async () => {
    const first = await freshDatabase('postgres');
    const second = await freshDatabase('postgres');
    databases.push(first, second);
    await open(first);
    const ledger = await open(second);
    expect(await ledger.findLink('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    // And again, now that its own migration tables exist.
    await ledger.close();
    opened.splice(opened.indexOf(ledger), 1);
    await open(second);
  });
});
