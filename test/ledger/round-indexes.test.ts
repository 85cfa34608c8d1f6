import SqliteDatabase from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DECIDED_RANKS, RANKS_OF_KIND } from '../../src/domain/link-standing.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import {
  DECIDED_RANKS_AT_MIGRATION,
  PAID_RANKS_AT_TOTALS_INDEXES,
  REPORTED_UNANSWERED_CONDITION,
} from '../../src/ledger/migrations.js';
import { openLedger } from '../../src/ledger/open.js';
import { UNANSWERED_STATES } from '../../src/ledger/schema.js';
import { ENGINES, type Engine, freshDatabase, ledgerLocationOf, type TestDatabase } from '../support/databases.js';

describe('the round indexes’ fixed conditions', () => {
  it('name the decided ranks and the unanswered states the code uses', () => {
    expect([...DECIDED_RANKS_AT_MIGRATION]).toEqual([...DECIDED_RANKS].sort((a, b) => a - b));
    const states = /state in \(([^)]*)\)/.exec(REPORTED_UNANSWERED_CONDITION)?.[1]?.split(', ');
    expect(states).toEqual(UNANSWERED_STATES.map((state) => `'${state}'`));
  });

  it('name the paid ranks the totals count', () => {
    expect([...PAID_RANKS_AT_TOTALS_INDEXES]).toEqual([...RANKS_OF_KIND.paid].sort((a, b) => a - b));
  });
});

/**
 * The reminder and interrupted-links rounds look at the ledger every few minutes, however old it is: each query must be
 * able to use its partial index (on PostgreSQL, the plan with sequential scans ruled out: on a small table the planner
 * rightly prefers them), so it reads the few links it is about rather than every link ever made.
 */
describe.each(ENGINES)('the rounds’ queries (%s)', (engine: Engine) => {
  let database: TestDatabase;
  let ledger: Ledger;
  afterEach(async () => {
    await ledger.close();
    await database.drop();
  });

  /** The plan of the one query `run` makes, as text. */
  async function planOf(run: (ledger: Ledger) => Promise<unknown>): Promise<string> {
    const plans = await plansOf(run);
    expect(plans).toHaveLength(1);
    return (plans[0] as { plan: string }).plan;
  }

  /** Each query `run` makes, with its plan as text. */
  async function plansOf(run: (ledger: Ledger) => Promise<unknown>): Promise<{ sql: string; plan: string }[]> {
    database = await freshDatabase(engine);
    ledger = await openLedger(ledgerLocationOf(database));
    const queries: CompiledQuery[] = [];
    const executor = ledger.db.getExecutor();
    const execute = executor.executeQuery.bind(executor);
    Object.assign(executor, {
      executeQuery: (query: CompiledQuery, ...rest: unknown[]) => {
        queries.push(query);
        return (execute as (...args: unknown[]) => unknown)(query, ...rest);
      },
    });
    await run(ledger);
    const plans: { sql: string; plan: string }[] = [];
    for (const query of queries) plans.push({ sql: query.sql, plan: await explain(query) });
    return plans;
  }

  async function explain(query: CompiledQuery): Promise<string> {
    const parameters = query.parameters as unknown[];
    const location = ledgerLocationOf(database);
    if (location.engine === 'sqlite') {
      const db = new SqliteDatabase(location.path, { readonly: true });
      try {
        const rows = db.prepare(`explain query plan ${query.sql}`).all(...parameters) as { detail: string }[];
        return rows.map((row) => row.detail).join('\n');
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set enable_seqscan = off');
      const { rows } = await client.query(`explain ${query.sql}`, parameters);
      return rows.map((row: Record<string, string>) => Object.values(row).join('')).join('\n');
    } finally {
      await client.end();
    }
  }

  it('due reminders are looked for through the index of links a reminder may be due for', async () => {
    const plan = await planOf((ledger) => ledger.claimDueReminders(new Date(), new Date(), 1));
    expect(plan).toContain('links_due_reminder');
  });

  it('links reported on whose answer never reached paylink are looked for through their index', async () => {
    const plan = await planOf((ledger) => ledger.reportedUnansweredLinks(50));
    expect(plan).toContain('links_reported_unanswered');
  });

  it('confirmed links their instance stopped before announcing are looked for through their index', async () => {
    const plan = await planOf((ledger) => ledger.claimUnannouncedLinks(new Date(), 1));
    expect(plan).toContain('links_unannounced');
  });

  // The status round, every minute: a year's ledger holds some 200,000 notifications, nearly all replied to long ago.
  // Its pages start where the last one left off, or at the oldest.
  const STATUS_ROUND_PAGES = [
    ['the first page', { limit: 50 }],
    ['a later page', { limit: 50, after: { key: '2026-11-01T00:00:00.000Z', id: 'lnk_x' } }],
  ] as const;

  it.each(STATUS_ROUND_PAGES)(
    'notifications whose thread reply is not posted are looked for through the index of unreplied ones: %s',
    async (_, page) => {
      const plan = await planOf((ledger) => ledger.linksWithUnpostedReplies(new Date(), page));
      expect(plan).toContain('notifications_unreplied');
      expect(plan).not.toContain('notifications_by_link');
    },
  );

  it.each(STATUS_ROUND_PAGES)(
    'status lines behind their link’s status are looked for through their index: %s',
    async (_, page) => {
      const plan = await planOf((ledger) => ledger.linksWithStatusLineBehind(new Date(), page));
      expect(plan).toContain('links_status_line_behind');
    },
  );

  it.each(STATUS_ROUND_PAGES)(
    'status lines still to show their link expired are looked for through their index: %s',
    async (_, page) => {
      const plan = await planOf((ledger) => ledger.linksWithExpiryUnshown(new Date(), new Date(), page));
      expect(plan).toContain('links_expiry_unshown');
    },
  );

  // App Home's totals, drawn again for every admin who opened it after every status change: a year's ledger holds some
  // 73,000 links, nearly all paid, failed or expired long ago.
  it.each([
    ['the team', undefined],
    ['a rep', 'U0REP'],
  ])(
    'App Home’s totals for %s are counted through the indexes of links awaiting payment and of paid ones by date',
    async (_, userId) => {
      const now = new Date();
      const period = { now, paidFrom: new Date(now.getTime() - 30 * 86_400_000), paidUntil: now };
      const plans = await plansOf((ledger) =>
        ledger.totals({ ...period, ...(userId === undefined ? {} : { userId }) }),
      );
      expect(plans).toHaveLength(2);
      const awaiting = plans.find((query) => !query.sql.includes('paid_at'))?.plan;
      const paid = plans.find((query) => query.sql.includes('paid_at'))?.plan;
      // A rep's may as well be read among their own links (on SQLite, whose planner has no statistics, they are).
      const orTheRep = userId === undefined ? '' : '|links_by_rep';
      expect(awaiting).toMatch(new RegExp(`links_awaiting_payment${orTheRep}`));
      expect(paid).toMatch(new RegExp(`links_paid_since${orTheRep}`));
      for (const plan of [awaiting, paid]) expect(plan).not.toMatch(/^SCAN links$|Seq Scan/m);
    },
  );

  // A list or status showing only some of the links that matched counts them all: through the rep's links, or the
  // reference's, never every link ever made.
  it.each([
    ['a rep’s links', undefined],
    ['a rep’s links awaiting payment', 'awaiting'],
    ['a rep’s paid links', 'paid'],
  ] as const)('%s are counted through an index', async (_, only) => {
    const plan = await planOf((ledger) =>
      ledger.countLatestLinks({ userId: 'U0REP', now: new Date(), ...(only ? { only } : {}) }),
    );
    expect(plan).toMatch(/links_by_rep|links_awaiting_payment|links_paid_since/);
    expect(plan).not.toMatch(/^SCAN links$|Seq Scan/m);
  });

  it.each([
    ['anyone’s, for an admin', undefined, /links_by_reference_key/],
    // A rep's may as well be read among their own links (on an empty ledger, both planners do).
    ['a rep’s', 'U0REP', /links_by_reference_key|links_by_rep/],
  ])('the links with a reference, %s, are counted through an index', async (_, userId, index) => {
    const plan = await planOf((ledger) =>
      ledger.countLinksWithReference('F-2026-031', userId === undefined ? {} : { userId }),
    );
    expect(plan).toMatch(index);
    expect(plan).not.toMatch(/^SCAN links$|Seq Scan/m);
  });
});
