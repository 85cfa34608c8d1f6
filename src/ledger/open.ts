import { accessSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database as BetterSqliteDatabase } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import {
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type Dialect,
  Kysely,
  MIGRATION_LOCK_ID,
  type MigrationLockOptions,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  SqliteDialect,
  SqliteDriver,
  sql,
  type TableMetadata,
} from 'kysely';
import { errorCode } from '../http/transport-errors.js';
import type { LedgerLocation } from './database-url.js';
import { Ledger } from './ledger.js';
import { ledgerMigrations } from './migrations.js';
import type { LedgerDatabase } from './schema.js';

const INT8_OID = 20;
/** The message of the error pg gives a query when query_timeout passes without an answer. */
const PG_READ_TIMEOUT = 'Query read timeout';
/**
 * The longest a ledger call waits before it fails: on SQLite, for a file another process holds locked (see
 * LockWaitingSqliteDriver); on PostgreSQL, for a connection (pg's connectionTimeoutMillis) and for an answer (pg's
 * query_timeout, whatever keeps it: a lock, a busy server, a server gone silent; see SERVER_STATEMENT_TIMEOUT_MS).
 */
export const LEDGER_WAIT_MS = 5_000;
/**
 * PostgreSQL gives up a call's statement a little before paylink stops waiting for it: pg's query_timeout only stops
 * the wait, and a statement left waiting behind a lock (an index built without CONCURRENTLY, a psql session left
 * open) would be carried out later, after paylink told the rep nothing was recorded, or gave up a round's claim.
 */
const SERVER_STATEMENT_TIMEOUT_MS = LEDGER_WAIT_MS - 500;
/**
 * A migration's statement waits this long at most for a table's lock (a pg_dump, a transaction left open in psql, a
 * finance query): while it waits, every later query on that table queues behind it, the calls of the instances still
 * running during a rolling upgrade included, so it gives way well within their statement timeout and tries again.
 */
const MIGRATION_LOCK_WAIT_MS = 2_000;
/** Between two tries of a migration another session's lock held back: the running instances' queries go through. */
const MIGRATION_RETRY_PAUSE_MS = 3_000;
/** How long a start keeps trying a migration held back by another session's lock, before it stops and says so. */
const MIGRATION_LOCKED_OUT_MS = 10 * 60_000;
/** PostgreSQL's `lock_not_available`: lock_timeout passed. */
const PG_LOCK_NOT_AVAILABLE = '55P03';
const MAX_PREPARED_STATEMENTS = 256;
/** SQLite's answers when another connection holds the lock a statement needs (or is recovering the WAL). */
const SQLITE_LOCKED_OUT: ReadonlySet<string> = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_RECOVERY']);
/** The pauses between tries of a statement SQLite locked out, as SQLite's own busy handler makes them. */
const LOCKED_OUT_PAUSES_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50] as const;
const LONGEST_LOCKED_OUT_PAUSE_MS = 100;
/** Up to a second for another process to finish switching a new SQLite file to WAL. */
const WAL_SWITCH_ATTEMPTS = 50;
const WAL_SWITCH_PAUSE_MS = 20;

export interface LedgerOptions {
  /**
   * PostgreSQL closed an idle connection (a restart, a failover, an administrator): the pool drops it and opens
   * another at the next query. Unheard, the pool's error would end the process.
   */
  onConnectionLost?: (error: unknown) => void;
  /**
   * A newer release has migrated the ledger (a rolling upgrade under way, or one rolled back): this release opens it
   * as it is, without migrating, and is told the newest migration it does not know.
   */
  onNewerLedger?: (newestMigration: string) => void;
  /** This instance runs the built-in sandbox: it makes and sees only sandbox links (see Ledger). */
  sandbox?: boolean;
  /**
   * A migration gave way to another session's lock on the ledger's tables (see MIGRATION_LOCK_WAIT_MS) and is tried
   * again; `waitedMs` since the first try.
   */
  onMigrationLockedOut?: (waitedMs: number) => void;
  /** How long to keep trying such a migration; MIGRATION_LOCKED_OUT_MS by default. */
  migrationLockedOutMs?: number;
}

/**
 * Opens the ledger where `location` says and brings its tables up to date, unless a newer release did (see
 * `migrateToLatest`). Two instances starting at once are safe: on PostgreSQL Kysely's migrator holds an advisory lock
 * while it migrates; on SQLite the migrations run inside one `BEGIN IMMEDIATE` transaction (see `migrateSqlite`).
 */
export async function openLedger(location: LedgerLocation, options: LedgerOptions = {}): Promise<Ledger> {
  if (location.engine === 'postgres') {
    // Migrating may take longer than a ledger call may (a big table's new index; another instance holding the
    // migration lock while it migrates): it runs on a connection of its own, without the calls' time limit.
    const migrating = new Kysely<LedgerDatabase>({
      dialect: await postgresDialect(location.url, options, 'unlimited'),
    });
    try {
      tellNewer(await migratePostgres(migrating, options), options);
    } finally {
      await migrating.destroy().catch(() => undefined);
    }
    const db = new Kysely<LedgerDatabase>({ dialect: await postgresDialect(location.url, options, 'limited') });
    return new Ledger(db, { sandbox: options.sandbox });
  }
  const db = new Kysely<LedgerDatabase>({ dialect: await sqliteDialect(location.path) });
  try {
    tellNewer(await migrateSqlite(db), options);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return new Ledger(db, { sandbox: options.sandbox, groupCommits: true });
}

/**
 * Kysely runs SQLite migrations outside any transaction and without a lock, so two processes starting at once
 * could each apply part of one migration. `BEGIN IMMEDIATE` takes the file's write lock first: the other
 * process waits for it (up to LEDGER_WAIT_MS), then finds nothing left to do; a failure rolls the whole run back.
 */
async function migrateSqlite(db: Kysely<LedgerDatabase>): Promise<string | undefined> {
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const newestUnknown = await migrateToLatest(connection);
      await sql`commit`.execute(connection);
      return newestUnknown;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Kysely's migrator holds an advisory lock while it migrates on PostgreSQL; the same lock (a session may take it again)
 * is held from before the look for a newer release's migrations, so that the look never sees another instance's run
 * half done. A run that gave way to another session's lock on a table (MIGRATION_LOCK_WAIT_MS) was rolled back whole,
 * and is tried again after a pause, without the migration lock: it is one for the whole database, and another paylink
 * in another schema of it (staging beside production) would not start while this one waits for a pg_dump to end.
 */
async function migratePostgres(db: Kysely<LedgerDatabase>, options: LedgerOptions): Promise<string | undefined> {
  const schema = await currentSchema(db);
  if (schema === undefined) throw await noSchemaOnSearchPath(db);
  const adapter = new PostgresAdapter();
  const lock = { lockTable: DEFAULT_MIGRATION_LOCK_TABLE, lockRowId: MIGRATION_LOCK_ID, lockTableSchema: schema };
  const lockedOutMs = options.migrationLockedOutMs ?? MIGRATION_LOCKED_OUT_MS;
  return db.connection().execute(async (connection) => {
    // For the migrations' statements, on this connection of their own.
    await sql`set lock_timeout = ${sql.lit(MIGRATION_LOCK_WAIT_MS)}`.execute(connection);
    const started = Date.now();
    for (;;) {
      try {
        return await underMigrationLock(connection, adapter, lock, async () => {
          await refuseLedgerFurtherAlong(connection, schema);
          return migrateToLatest(connection, schema);
        });
      } catch (error) {
        if ((error as { code?: unknown }).code !== PG_LOCK_NOT_AVAILABLE) throw error;
        const waitedMs = Date.now() - started;
        if (waitedMs + MIGRATION_RETRY_PAUSE_MS > lockedOutMs) {
          throw new Error(
            `another session held a lock on the ledger's tables for ${Math.round(waitedMs / 1000)} s (a pg_dump, a transaction left open in psql…): the migration could not run`,
          );
        }
        options.onMigrationLockedOut?.(waitedMs);
        await sleep(MIGRATION_RETRY_PAUSE_MS);
      }
    }
  });
}

async function underMigrationLock<T>(
  connection: Kysely<LedgerDatabase>,
  adapter: PostgresAdapter,
  lock: MigrationLockOptions,
  run: () => Promise<T>,
): Promise<T> {
  await adapter.acquireMigrationLock(connection, lock);
  try {
    return await run();
  } finally {
    await adapter.releaseMigrationLock(connection, lock);
  }
}

/**
 * paylink's schema is the first of the search path. A ledger made in `public` under PostgreSQL's default path
 * (`"$user", public`) is still reached by name once a schema named after the user is created, but migrating there would
 * start an empty ledger: every link gone from Slack, their notifications answered 404. So the start stops, saying why,
 * when paylink's schema has no ledger and one lies further along the path.
 */
async function refuseLedgerFurtherAlong(db: Kysely<LedgerDatabase>, schema: string | undefined): Promise<void> {
  const [firstMigration] = Object.keys(await ledgerMigrations.getMigrations()).sort();
  const { rows } = await sql<{ schema: string }>`select n.nspname as schema from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.oid = to_regclass(${DEFAULT_MIGRATION_TABLE})`.execute(db);
  const reached = rows[0]?.schema;
  if (reached === undefined || schema === undefined || reached === schema) return;
  // Another app's migrations there (Kysely's table name is everyone's default) are none of paylink's business.
  const { rows: ledgerMade } = await sql`select 1 from ${sql.id(reached, DEFAULT_MIGRATION_TABLE)}
    where name = ${firstMigration}`.execute(db);
  if (ledgerMade.length === 0) return;
  throw new Error(
    `the ledger's tables are in schema "${reached}", but the search path now starts at schema "${schema}", where paylink would start an empty ledger: add options=-c%20search_path%3D${reached} to DATABASE_URL, or move the ledger's tables to "${schema}"`,
  );
}

function tellNewer(newestUnknown: string | undefined, options: LedgerOptions): void {
  if (newestUnknown !== undefined) options.onNewerLedger?.(newestUnknown);
}

/**
 * Brings the ledger's tables up to date, unless a newer release already took them further: its migrations only add
 * what the release before can do without, so the ledger is then used as it is, and the newest migration this release
 * does not know comes back. To be called under the migration lock (see `openLedger`).
 *
 * Kysely's migrator takes its tables for present when any schema has them: on a server where another schema
 * does (another app's, another paylink's), it would skip creating its own. So on PostgreSQL it is told which
 * schema is paylink's: the first of the search path.
 */
async function migrateToLatest(db: Kysely<LedgerDatabase>, migrationTableSchema?: string): Promise<string | undefined> {
  const newer = await migrationsOfNewerRelease(db, migrationTableSchema);
  if (newer.length > 0) return newer.at(-1);
  const migrator = new Migrator({
    db,
    provider: ledgerMigrations,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) throw error ?? new Error(`migration ${failed?.migrationName} failed`);
  return undefined;
}

/**
 * The applied migrations this release does not know, in order, when every one of its own is applied and they all come
 * after them: a newer release's. None otherwise, so that the migrator migrates, or refuses a ledger it cannot make sense
 * of (a migration missing, or unknown among its own) as it always has.
 */
async function migrationsOfNewerRelease(db: Kysely<LedgerDatabase>, schema?: string): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE)) return [];
  const migrationTable = db as unknown as Kysely<{ [DEFAULT_MIGRATION_TABLE]: { name: string } }>;
  const applied = (
    await (schema === undefined ? migrationTable : migrationTable.withSchema(schema))
      .selectFrom(DEFAULT_MIGRATION_TABLE)
      .select('name')
      .execute()
  ).map((row) => row.name);
  // Kysely's order for migration names.
  const known = Object.keys(await ledgerMigrations.getMigrations()).sort();
  const latestKnown = known.at(-1) ?? '';
  const unknown = applied.filter((name) => !known.includes(name)).sort();
  return known.every((name) => applied.includes(name)) && unknown.every((name) => name > latestKnown) ? unknown : [];
}

async function currentSchema(db: Kysely<LedgerDatabase>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * No schema of the search path exists (DATABASE_URL's `options=-c search_path=paylink` before `CREATE SCHEMA paylink`):
 * PostgreSQL would say only "no schema has been selected to create in".
 */
async function noSchemaOnSearchPath(db: Kysely<LedgerDatabase>): Promise<Error> {
  const { rows } = await sql<{ path: string }>`select current_setting('search_path') as path`.execute(db);
  const path = rows[0]?.path ?? '';
  const first = firstSchemaOf(path);
  const options = "DATABASE_URL's options=-c search_path=…";
  if (first === undefined) return new Error(`the search path is empty: name the ledger's schema in ${options}`);
  // Quoted where SQL needs it (a user named paylink-prod), so that the statement runs as written.
  const named = first === '$user' ? null : first;
  const names = await sql<{
    schema: string;
    user: string;
  }>`select quote_ident(coalesce(${named}, current_user)) as schema, quote_ident(current_user) as user`.execute(db);
  const { schema = first, user = '' } = names.rows[0] ?? {};
  return new Error(
    `no schema of the search path (${path}) exists: create it first (CREATE SCHEMA ${schema} AUTHORIZATION ${user}), or name one that exists in ${options}`,
  );
}

/**
 * The first schema a search path names, as PostgreSQL reads it: a quoted name as written (commas and doubled quotes
 * within), another with A to Z lowercased and nothing else, `$user` for the user's own; empty entries (`""`, as
 * PostgreSQL shows one set by `SET search_path = ''`) skipped; undefined when it names none.
 */
function firstSchemaOf(path: string): string | undefined {
  for (let rest = path.trimStart(); rest !== ''; rest = rest.replace(/^\s*,?\s*/, '')) {
    const quoted = rest.startsWith('"') ? /^"((?:[^"]|"")*)"/.exec(rest) : null;
    if (rest.startsWith('"') && !quoted) return undefined;
    const entry = quoted?.[0] ?? /^[^,]*/.exec(rest)?.[0] ?? '';
    const name = quoted
      ? (quoted[1] ?? '').replaceAll('""', '"')
      : entry.trim().replace(/[A-Z]/g, (l) => l.toLowerCase());
    if (name !== '') return name;
    rest = rest.slice(entry.length);
  }
  return undefined;
}

/**
 * Kysely's PostgreSQL introspector lists every column of every table of every schema on the server, by name, and
 * fails ("schema … does not exist") when another app drops a schema meanwhile; its migrator only asks whether its own
 * tables exist. So the ledger's introspector lists the tables of paylink's schema, the first of the search path.
 */
function ownSchemaOnly(dialect: PostgresDialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => dialect.createDriver(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => new OwnSchemaIntrospector(db, dialect.createIntrospector(db)),
  };
}

class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly serverWide: DatabaseIntrospector,
  ) {}

  getSchemas() {
    return this.serverWide.getSchemas();
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string; name: string }>`select schemaname as schema, tablename as name
      from pg_catalog.pg_tables where schemaname = current_schema()`.execute(this.db);
    return rows.map((row) => ({ ...row, isView: false, columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** Each engine's driver is loaded only when used: an embedded deployment never loads pg, nor PostgreSQL better-sqlite3. */
async function postgresDialect(url: string, options: LedgerOptions, calls: 'limited' | 'unlimited'): Promise<Dialect> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: verifyFullSpelledOut(url),
    max: calls === 'limited' ? 10 : 1,
    connectionTimeoutMillis: LEDGER_WAIT_MS,
    ...(calls === 'limited' ? { query_timeout: LEDGER_WAIT_MS } : {}),
    // Amounts and counts are bigint; every one the ledger holds is far below 2^53, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (error) => options.onConnectionLost?.(error));
  pool.on('connect', (client) => {
    // pg-pool listens for a client's errors only while it is idle: one lost mid-query (a reset, a failover behind a
    // proxy) would emit 'error' unheard and end the process. The query itself fails with it, so this only listens.
    client.on('error', () => undefined);
    // A SET once connected, not a startup parameter (PgBouncer refuses those), queued before the client's first
    // query. Migrations have no limit: an instance waits for another one's.
    if (calls === 'limited') {
      client.query(`set statement_timeout = ${SERVER_STATEMENT_TIMEOUT_MS}`).catch(() => undefined);
    }
  });
  return ownSchemaOnly(new PostgresDialect({ pool: discardingSilentConnections(pool) }));
}

/**
 * pg 8 reads sslmode `prefer`, `require` and `verify-ca` as `verify-full` (the README says so), and prints a 9-line
 * warning on every start that it will not in pg 9: spelled `verify-full`, the same connection, and the start's output
 * stays paylink's own lines. `uselibpqcompat=true` keeps libpq's meanings, the mode as written.
 */
function verifyFullSpelledOut(url: string): string {
  if (/[?&]uselibpqcompat=true(?:&|$)/.test(url)) return url;
  return url.replace(/([?&]sslmode=)(?:prefer|require|verify-ca)(?=&|$)/, '$1verify-full');
}

/**
 * pg fails a query whose answer does not come within query_timeout, but keeps its connection, still waiting for that
 * answer, and the pool would lend it again: every later call on it would wait as long and fail. Such a connection
 * (a server, proxy or network gone silent without closing it) fails at once whatever else is asked of it (the ROLLBACK
 * of the transaction it was in) and is closed instead of going back to the pool.
 */
function discardingSilentConnections(pool: PostgresPool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      let silent = false;
      const query = ((...args: Parameters<PostgresPoolClient['query']>) => {
        if (silent) return Promise.reject(new Error(PG_READ_TIMEOUT));
        const result = (client.query as (...a: typeof args) => unknown)(...args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          if (error instanceof Error && error.message === PG_READ_TIMEOUT) silent = true;
          throw error;
        });
      }) as PostgresPoolClient['query'];
      return { query, release: (destroy?: boolean) => client.release(destroy || silent) };
    },
    end: () => pool.end(),
  };
}

/** Creates an empty file with `mode` unless one is there: an existing file keeps the permissions given it. */
function createIfMissing(path: string, mode: number): void {
  try {
    closeSync(openSync(path, 'wx', mode));
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
}

/**
 * SQLite opens a file its user may not write (a backup restored as root, a file made read-only, a read-only mount)
 * read-only, without a word: the start would succeed, and every link's first write fail. So such a file stops the
 * start, saying why.
 */
function refuseUnwritable(path: string): void {
  const refusal = (why: string) => Object.assign(new Error(why), { code: 'SQLITE_READONLY' });
  const companions = [`${path}-wal`, `${path}-shm`];
  for (const file of [path, ...companions]) {
    const code = writeRefusal(file);
    if (code === undefined || code === 'ENOENT') continue;
    // Its owner and permissions are no part of it on a read-only mount (a container's, a backup's disk attached).
    throw refusal(
      code === 'EROFS'
        ? `${basename(file)} is on a file system mounted read-only (EROFS): mount it read-write, or set DATABASE_URL to a file on one that is`
        : `paylink's user cannot write ${basename(file)} (${code}): make it that user's, or writable by it`,
    );
  }
  // SQLite makes the -wal and -shm files beside the ledger, and removes them when the last connection closes.
  const folder = dirname(path);
  const code = companions.every((file) => writeRefusal(file) === undefined) ? undefined : writeRefusal(folder);
  if (code !== undefined) {
    throw refusal(
      `paylink's user cannot write in ${folder} (${code}), where SQLite keeps ${companions.map((file) => basename(file)).join(' and ')}: make the folder that user's, or writable by it`,
    );
  }
}

/** Why `path` may not be written (`ENOENT` when it is not there), or undefined when it may. */
function writeRefusal(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return errorCode(error);
  }
}

async function sqliteDialect(path: string): Promise<Dialect> {
  const { default: SqliteDatabase } = await import('better-sqlite3');
  // Customer names and live payment links: readable by paylink's user only, when paylink makes the folder or the file.
  // SQLite gives its -wal and -shm files the database file's permissions.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  createIfMissing(path, 0o600);
  refuseUnwritable(path);
  // No busy_timeout: SQLite would wait for another process's lock synchronously (see LockWaitingSqliteDriver).
  const database = new SqliteDatabase(path, { timeout: 0 });
  // WAL: readers never wait for the writer; a crash of the process loses nothing committed.
  await switchToWal(database);
  // FULL: each commit is on disk before paylink goes on (calls SAFEDEBIT, posts the link). NORMAL would lose the last
  // commits to a power cut or a host going down, a link SAFEDEBIT made with them. Three syncs a link.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const config = { database: reusingStatements(database) };
  return new (class extends SqliteDialect {
    override createDriver() {
      return new LockWaitingSqliteDriver(config, database);
    }
  })(config);
}

/**
 * better-sqlite3 runs on the event loop's thread: with a busy_timeout, a statement waiting for the lock another
 * process holds (a second instance, a backup, an admin's sqlite3 shell) would freeze the whole instance, every Slack
 * request past its 3 seconds included. So SQLite answers SQLITE_BUSY at once, and the statement is tried again after
 * a pause that leaves the thread to the rest of the app, until LEDGER_WAIT_MS has passed. A statement SQLite locked
 * out has changed nothing, so trying it again is safe, inside a transaction too (its BEGIN, a write, its COMMIT).
 */
class LockWaitingSqliteDriver extends SqliteDriver {
  readonly #database: BetterSqliteDatabase;

  constructor(config: ConstructorParameters<typeof SqliteDriver>[0], database: BetterSqliteDatabase) {
    super(config);
    this.#database = database;
  }

  /**
   * SQLite rolls a transaction back itself on some failures (the disk full, an I/O error): a ROLLBACK then finds none,
   * and its "no transaction is active" would hide the failure that ended it ("database or disk is full").
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#database.inTransaction) await super.rollbackTransaction(connection);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    return {
      executeQuery: (query) => whileLockedOut(() => connection.executeQuery(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }
}

async function whileLockedOut<T>(run: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + LEDGER_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const left = deadline - performance.now();
      if (typeof code !== 'string' || !SQLITE_LOCKED_OUT.has(code) || left <= 0) throw error;
      await sleep(Math.min(LOCKED_OUT_PAUSES_MS[attempt] ?? LONGEST_LOCKED_OUT_PAUSE_MS, left));
    }
  }
}

/**
 * Switching a new file to WAL takes its exclusive lock, and SQLite answers SQLITE_BUSY when another connection is
 * opening the same new file: it is tried again shortly.
 */
async function switchToWal(database: BetterSqliteDatabase): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || attempt === WAL_SWITCH_ATTEMPTS) throw error;
      await sleep(WAL_SWITCH_PAUSE_MS);
    }
  }
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
