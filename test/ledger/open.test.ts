import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { ledgerMigrations } from '../../src/ledger/migrations.js';
import { openLedger } from '../../src/ledger/open.js';
import {
  ENGINES,
  freshDatabase,
  ledgerLocationOf,
  ownPostgresDatabase,
  TEST_POSTGRES_URL,
  type TestDatabase,
} from '../support/databases.js';
import { newLink } from '../support/link-records.js';
import { startHarness } from '../support/paylink-harness.js';

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

/**
 * PostgreSQL's default search path is `"$user", public`: a ledger made without options lives in `public` until a schema
 * named after the user appears (PostgreSQL 15's advice since `public` stopped being writable by everyone).
 */
describe('a search path that no longer starts at the ledger’s schema', () => {
  async function withSchemaOfUser(database: TestDatabase, before: string[] = []): Promise<void> {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      for (const statement of before) await admin.query(statement);
      await admin.query(`create schema "${decodeURIComponent(new URL(database.url).username)}"`);
    } finally {
      await admin.end();
    }
  }

  it('stops the start, naming both schemas, rather than make a new empty ledger where the links are not', async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    const first = await openLedger(ledgerLocationOf(database));
    await first.claimSubmission(newLink());
    await first.close();
    await withSchemaOfUser(database);
    await expect(openLedger(ledgerLocationOf(database))).rejects.toThrow(
      /^the ledger's tables are in schema "public", but the search path now starts at schema "postgres", where paylink would start an empty ledger: /,
    );
  });

  it('that leads to no schema at all (DATABASE_URL’s search_path before CREATE SCHEMA) stops the start saying so', async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    const url = new URL(database.url);
    url.searchParams.set('options', '-c search_path=paylink');
    await expect(openLedger(ledgerLocationOf({ ...database, url: url.toString() }))).rejects.toThrow(
      "no schema of the search path (paylink) exists: create it first (CREATE SCHEMA paylink AUTHORIZATION postgres), or name one that exists in DATABASE_URL's options=-c search_path=…",
    );
  });

  it('suggests a CREATE SCHEMA that runs as written, whatever the user’s name (paylink-prod)', async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    const role = `paylink-prod-${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`create role "${role}" login`);
      const url = new URL(database.url);
      url.username = role;
      url.searchParams.set('options', '-c search_path=Paylink');
      const refusal = await openLedger(ledgerLocationOf({ ...database, url: url.toString() })).then(
        (ledger) => ledger.close().then(() => undefined),
        (error: unknown) => error as Error,
      );
      const suggested = /\((CREATE SCHEMA [^)]*)\)/.exec(String(refusal?.message))?.[1];
      expect(suggested).toBe(`CREATE SCHEMA paylink AUTHORIZATION "${role}"`);
      await admin.query(String(suggested));
      const ledger = await openLedger(ledgerLocationOf({ ...database, url: url.toString() }));
      await ledger.close();
    } finally {
      await admin.query('drop schema if exists paylink cascade').catch(() => undefined);
      await admin.query(`drop role if exists "${role}"`).catch(() => undefined);
      await admin.end();
    }
  });

  it('suggests the schema PostgreSQL looks for: capitals past ASCII kept (ÉQUIPE is Équipe), a quoted comma', async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      for (const [path, schema] of [
        ['ÉQUIPE', '"Équipe"'],
        ['"Sales, EU", public', '"Sales, EU"'],
      ] as const) {
        const url = new URL(database.url);
        url.searchParams.set('options', `-c search_path=${path.replaceAll(' ', '\\ ')}`);
        const location = ledgerLocationOf({ ...database, url: url.toString() });
        // Dropped, so that no schema of the path exists (`public` follows the quoted one).
        await admin.query('drop schema public cascade');
        const refusal = await openLedger(location).then(
          (ledger) => ledger.close().then(() => undefined),
          (error: unknown) => error as Error,
        );
        expect(String(refusal?.message)).toContain(`(CREATE SCHEMA ${schema} AUTHORIZATION postgres)`);
        await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION postgres`);
        const ledger = await openLedger(location);
        await ledger.close();
        await admin.query(`drop schema ${schema} cascade`);
        await admin.query('create schema public');
      }
    } finally {
      await admin.end();
    }
  });

  it('that is empty (ALTER DATABASE … SET search_path = \'\', PostgreSQL shows "") stops the start saying so', async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`alter database "${new URL(database.url).pathname.slice(1)}" set search_path = ''`);
    } finally {
      await admin.end();
    }
    await expect(openLedger(ledgerLocationOf(database))).rejects.toThrow(
      "the search path is empty: name the ledger's schema in DATABASE_URL's options=-c search_path=…",
    );
  });

  it("that starts with an emptied entry (SET search_path = '', paylink) names the schema it holds", async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query('drop schema public cascade');
      await admin.query(`alter database "${new URL(database.url).pathname.slice(1)}" set search_path = '', paylink`);
    } finally {
      await admin.end();
    }
    await expect(openLedger(ledgerLocationOf(database))).rejects.toThrow(
      '(CREATE SCHEMA paylink AUTHORIZATION postgres)',
    );
  });

  it('is no obstacle when what lies further along is another app’s, not a ledger', async () => {
    const database = await ownPostgresDatabase();
    databases.push(database);
    await withSchemaOfUser(database, [
      'create table public.kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)',
      "insert into public.kysely_migration values ('0001_invoices', '2026-01-01')",
    ]);
    const ledger = await open(database);
    expect(await ledger.claimSubmission(newLink())).toBeDefined();
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

describe('a new SQLite ledger', () => {
  it('is readable by its own user only: its folder, its file and the WAL SQLite makes beside it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'paylink-modes-'));
    try {
      const file = path.join(root, 'data', 'ledger', 'paylink.sqlite');
      const ledger = await openLedger({ engine: 'sqlite', path: file });
      opened.push(ledger);
      await ledger.claimSubmission(newLink());
      const mode = (of: string) => (statSync(of).mode & 0o777).toString(8);
      expect([mode(path.dirname(file)), mode(path.join(root, 'data')), mode(file), mode(`${file}-wal`)]).toEqual([
        '700',
        '700',
        '600',
        '600',
      ]);
    } finally {
      await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a SQLite ledger’s commits', () => {
  // Checked once by hand on a loop device whose image was copied while SAFEDEBIT was answering (a power cut): with
  // NORMAL, the claim written before SAFEDEBIT was called was not in it, and the link SAFEDEBIT made was unknown.
  it('are on disk before paylink goes on: synchronous FULL, not WAL’s NORMAL, which a host going down can undo', async () => {
    const database = await freshDatabase('sqlite');
    databases.push(database);
    const ledger = await open(database);
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(ledger.db);
    expect(rows).toEqual([{ synchronous: 2 }]);
  });
});

describe('a SQLite ledger on a full disk', () => {
  it('fails a write with why ("database or disk is full"), not with the ROLLBACK SQLite made needless', async () => {
    const database = await freshDatabase('sqlite');
    databases.push(database);
    const ledger = await open(database);
    const linkId = await ledger.claimSubmission(newLink());
    if (linkId === undefined) throw new Error('not claimed');
    // The file may grow no more: as a full disk, SQLITE_FULL, on which SQLite ends the transaction itself.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(ledger.db);
    await sql.raw(`pragma max_page_count = ${rows[0]?.page_count}`).execute(ledger.db);
    const notification = { linkId, dedupeKey: 'k'.repeat(4000), status: 'SETTLED', rank: 40, receivedAt: new Date() };
    await expect(ledger.recordNotification(notification)).rejects.toMatchObject({ code: 'SQLITE_FULL' });
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

/** Records migrations as applied in the ledger, as a release this one does not know would. */
async function recordApplied(database: TestDatabase, names: readonly string[]): Promise<void> {
  const location = ledgerLocationOf(database);
  const timestamp = new Date().toISOString();
  if (location.engine === 'sqlite') {
    const file = new SqliteDatabase(location.path);
    for (const name of names)
      file.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(name, timestamp);
    file.close();
    return;
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    for (const name of names)
      await client.query('insert into kysely_migration (name, timestamp) values ($1, $2)', [name, timestamp]);
  } finally {
    await client.end();
  }
}

async function appliedMigrations(database: TestDatabase): Promise<string[]> {
  const location = ledgerLocationOf(database);
  const query = 'select name from kysely_migration order by name';
  if (location.engine === 'sqlite') {
    const file = new SqliteDatabase(location.path);
    const rows = file.prepare(query).all() as { name: string }[];
    file.close();
    return rows.map((row) => row.name);
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    return (await client.query<{ name: string }>(query)).rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

/** A migrated ledger, as this release leaves it: in `database`, or in a fresh one of `engine`. */
async function migratedDatabase(engineOrDatabase: (typeof ENGINES)[number] | TestDatabase): Promise<TestDatabase> {
  const database = typeof engineOrDatabase === 'string' ? await freshDatabase(engineOrDatabase) : engineOrDatabase;
  databases.push(database);
  await (await openLedger(ledgerLocationOf(database))).close();
  return database;
}

const NEXT_RELEASE = '2099-01-01-01-next-release';
const RELEASE_AFTER = '2099-02-01-01-release-after';

describe.each(ENGINES)('a ledger a newer release migrated (%s)', (engine) => {
  it('is opened as it is, and the newest migration this release does not know is told', async () => {
    const database = await migratedDatabase(engine);
    await recordApplied(database, [RELEASE_AFTER, NEXT_RELEASE]);
    const before = await appliedMigrations(database);
    const told: string[] = [];

    const ledger = await openLedger(ledgerLocationOf(database), { onNewerLedger: (name) => told.push(name) });
    opened.push(ledger);

    expect(told).toEqual([RELEASE_AFTER]);
    expect(await ledger.findLink('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(await appliedMigrations(database)).toEqual(before);
  });

  it('starts the app, which warns and makes links all the same', async () => {
    const database = await migratedDatabase(engine);
    await recordApplied(database, [NEXT_RELEASE]);

    const harness = await startHarness({ databaseUrl: database.url });
    try {
      await harness.createLink();
      const warnings = harness.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'warn');
      expect(warnings).toContainEqual(
        expect.objectContaining({ event: 'ledger_newer_than_release', newestMigration: NEXT_RELEASE }),
      );
    } finally {
      await harness.close();
    }
  });

  it("is refused when an unknown migration comes among this release's own", async () => {
    const database = await migratedDatabase(engine);
    const [first] = Object.keys(await ledgerMigrations.getMigrations()).sort();
    await recordApplied(database, [`${first}-elsewhere`, NEXT_RELEASE]);

    await expect(open(database)).rejects.toThrow(/corrupted migrations/);
  });

  it("is refused when one of this release's migrations is not applied", async () => {
    const database = await migratedDatabase(engine);
    const latest = Object.keys(await ledgerMigrations.getMigrations())
      .sort()
      .at(-1);
    await recordApplied(database, [NEXT_RELEASE]);
    const location = ledgerLocationOf(database);
    if (location.engine === 'sqlite') {
      const file = new SqliteDatabase(location.path);
      file.prepare('delete from kysely_migration where name = ?').run(latest);
      file.close();
    } else {
      const client = new pg.Client({ connectionString: location.url });
      await client.connect();
      await client.query('delete from kysely_migration where name = $1', [latest]).finally(() => client.end());
    }

    await expect(open(database)).rejects.toThrow(/corrupted migrations/);
  });
});

describe('an instance starting while a newer release migrates', () => {
  it('waits for it on PostgreSQL, then opens the ledger as it is', async () => {
    // A database of its own: the migration lock the newer release holds is server-wide within a database (in the
    // shared one, it would hold up every other test's start), and Kysely's own introspector, which its migrator uses,
    // fails when another test drops its schema meanwhile.
    const database = await migratedDatabase(await ownPostgresDatabase());
    // The newer release, migrating with Kysely's migrator (and its lock) until it is let go.
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const newer = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
    });
    let started = () => {};
    const migrating = new Promise<void>((resolve) => {
      started = resolve;
    });
    const migrator = new Migrator({
      db: newer,
      provider: {
        getMigrations: async () => ({
          ...(await ledgerMigrations.getMigrations()),
          [NEXT_RELEASE]: {
            up: async () => {
              started();
              await finished;
            },
          },
        }),
      },
    });
    try {
      const newerRun = migrator.migrateToLatest();
      // Kysely's migrator answers a failure rather than throw it: one would leave this test waiting for ever.
      await Promise.race([
        migrating,
        newerRun.then(({ error }) => {
          if (error) throw error;
        }),
      ]);
      const name = `paylink-during-${Date.now()}`;
      const url = new URL(database.url);
      url.searchParams.set('application_name', name);
      const told: string[] = [];
      const opening = openLedger(ledgerLocationOf({ ...database, url: url.toString() }), {
        onNewerLedger: (migration) => told.push(migration),
      });
      await vi.waitFor(async () => expect(await waitingForLock(name)).toBe(true));
      finish();
      expect((await newerRun).error).toBeUndefined();
      opened.push(await opening);
      expect(told).toEqual([NEXT_RELEASE]);
    } finally {
      finish();
      await newer.destroy();
    }
  });

  it('waits for it on SQLite, then opens the ledger as it is', async () => {
    const database = await migratedDatabase('sqlite');
    const location = ledgerLocationOf(database);
    if (location.engine !== 'sqlite') throw new Error('expected a SQLite file');
    // The newer release, in a process of its own (better-sqlite3 waits for a lock synchronously): it holds the
    // file's write lock while it records its migration, as its migrateSqlite does, and lets go after a second.
    const betterSqlite = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
    const script = `const { default: Database } = await import(${JSON.stringify(betterSqlite)});
      const db = new Database(${JSON.stringify(location.path)});
      db.exec('begin immediate');
      db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(${JSON.stringify(NEXT_RELEASE)}, new Date().toISOString());
      console.log('locked');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      db.exec('commit');
      db.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    const told: string[] = [];

    opened.push(await openLedger(location, { onNewerLedger: (migration) => told.push(migration) }));

    expect((await exited)[0]).toBe(0);
    expect(told).toEqual([NEXT_RELEASE]);
  });
});

/** Whether the connections named `applicationName` are waiting for a lock. */
async function waitingForLock(applicationName: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      "select 1 from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
      [applicationName],
    );
    return rows.length > 0;
  } finally {
    await client.end();
  }
}
