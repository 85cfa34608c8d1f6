import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { abandonedAfterMs } from '../../src/flow/interrupted-links.js';
import { ownPostgresDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../support/databases.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';

/** The harness's SAFEDEBIT_TIMEOUT_MS. */
const SAFEDEBIT_TIMEOUT_MS = 1500;
const PERIOD_MS = 100;
const RETRY_DELAYS_MS = [50, 50];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isInterruptedNotice = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes('paylink stopped while SAFEDEBIT');

let app: Harness | undefined;
let database: TestDatabase | undefined;
let admin: pg.Client | undefined;
let databaseName = '';
afterEach(async () => {
  await admin?.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`).catch(() => undefined);
  await admin?.end().catch(() => undefined);
  admin = undefined;
  await app?.close();
  app = undefined;
  await database?.drop();
  database = undefined;
});

/** paylink's own database stops answering (a failover, a restart): no connection is taken, those open are closed. */
async function databaseDown(): Promise<void> {
  await admin?.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS false`);
  await admin?.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [databaseName]);
}
async function databaseBack(): Promise<void> {
  await admin?.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`);
}

/**
 * A rep submits, and while SAFEDEBIT answers (with `env`, it refuses), paylink's own database stops answering. Resolves
 * once it is down, with the rep's modal.
 */
async function outageWhileSafedebitAnswers(env: Record<string, string> = {}) {
  database = await ownPostgresDatabase();
  databaseName = new URL(database.url).pathname.slice(1);
  admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const clock = movableClock();
  app = await startHarness({
    databaseUrl: database.url,
    clock: clock.now,
    interruptedLinksPeriodMs: PERIOD_MS,
    ledgerRetryDelaysMs: RETRY_DELAYS_MS,
    env,
  });
  const h = app;
  h.safedebit.setMode({ kind: 'slow', delayMs: 600 });
  const { view } = await h.openModal();
  await h.submit(view, VALID_FORM);
  // Claimed, and SAFEDEBIT is answering: PostgreSQL goes away now.
  await expect.poll(() => h.safedebit.requests.length).toBe(1);
  await databaseDown();
  return { h, clock, view };
}

/**
 * Once the flow gave up its ledger write, the outage lasts past the delay after which a link still `requested` counts
 * as abandoned; then PostgreSQL is back, the kept write is recorded, and rounds go on. Resolves with what the rep was
 * last shown in the modal and the interrupted-link notices sent.
 */
async function outageOutlastsAbandonDelay(h: Harness, clock: ReturnType<typeof movableClock>, view: { id: string }) {
  await expect
    .poll(() => h.logs.some((line) => line.includes('"event":"ledger_write_abandoned"')), { timeout: 5_000 })
    .toBe(true);
  clock.advance(abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS, RETRY_DELAYS_MS) + 1_000);
  await sleep(300);
  await databaseBack();
  await expect
    .poll(() => h.logs.some((line) => line.includes('"event":"recorded_late"')), { timeout: 5_000 })
    .toBe(true);
  await sleep(PERIOD_MS * 5);
  const lastModal = h.standin
    .callsTo('views.update')
    .filter((call) => call.args.view_id === view.id)
    .at(-1);
  return {
    lastModal: visibleText(lastModal?.args.view),
    notices: h.standin
      .callsTo('chat.postMessage')
      .filter(isInterruptedNotice)
      .map((call) => visibleText(call.args)),
  };
}

describe('PostgreSQL out of reach from SAFEDEBIT answer until past the interrupted-link delay', () => {
  it('records the link the rep was given once it is back, without telling the rep paylink stopped', async () => {
    const { h, clock, view } = await outageWhileSafedebitAnswers();

    // The rep gets the link all the same: in the thread and in the modal; the ledger's writes are kept for later.
    await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('paypage?SDESSID='), 8_000);
    expect(h.standin.callsTo('chat.postMessage')).toHaveLength(2);
    const { lastModal, notices } = await outageOutlastsAbandonDelay(h, clock, view);

    expect({
      // The rep has the link in the thread and the modal: nothing says paylink stopped or that it may not exist.
      notices,
      modal_still_shows_link: lastModal.includes('paypage?SDESSID='),
      interrupted_logged: h.logs.filter((line) => line.includes('"event":"link_interrupted"')).length,
    }).toEqual({ notices: [], modal_still_shows_link: true, interrupted_logged: 0 });
    const row = (await h.paylink.ledger.db.selectFrom('links').selectAll().execute())[0];
    expect(row).toMatchObject({ state: 'created', state_detail: null, summary_channel: expect.any(String) });
  }, 30_000);
});

describe('PostgreSQL out of reach from a SAFEDEBIT refusal until past the interrupted-link delay', () => {
  it('does not tell the rep, who was shown the refusal, that paylink stopped and the link may exist', async () => {
    // A password SAFEDEBIT no longer takes (changed in its back office): every request is refused.
    const { h, clock, view } = await outageWhileSafedebitAnswers({ SAFEDEBIT_PASSWORD: 'an-old-password' });

    // The rep gets the form back with SAFEDEBIT's refusal; the ledger refuses to record it, past the retries.
    await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('SAFEDEBIT refused'), 8_000);
    const { lastModal, notices } = await outageOutlastsAbandonDelay(h, clock, view);

    // The rep may be correcting the form SAFEDEBIT refused: it stays.
    expect({ notices, modal_still_shows_refusal: lastModal.includes('SAFEDEBIT refused') }).toEqual({
      notices: [],
      modal_still_shows_refusal: true,
    });
    const row = (await h.paylink.ledger.db.selectFrom('links').selectAll().execute())[0];
    expect(row).toMatchObject({ state: 'refused' });
  }, 30_000);
});
