import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LEDGER_WAIT_MS, openLedger } from '../../src/ledger/open.js';
import { freshDatabase, ownPostgresDatabase, type TestDatabase } from '../support/databases.js';

/** Kysely's PostgreSQL migration lock (`pg_advisory_lock`), which an instance holds while it migrates. */
const KYSELY_MIGRATION_LOCK_ID = '3853314791062309107';

/** Each test waits out LEDGER_WAIT_MS at least: they run side by side. */
async function inDatabase(database: Promise<TestDatabase>, test: (database: TestDatabase) => Promise<void>) {
  const made = await database;
  try {
    await test(made);
  } finally {
    await made.drop();
  }
}

/** A fixture run against the built ledger in a process of its own: what it printed, and how it ended. */
async function runFixture(name: string, database: TestDatabase) {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, database.url], { timeout: 30_000 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? 'killed', stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.concurrent('PostgreSQL gone silent (no answer, no reset)', () => {
  it('while a query is in flight: it fails after LEDGER_WAIT_MS, and the next query gets a connection that answers', async () => {
    await inDatabase(freshDatabase('postgres'), async (database) => {
      expect(await runFixture('pg-silent-mid-query.mjs', database)).toEqual({
        status: 0,
        stdout: `query failed (Query read timeout) in ${LEDGER_WAIT_MS / 1000} s\nnext query answered in 0 s\n`,
        stderr: '',
      });
    });
  }, 35_000);

  it('inside a call that is a transaction (a notification being recorded): it fails after LEDGER_WAIT_MS, its ROLLBACK not waiting as long again', async () => {
    await inDatabase(freshDatabase('postgres'), async (database) => {
      expect(await runFixture('pg-silent-in-transaction.mjs', database)).toEqual({
        status: 0,
        stdout: `recordNotification failed (Query read timeout) in ${LEDGER_WAIT_MS / 1000} s\n`,
        stderr: '',
      });
    });
  }, 35_000);

  it('is not taken for a migration: an instance starting while another migrates longer than LEDGER_WAIT_MS waits for it', async () => {
    await inDatabase(ownPostgresDatabase(), async (database) => {
      const other = new pg.Client({ connectionString: database.url });
      await other.connect();
      try {
        await other.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK_ID})`);
        const started = Date.now();
        const opening = openLedger({ engine: 'postgres', url: database.url });
        setTimeout(
          () => void other.query(`select pg_advisory_unlock(${KYSELY_MIGRATION_LOCK_ID})`),
          LEDGER_WAIT_MS + 1_500,
        );
        const ledger = await opening;
        await ledger.close();
        expect(Date.now() - started).toBeGreaterThan(LEDGER_WAIT_MS + 1_000);
      } finally {
        await other.end();
      }
    });
  }, 20_000);
});
