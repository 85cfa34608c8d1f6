import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/ledger/database-url.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { ledgerMigrations } from '../../src/ledger/migrations.js';
import { openLedger } from '../../src/ledger/open.js';
import { freshDatabase } from '../support/databases.js';

describe('two processes opening one new SQLite file at once', () => {
  it('both start, and each migration runs once', async () => {
    const database = await freshDatabase('sqlite');
    try {
      const location = parseDatabaseUrl(database.url);
      if ('error' in location || location.engine !== 'sqlite') throw new Error('expected a SQLite file');
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

describe('a PostgreSQL database where another schema already holds a ledger', () => {
  it("gets paylink's own migration tables in its schema, and opens", async () => {
    const [other, mine] = [await freshDatabase('postgres'), await freshDatabase('postgres')];
    const ledgers: Ledger[] = [];
    try {
      for (const database of [other, mine]) {
        const location = parseDatabaseUrl(database.url);
        if ('error' in location) throw new Error(location.error);
        ledgers.push(await openLedger(location));
      }
      const tables = await ledgers[1]?.db.introspection.getTables({ withInternalKyselyTables: true });
      const schemaOf = (url: string) => new URL(url).searchParams.get('options')?.split('=')[1];
      expect(
        tables
          ?.filter((table) => table.name === 'kysely_migration')
          .map((table) => table.schema)
          .sort(),
      ).toEqual([schemaOf(other.url), schemaOf(mine.url)].sort());
    } finally {
      await Promise.all(ledgers.map((ledger) => ledger.close()));
      await Promise.all([other.drop(), mine.drop()]);
    }
  });
});
