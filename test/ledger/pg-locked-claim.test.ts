import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { abandonedAfterMs } from '../../src/flow/interrupted-links.js';
import { LEDGER_WAIT_MS } from '../../src/ledger/open.js';
import { ownPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';

/** The harness's SAFEDEBIT_TIMEOUT_MS. */
const SAFEDEBIT_TIMEOUT_MS = 1500;
const PERIOD_MS = 100;

const isInterruptedNotice = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes('paylink stopped while SAFEDEBIT');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let app: Harness | undefined;
let database: TestDatabase | undefined;
let locker: pg.Client | undefined;
afterEach(async () => {
  await locker?.end().catch(() => undefined);
  locker = undefined;
  await app?.close();
  app = undefined;
  await database?.drop();
  database = undefined;
});

/**
 * An operator builds an index on the links table without CONCURRENTLY (or leaves a psql transaction open after a LOCK):
 * for longer than a ledger call waits, every write to `links` waits behind a SHARE lock.
 */
async function lockLinksTable(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE links IN SHARE MODE');
  return client;
}

describe('a rep submits while another session holds the links table longer than paylink waits (PostgreSQL)', () => {
  it('is told no link was created, and the ledger keeps no request of it to take later for an interrupted one', async () => {
    database = await ownPostgresDatabase();
    const clock = movableClock();
    app = await startHarness({ databaseUrl: database.url, clock: clock.now, interruptedLinksPeriodMs: PERIOD_MS });
    const h = app;
    const { view } = await h.openModal();

    locker = await lockLinksTable(database.url);
    await h.submit(view, VALID_FORM);
    // paylink gives up the claim after LEDGER_WAIT_MS and gives the rep the form back: "no link was created".
    const refused = await h.waitForViewUpdate(
      view.id,
      (shown) => visibleText(shown).includes('could not record the request'),
      LEDGER_WAIT_MS + 3_000,
    );
    expect(visibleText(refused.args.view)).toContain('no link was created');
    expect(h.safedebit.requests).toHaveLength(0);

    // The operator's lock ends a moment later: the ledger answers again.
    await sleep(500);
    await locker.query('COMMIT');
    await sleep(500);

    // Once a link still `requested` would count as abandoned, the rounds must have nothing to tell the rep about.
    clock.advance(abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS) + 1_000);
    await sleep(PERIOD_MS * 15);
    expect({
      notices: h.standin
        .callsTo('chat.postMessage')
        .filter(isInterruptedNotice)
        .map((call) => visibleText(call.args)),
      modal_replaced: h.standin
        .callsTo('views.update')
        .some((call) => visibleText(call.args.view).includes('paylink stopped while SAFEDEBIT')),
      interrupted_logged: h.logs.filter((line) => line.includes('"link_interrupted"')).length,
    }).toEqual({ notices: [], modal_replaced: false, interrupted_logged: 0 });
    const rows = await locker.query<{ state: string }>('select state from links where payment_reference = $1', [
      VALID_FORM.payment_reference,
    ]);
    // Nor does the ledger keep a request SAFEDEBIT never got (the export's `requested`/`interrupted` row).
    expect(rows.rows).toEqual([]);
  }, 30_000);
});
