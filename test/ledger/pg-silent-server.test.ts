import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_WAIT_MS, openLedger } from '../../src/ledger/open.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';

/** Kysely's PostgreSQL migration lock (`pg_advisory_lock`), which an instance holds while it migrates. */
const KYSELY_MIGRATION_LOCK_ID = '3853314791062309107';

describe('PostgreSQL gone silent (no answer, no reset) while a query is in flight', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('fails that query after LEDGER_WAIT_MS, and the next query gets a connection that answers', async () => {
    database = await freshDatabase('postgres');
    const script = fileURLToPath(new URL('./fixtures/pg-silent-mid-query.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, database.url], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: `query failed (Query read timeout) in ${LEDGER_WAIT_MS / 1000} s\nnext query answered in 0 s\n`,
      stderr: '',
    });
  }, 25_000);
});

describe('PostgreSQL gone silent inside a ledger call that is a transaction (a notification being recorded)', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('fails that call after LEDGER_WAIT_MS, its ROLLBACK not waiting as long again on the silent connection', async () => {
    database = await freshDatabase('postgres');
    const script = fileURLToPath(new URL('./fixtures/pg-silent-in-transaction.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, database.url], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: `recordNotification failed (Query read timeout) in ${LEDGER_WAIT_MS / 1000} s\n`,
      stderr: '',
    });
  }, 35_000);
});

describe('an instance starting while another migrates for longer than LEDGER_WAIT_MS', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('waits for the migration lock instead of failing its start', async () => {
    database = await freshDatabase('postgres');
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
  }, 20_000);
});
