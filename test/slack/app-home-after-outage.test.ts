import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { afterNotificationKept, refuseWhen } from '../support/ledger-faults.js';
import { clockFrom, MID_MONTH } from '../support/movable-clock.js';
import { type Harness, SIGNING_SECRET, startHarness, visibleText } from '../support/paylink-harness.js';
import { appHomeOpenedEvent, sendEvent } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

describe.each(ENGINES)('App Home after a payment the ledger took during an outage (%s)', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('shows the payment once the ledger is back and SAFEDEBIT delivers again, as the thread does', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    const { callbackUrl } = await app.createLink();
    expect((await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id))).status).toBe(200);
    await app.waitForLog('home_published');
    expect(visibleText(app.standin.homeView(SALES_REP.id))).toContain('Awaiting payment ·');

    // The ledger keeps the notification, then is out of reach for a few seconds (a PostgreSQL failover, a locked
    // SQLite file): its reads fail, the notification is answered 503, and the Home's redraw cannot read it either.
    const ledger = app.paylink.ledger;
    let down = false;
    const keepNormally = afterNotificationKept(ledger, () => {
      down = true;
    });
    refuseWhen(ledger, 'findLink', () => down);
    refuseWhen(ledger, 'homeViewers', () => down);
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(503);
    await app.waitForLog((entry) => entry.event === 'home_not_published' && entry.step === 'refresh');

    // The ledger is back; SAFEDEBIT delivers the notification again, as the 503 invited it to.
    keepNormally();
    down = false;
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    // The thread says Paid now...
    await expect
      .poll(() => app.standin.messagesIn('C0SALES').some((message) => String(message.text).includes('Paid')))
      .toBe(true);
    // ...and the rep's Home, drawn again for the repeat, as the draw for the first delivery could not read the ledger.
    await expect
      .poll(() => visibleText(app.standin.homeView(SALES_REP.id)), { timeout: 5_000 })
      .toContain(':white_check_mark: Paid');
  }, 30_000);
});
