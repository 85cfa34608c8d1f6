import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { ledgerMigrations } from '../../src/ledger/migrations.js';
import { openLedger } from '../../src/ledger/open.js';
import type { LedgerDatabase } from '../../src/ledger/schema.js';
import { ownPostgresDatabase, type TestDatabase } from '../support/databases.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A migration that alters the links table, which takes its exclusive lock (a reader holds it up). */
const ALTERING_MIGRATION = '2026-11-28-14-unannounced-links';

/** A release before one that alters the links table: migrated up to ALTERING_MIGRATION; returns the latest migration. */
async function ledgerOfReleaseBefore(database: TestDatabase): Promise<string> {
  const names = Object.keys(await ledgerMigrations.getMigrations()).sort();
  const before = names[names.indexOf(ALTERING_MIGRATION) - 1];
  if (before === undefined) throw new Error(`no migration before ${ALTERING_MIGRATION}`);
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
  });
  const { error } = await new Migrator({ db, provider: ledgerMigrations }).migrateTo(before);
  await db.destroy();
  if (error) throw error;
  return names.at(-1) as string;
}

/** An instance of the release before, still serving: a pool set as paylink's calls are (query_timeout, statement_timeout). */
function runningInstance(url: string): Ledger {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, query_timeout: 5000 });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    client.query('set statement_timeout = 4500').catch(() => undefined);
  });
  return new Ledger(new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool }) }));
}

/** A long read of the ledger, as pg_dump (the README's backup for PostgreSQL) holds for the whole dump. */
async function longReader(url: string): Promise<pg.Client> {
  const reader = new pg.Client({ connectionString: url });
  reader.on('error', () => undefined);
  await reader.connect();
  await reader.query('begin');
  await reader.query('select count(*) from links');
  return reader;
}

/** `url` with its own schema `name` (made here) first in the search path. */
async function inOwnSchema(url: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${name}`);
  } finally {
    await admin.end();
  }
  const own = new URL(url);
  own.searchParams.set('options', `-c search_path=${name}`);
  return own.toString();
}

/** Until a session waits for the links table's exclusive lock (an ALTER TABLE queued behind the reader). */
async function alterQueued(url: string): Promise<void> {
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await watcher.query(
        "select 1 from pg_locks where not granted and mode = 'AccessExclusiveLock' and relation = 'links'::regclass",
      );
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('no ALTER TABLE links queued');
  } finally {
    await watcher.end();
  }
}

describe('a rolling upgrade on PostgreSQL while another session reads the links table (pg_dump, a finance query, psql)', () => {
  it("the new release's migration gives way, the running instance's calls go through, and it migrates once the reader is done", async () => {
    const database = await ownPostgresDatabase();
    cleanups.push(() => database.drop());
    const latest = await ledgerOfReleaseBefore(database);
    const running = runningInstance(database.url);
    cleanups.push(() => running.close());
    expect(await running.findLink('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    const reader = await longReader(database.url);
    cleanups.push(() => reader.end());

    const waits: number[] = [];
    const upgrading = openLedger(
      { engine: 'postgres', url: database.url },
      { onMigrationLockedOut: (waitedMs) => waits.push(waitedMs) },
    );
    cleanups.push(async () => (await upgrading).close());
    await alterQueued(database.url);

    // Meanwhile a SAFEDEBIT notification or a rep's submission reaches the instance still running.
    const started = Date.now();
    const outcome = await running.findLink('AAAAAAAAAAAAAAAAAAAAAA').then(
      () => 'answered',
      (error: { code?: string; message?: string }) =>
        `failed after ${Date.now() - started} ms: ${error.code ?? error.message}`,
    );
    expect(outcome).toBe('answered');

    // The dump ends: the next try migrates.
    await expect.poll(() => waits.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await reader.query('commit');
    const upgraded = await upgrading;
    const { rows } = await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(upgraded.db);
    expect(rows[0]?.name).toBe(latest);
  }, 30_000);

  it('leaves the migration lock to others between its tries: another paylink in another schema of the database starts', async () => {
    const database = await ownPostgresDatabase();
    cleanups.push(() => database.drop());
    await ledgerOfReleaseBefore(database);
    const reader = await longReader(database.url);
    cleanups.push(() => reader.end());
    const upgrading = openLedger({ engine: 'postgres', url: database.url });
    cleanups.push(async () => (await upgrading).close());
    await alterQueued(database.url);

    // Staging's paylink in the same database, in a schema of its own, (re)starting meanwhile.
    const neighbour = await inOwnSchema(database.url, 'staging');
    const opening = openLedger({ engine: 'postgres', url: neighbour });
    cleanups.push(async () => (await opening).close());
    const started = Date.now();
    const outcome = await Promise.race([
      opening.then(() => `opened after ${Math.round((Date.now() - started) / 1000)} s`),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 8 s'), 8_000)),
    ]);
    expect(outcome).toMatch(/^opened/);
    await reader.query('commit');
    await upgrading;
  }, 30_000);

  it('stops the start with one readable line when the lock is held past the time it keeps trying', async () => {
    const database = await ownPostgresDatabase();
    cleanups.push(() => database.drop());
    await ledgerOfReleaseBefore(database);
    const reader = await longReader(database.url);
    cleanups.push(async () => {
      await reader.query('commit');
      await reader.end();
    });
    const opening = openLedger({ engine: 'postgres', url: database.url }, { migrationLockedOutMs: 4_000 });
    await expect(opening).rejects.toThrow(
      /^another session held a lock on the ledger's tables for \d+ s \(a pg_dump, a transaction left open in psql…\): the migration could not run$/,
    );
  }, 30_000);
});
