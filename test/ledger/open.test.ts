import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { ledgerMigrations } from '../../src/ledger/migrations.js';
import { openLedger } from '../../src/ledger/open.js';
import { freshDatabase, ledgerLocationOf, TEST_POSTGRES_URL, type TestDatabase } from '../support/databases.js';

const opened: Ledger[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function open(database: TestDatabase): Promise<Ledger> {
  const ledger = await openLedger(ledgerLocationOf(database));
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

describe("PostgreSQL closing the ledger's connections (a restart, a failover)", () => {
  it('is heard, not fatal, and the next query opens a new connection', async () => {
    const database = await freshDatabase('postgres');
    databases.push(database);
    // Named, so that this test ends its own connections and no other test's.
    const name = `paylink-lost-${Date.now()}`;
    const url = new URL(database.url);
    url.searchParams.set('application_name', name);
    const lost: unknown[] = [];
    const ledger = await openLedger(ledgerLocationOf({ ...database, url: url.toString() }), {
      onConnectionLost: (error) => lost.push(error),
    });
    opened.push(ledger);
    expect(await ledger.findLink('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const ended = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [name],
      );
      expect(ended.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await vi.waitFor(() => expect(lost).not.toHaveLength(0));
    expect(lost[0]).toMatchObject({ code: '57P01' });
    expect(await ledger.findLink('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });
});

describe('two processes opening one new SQLite file at once', () => {
  it('both start, and each migration runs once', async () => {
    const database = await freshDatabase('sqlite');
    try {
      const location = ledgerLocationOf(database);
      if (location.engine !== 'sqlite') throw new Error('expected a SQLite file');
      // The compiled ledger (`npm test` builds first), opened by two Node processes started together.
      const openJs = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/src/ledger/open.js')).href;
      // Both wait for the same instant, once loaded, so that their migrations overlap.
      const startAt = Date.now() + 600;
      const script = `const { openLedger } = await import(${JSON.stringify(openJs)});
        while (Date.now() < ${startAt});
        const ledger = await openLedger({ engine: 'sqlite', path: ${JSON.stringify(location.path)} });
        await ledger.close();`;
      const exits = await Promise.all(
        [1, 2].map(async () => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
          const [code] = await once(child, 'exit');
          return code;
        }),
      );
      expect(exits).toEqual([0, 0]);
      const db = new SqliteDatabase(location.path);
      const applied = db.prepare('select name from kysely_migration order by name').all();
      db.close();
      expect(applied).toEqual(Object.keys(await ledgerMigrations.getMigrations()).map((name) => ({ name })));
    } finally {
      await database.drop();
    }
  });
});
