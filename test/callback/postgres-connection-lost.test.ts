import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownPostgresDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/paylink-harness.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

let app: Harness | undefined;
let database: TestDatabase | undefined;
const sessions: pg.Client[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.end().catch(() => undefined);
  await app?.close();
  app = undefined;
  await database?.drop();
  database = undefined;
});

async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  sessions.push(client);
  return client;
}

describe('PostgreSQL ending paylink’s connections while a notification is recorded (a restart, a failover)', () => {
  // pg's "Connection terminated unexpectedly" carries no SQLSTATE: the operator reads its words, not `unknown_error`.
  it('answers 503 and logs why in pg’s words; the redelivery posts the reply', async () => {
    database = await ownPostgresDatabase();
    const databaseName = new URL(database.url).pathname.slice(1);
    app = await startHarness({ databaseUrl: database.url });
    const h = app;
    const { callbackUrl } = await h.createLink();

    // A finance session holds the notifications table, so that the recording waits; meanwhile PostgreSQL ends
    // paylink's connections.
    const finance = await session(database.url);
    const financePid = (await finance.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    await finance.query('begin');
    await finance.query('lock table notifications in exclusive mode');
    const admin = await session(TEST_POSTGRES_URL);
    const answered = h.notify(callbackUrl, 'SETTLED');
    await vi.waitFor(async () => {
      const waiting = await admin.query(
        "select 1 from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and query ilike '%notifications%'",
        [databaseName],
      );
      expect(waiting.rowCount).toBe(1);
    });
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and pid <> $2',
      [databaseName, financePid],
    );
    await finance.query('commit');
    expect(await answered).toBe(503);

    const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
    expect(logged).toMatchObject({ outcome: 'ledger_unavailable', error: 'Connection terminated unexpectedly' });
    expect(logged.repeat).toBeUndefined();
    expect(await h.notify(callbackUrl, 'SETTLED')).toBe(200);
    const paidReplies = h.standin
      .messagesIn(SALES_CHANNEL.id)
      .filter((message) => message.thread_ts !== undefined && String(message.text).includes('Paid'));
    expect(paidReplies).toHaveLength(1);
  }, 30_000);
});
