import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type LedgerLocation, parseDatabaseUrl } from '../../src/ledger/database-url.js';

/** The engines every ledger test runs on: a real SQLite file, and the machine's real PostgreSQL server. */
export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

/** The project machine's PostgreSQL (trust auth); CI starts it, and a test fails when it cannot reach it. */
export const TEST_POSTGRES_URL = process.env.PAYLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  engine: Engine;
  /** A DATABASE_URL for the app: an empty SQLite file in a temporary folder, or an empty PostgreSQL schema. */
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test, so tests run in parallel without seeing each other's links. */
export async function freshDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'paylink-ledger-'));
    return {
      engine,
      url: `sqlite:${join(folder, 'paylink.sqlite')}`,
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const schema = `paylink_test_${randomBytes(6).toString('hex')}`;
  await onPostgres((client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    engine,
    url: url.toString(),
    drop: () => onPostgres((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

/** Where the app's ledger is for this database, as DATABASE_URL says it. */
export function ledgerLocationOf(database: TestDatabase): LedgerLocation {
  const location = parseDatabaseUrl(database.url);
  if ('error' in location) throw new Error(location.error);
  return location;
}

/** The SQLite ledger file of `database`, for a test that opens it beside the app (to hold its lock). */
export function sqlitePathOf(database: TestDatabase): string {
  const location = ledgerLocationOf(database);
  if (location.engine !== 'sqlite') throw new Error(`not a SQLite ledger: ${location.engine}`);
  return location.path;
}

/**
 * A PostgreSQL database of its own, for a test that holds what is server-wide within a database, such as the
 * migration lock (an advisory lock): in a schema of the shared test database, it would hold up every other test's start.
 */
export async function ownPostgresDatabase(): Promise<TestDatabase> {
  const name = `paylink_test_${randomBytes(6).toString('hex')}`;
  await onPostgres((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    url: url.toString(),
    drop: () => onPostgres((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Runs one statement batch on the test server; an unreachable server is a loud failure, never a skip. */
async function onPostgres(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${(error as { code?: string }).code ?? String(error)}): the ledger tests need it. Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  }
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
