import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database as BetterSqliteDatabase } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { type Dialect, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { LedgerLocation } from './database-url.js';
import { Ledger } from './ledger.js';
import { ledgerMigrations } from './migrations.js';
import type { LedgerDatabase } from './schema.js';

const INT8_OID = 20;
const MAX_PREPARED_STATEMENTS = 256;

/**
 * Opens the ledger where `location` says and brings its tables up to date. Two instances starting at once
 * are safe: on PostgreSQL Kysely's migrator holds an advisory lock while it migrates; SQLite has no such
 * lock, so the instance that lost the race (its migration failed on the winner's tables, and was rolled
 * back) migrates again and finds nothing left to do.
 */
export async function openLedger(location: LedgerLocation): Promise<Ledger> {
  const db = new Kysely<LedgerDatabase>({ dialect: await dialectFor(location) });
  try {
    const migrationTableSchema = location.engine === 'postgres' ? await currentSchema(db) : undefined;
    await migrate(db, migrationTableSchema).catch((error: unknown) => {
      if (location.engine !== 'sqlite') throw error;
      return migrate(db, migrationTableSchema);
    });
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return new Ledger(db);
}

/**
 * Kysely's migrator takes its tables for present when any schema has them: on a server where another schema
 * does (another app's, another paylink's), it would skip creating its own. So on PostgreSQL it is told which
 * schema is paylink's: the first of the search path.
 */
async function migrate(db: Kysely<LedgerDatabase>, migrationTableSchema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: ledgerMigrations,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) throw error ?? new Error(`migration ${failed?.migrationName} failed`);
}

async function currentSchema(db: Kysely<LedgerDatabase>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/** Each engine's driver is loaded only when used: an embedded deployment never loads pg, nor PostgreSQL better-sqlite3. */
async function dialectFor(location: LedgerLocation): Promise<Dialect> {
  if (location.engine === 'postgres') {
    const { default: pg } = await import('pg');
    return new PostgresDialect({
      pool: new pg.Pool({
        connectionString: location.url,
        max: 10,
        connectionTimeoutMillis: 5000,
        // Amounts and counts are bigint; every one the ledger holds is far below 2^53, so read them as numbers.
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
        },
      }),
    });
  }
  const { default: SqliteDatabase } = await import('better-sqlite3');
  mkdirSync(dirname(location.path), { recursive: true });
  const database = new SqliteDatabase(location.path);
  // WAL: readers never wait for the writer; a crash of the process loses nothing committed. busy_timeout: a
  // second process on the same file waits for the lock instead of failing at once.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database: reusingStatements(database) });
}

/**
 * Kysely prepares every query anew; the ledger runs a handful of distinct statements over and over, so each is
 * prepared once. Safe because Kysely runs one query at a time on its single SQLite connection.
 */
function reusingStatements(database: BetterSqliteDatabase): SqliteDatabase {
  const prepared = new Map<string, ReturnType<BetterSqliteDatabase['prepare']>>();
  return {
    prepare(sql) {
      let statement = prepared.get(sql);
      if (!statement) {
        // Bounded, should a query ever be built with a variable shape (an IN list of any length).
        if (prepared.size >= MAX_PREPARED_STATEMENTS) prepared.clear();
        statement = database.prepare(sql);
        prepared.set(sql, statement);
      }
      return statement;
    },
    close: () => database.close(),
  };
}
