import { statSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/ledger/group-commit.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { testLedgers } from '../support/ledgers.js';
import { newLink } from '../support/link-records.js';

// SQLite only: on PostgreSQL each link's writes go on their own connection, and the server groups their commits.
const ledgers = testLedgers('sqlite');

async function openSqliteLedger(): Promise<{ ledger: Ledger; walBytes: () => number }> {
  const ledger = await ledgers.open();
  const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(ledger.db);
  const file = rows.find((row) => row.name === 'main')?.file;
  if (!file) throw new Error('expected a SQLite file');
  return { ledger, walBytes: () => statSync(`${file}-wal`).size };
}

function homeViewInsert(userId: string) {
  return sql`insert into home_views (user_id, opened_at) values (${userId}, ${'2026-11-29T10:00:00.000Z'})`;
}

async function homeViewUsers(on: Ledger): Promise<string[]> {
  const rows = await on.db.selectFrom('home_views').select('user_id').orderBy('user_id').execute();
  return rows.map((row) => row.user_id);
}

describe('links written at once on SQLite', () => {
  it('are committed together: one wait for the disk, not one per link', async () => {
    const { ledger, walBytes } = await openSqliteLedger();
    let before = walBytes();
    await ledger.claimSubmission(newLink({ paymentReference: 'F-ALONE' }));
    const oneLink = walBytes() - before;

    before = walBytes();
    const references = Array.from({ length: 20 }, (_, index) => `F-AT-ONCE-${index}`);
    const ids = await Promise.all(
      references.map((paymentReference) => ledger.claimSubmission(newLink({ paymentReference }))),
    );
    const twentyLinks = walBytes() - before;

    // Each commit writes to the WAL every page it changed: twenty commits would write twenty times one link's pages.
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(20);
    expect(twentyLinks).toBeLessThan(4 * oneLink);
    const stored = await Promise.all(ids.map((id) => ledger.findLink(String(id))));
    expect(stored.map((row) => row?.payment_reference)).toEqual(references);
  });

  it('a write refused in the group (a constraint) fails alone: the others are committed', async () => {
    const { ledger } = await openSqliteLedger();
    const group = new GroupCommit(ledger.db);
    const outcomes = await Promise.allSettled(
      ['U0ANNA', 'U0ANNA', 'U0BOB'].map((userId) => group.run(homeViewInsert(userId).compile(ledger.db))),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
    expect(await homeViewUsers(ledger)).toEqual(['U0ANNA', 'U0BOB']);
  });

  it('a group the disk refuses fails with why, keeps nothing it did not tell as kept, and the ledger goes on', async () => {
    const { ledger } = await openSqliteLedger();
    const group = new GroupCommit(ledger.db);
    // The file may grow no more: as a full disk, SQLITE_FULL.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(ledger.db);
    await sql.raw(`pragma max_page_count = ${rows[0]?.page_count}`).execute(ledger.db);
    const users = ['U0SMALL', `U0${'BIG'.repeat(3000)}`, 'U0AFTER'];
    const outcomes = await Promise.allSettled(
      users.map((userId) => group.run(homeViewInsert(userId).compile(ledger.db))),
    );

    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_FULL' } });
    const kept = await homeViewUsers(ledger);
    expect(users.filter((_, index) => outcomes[index]?.status === 'fulfilled').sort()).toEqual(kept);

    await sql.raw('pragma max_page_count = 1073741823').execute(ledger.db);
    await group.run(homeViewInsert('U0LATER').compile(ledger.db));
    expect(await homeViewUsers(ledger)).toContain('U0LATER');
  });
});
