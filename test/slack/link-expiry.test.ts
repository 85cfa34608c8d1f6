import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, SIGNING_SECRET, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

const DAY = 24 * 3_600_000;
const WEEK = { SAFEDEBIT_LINK_DURATION: '7', SAFEDEBIT_LINK_DURATION_UNIT: 'days' };

/** `/paylink <text>` as the rep: what paylink answers privately. */
async function paylink(h: Harness, text: string): Promise<string> {
  const responseUrl = h.standin.responseUrl();
  await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
    text,
    user_id: SALES_REP.id,
    user_name: SALES_REP.username,
    response_url: responseUrl,
  });
  return visibleText((await h.standin.waitForResponse((post) => post.url === responseUrl)).body);
}

/** The channel's summary of the link, as the rep and finance read it. */
function summaryText(h: Harness): string {
  const summary = h.standin.messagesIn(SALES_CHANNEL.id).find((m) => m.attachments !== undefined);
  return visibleText([summary?.blocks, summary?.attachments]);
}

describe.each(ENGINES)("a link's expiry, kept from when it was sent (ledger on %s)", (engine) => {
  const harnesses = testHarnesses(engine);

  it('stays the one of the duration sent once the admin shortens SAFEDEBIT_LINK_DURATION', async () => {
    const clock = movableClock();
    const month = { SAFEDEBIT_LINK_DURATION: '30', SAFEDEBIT_LINK_DURATION_UNIT: 'days' };
    const before = await harnesses.start({ clock: clock.now, env: month });
    await before.createLink({ ...VALID_FORM, payment_reference: 'F-30D' });
    const expires = summaryText(before).match(/\*Expires\*\n([^\n]+)/)?.[1];
    await harnesses.stop(before);

    // SAFEDEBIT still honours F-30D for 30 days, whatever paylink sends with the next links.
    const after = await harnesses.start({ clock: clock.now, env: WEEK });
    clock.advance(10 * DAY);
    const status = await paylink(after, 'status F-30D');
    const open = await paylink(after, 'list open');
    expect({ status, open }).toEqual({
      status: expect.stringContaining(':hourglass: Awaiting payment'),
      open: expect.stringContaining('F-30D'),
    });
    // Past the 30 days: expired, on the date the summary announced.
    clock.advance(21 * DAY);
    expect(await paylink(after, 'status F-30D')).toContain(`:no_entry_sign: Expired unpaid · ${expires}`);
  });

  it('is none for a link sent with no duration: declaring one later does not expire it', async () => {
    const clock = movableClock();
    const before = await harnesses.start({ clock: clock.now, env: {} });
    await before.createLink({ ...VALID_FORM, payment_reference: 'F-NO-DURATION' });
    await harnesses.stop(before);
    const after = await harnesses.start({ clock: clock.now, env: WEEK });
    clock.advance(365 * DAY);
    expect(await paylink(after, 'status F-NO-DURATION')).toContain(':hourglass: Awaiting payment');
  });

  it("rewrites the channel's status line to 'Expired unpaid' once past it, and a status that comes later still shows", async () => {
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      statusRoundPeriodMs: 30,
      env: { SAFEDEBIT_LINK_DURATION: '1', SAFEDEBIT_LINK_DURATION_UNIT: 'days' },
    });
    const { callbackUrl } = await app.createLink({ ...VALID_FORM, payment_reference: 'F-DEAD' });
    await new Promise((resolve) => setTimeout(resolve, 150)); // rounds before the expiry rewrite nothing
    expect(app.standin.callsTo('chat.update')).toEqual([]);

    clock.advance(DAY);
    const expires = summaryText(app).match(/\*Expires\*\n([^\n]+)/)?.[1];
    // Slack's date token, for each viewer's own time zone; in Paris time where Slack renders none (notifications).
    const inParis = expires?.match(
      /^<!date\^\d+\^\{date_short\}, \{time\}\|(\d\d? [A-Z][a-z]{2} \d{4}, \d\d:\d\d)>$/,
    )?.[1];
    expect(inParis).toBeDefined();
    await expect.poll(() => app.standin.callsTo('chat.update').length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // more rounds: once only
    expect(app.standin.callsTo('chat.update').map((call) => String(call.args.text))).toEqual([
      `Payment link · €1,250.50 · F-DEAD — :no_entry_sign: Expired unpaid · ${inParis}`,
    ]);
    expect(statusLineText(app)).toBe(`:no_entry_sign: Expired unpaid · ${expires}`);
    expect(await paylink(app, 'status F-DEAD')).toContain(`:no_entry_sign: Expired unpaid · ${expires}`);

    // SAFEDEBIT reports a debit on it after all (a payment started just in time): the line shows it.
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    await expect.poll(() => statusLineText(app)).toMatch(/^:white_check_mark: Paid · /);
  });
});

/** The status line under the channel's summary, as it stands after every rewrite. */
function statusLineText(h: Harness): string {
  const summary = h.standin.messagesIn(SALES_CHANNEL.id).find((m) => m.attachments !== undefined);
  return visibleText(summary?.attachments);
}
