import { describe, expect, it } from 'vitest';
import { undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { reminderPeriodMs } from '../../src/flow/reminders.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import {
  BOT_TOKEN,
  type Harness,
  SIGNING_SECRET,
  stopWithGrace,
  VALID_FORM,
  visibleText,
} from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { appHomeOpenedEvent, sendEvent, sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP, type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

const OTHER_REP: SlackUser = { id: 'U0REP2', username: 'other.rep', name: 'other.rep', team_id: TEAM_ID };
const HOURS = 3_600_000;
/** A date and time as paylink shows them in English (`1 Dec 2026, 03:41`): these tests run on today's date, moved on. */
const DATE_SHOWN = String.raw`\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d`;
/** Short enough that a test waits a few of them, long enough not to spin. */
const PERIOD_MS = 30;

/** A reminder says the link is still awaiting payment, or, its payment under way, that it is not paid yet. */
const isReminder = (call: SlackApiCall) => String(call.args.text).includes(':alarm_clock: This payment link is ');
const reminders = (app: Harness) => app.standin.callsTo('chat.postMessage').filter(isReminder);
const settle = (ms = PERIOD_MS * 8) => new Promise((resolve) => setTimeout(resolve, ms));

/** `user`'s DM with the bot on this stand-in (the id conversations.open gives, already open or not). */
async function dmOf(app: Harness, user: string): Promise<string> {
  const response = await fetch(`${app.standin.apiUrl}conversations.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BOT_TOKEN}` },
    body: JSON.stringify({ users: user }),
  });
  return ((await response.json()) as { channel: { id: string } }).channel.id;
}

describe('the reminder timer', () => {
  it('looks every tenth of the delay, at least every 5 minutes and at most every second', () => {
    expect(reminderPeriodMs(72 * HOURS)).toBe(5 * 60_000);
    expect(reminderPeriodMs(30 * 60_000)).toBe(3 * 60_000);
    expect(reminderPeriodMs(10_000)).toBe(1_000);
    expect(reminderPeriodMs(1_000)).toBe(1_000);
  });
});

describe.each(ENGINES)('reminders, on %s', (engine) => {
  const harnesses = testHarnesses(engine);
  const start = (clock: () => Date, options: { env?: Record<string, string> } = {}) =>
    harnesses.start({
      clock,
      reminderPeriodMs: PERIOD_MS,
      ...options,
      env: { PAYLINK_REMIND_AFTER: '72h', ...options.env },
    });

  it('sends one DM per link still awaiting payment once the delay is over, to its rep, and never again', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await app.createLink();
    const { callbackUrl: paid } = await app.createLink({ ...VALID_FORM, payment_reference: 'F-PAID' });
    const { callbackUrl: rejected } = await app.createLink({ ...VALID_FORM, payment_reference: 'F-REJECTED' });
    const { callbackUrl: issued } = await app.createLink({ ...VALID_FORM, payment_reference: 'F-ISSUED' });
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-OTHER', amount: '99' }, OTHER_REP);
    expect(await app.notify(paid, 'SETTLED')).toBe(200);
    expect(await app.notify(rejected, 'REJECTED')).toBe(200);
    expect(await app.notify(issued, 'ISSUED')).toBe(200);

    clock.advance(71 * HOURS);
    await settle();
    expect(reminders(app)).toEqual([]);

    clock.advance(2 * HOURS);
    await expect.poll(() => reminders(app).length).toBe(3);
    await settle();
    expect(reminders(app)).toHaveLength(3);

    const repDm = await dmOf(app, SALES_REP.id);
    const repReminders = app.standin.messagesIn(repDm).map((message) => visibleText(message));
    expect(repReminders).toHaveLength(2);
    expect(repReminders.join('\n')).toContain('F-2026-031');
    expect(repReminders.join('\n')).toContain('F-ISSUED');
    expect(repReminders[0]).toContain('This payment link is still awaiting payment, 3 days after it was created:');
    expect(repReminders[0]).toContain('*€1,250.50* · F-');
    expect(repReminders[0]).toContain('Jean Dupont');
    // SAFEDEBIT issued F-ISSUED's debit before its reminder: a payment is under way, the rep is told where it stands.
    const underWay = repReminders.find((text) => text.includes('F-ISSUED')) ?? '';
    expect(underWay).toContain(
      'This payment link is not paid yet, 3 days after it was created, but SAFEDEBIT reports a payment under way:',
    );
    // In the DM's blocks, the date as Slack's token, for each viewer's own time zone; in its notification text, Paris time.
    const dateToken = String.raw`<!date\^\d+\^\{date_short\}, \{time\}\|${DATE_SHOWN}>`;
    expect(underWay).toMatch(
      new RegExp(String.raw`\nWhere it stands: :hourglass_flowing_sand: Debit issued · ${dateToken}\n`),
    );
    expect(underWay).toMatch(new RegExp(` — Where it stands: :hourglass_flowing_sand: Debit issued · ${DATE_SHOWN}\n`));
    expect(underWay).not.toContain('still awaiting payment');
    const [reminder] = app.standin.messagesIn(repDm);
    expect(JSON.stringify(reminder)).toMatch(/"url":"https:\/\/paylink-test\.slack\.com\/archives\/C0SALES\/p\d+"/);
    const otherReminders = app.standin.messagesIn(await dmOf(app, OTHER_REP.id)).map((message) => visibleText(message));
    expect(otherReminders).toEqual([expect.stringContaining('*€99.00* · F-OTHER')]);

    const rows = await app.paylink.ledger.db.selectFrom('links').select(['payment_reference', 'reminded_at']).execute();
    const reminded = rows.filter((row) => row.reminded_at !== null).map((row) => row.payment_reference);
    expect(reminded.sort()).toEqual(['F-2026-031', 'F-ISSUED', 'F-OTHER']);
  });

  it('across two instances sharing the ledger, and after a restart, reminds each link once', async () => {
    const clock = movableClock();
    const first = await start(clock.now);
    const second = await start(clock.now);
    for (const reference of ['F-1', 'F-2', 'F-3'])
      await first.createLink({ ...VALID_FORM, payment_reference: reference });
    await second.createLink({ ...VALID_FORM, payment_reference: 'F-4' }, OTHER_REP);

    clock.advance(73 * HOURS);
    const sent = () => [...reminders(first), ...reminders(second)];
    await expect.poll(() => sent().length).toBe(4);
    await settle();
    const references = sent().map((call) => String(call.args.text).match(/F-\d/)?.[0]);
    expect(references.sort()).toEqual(['F-1', 'F-2', 'F-3', 'F-4']);

    await harnesses.stop(second);
    const restarted = await start(clock.now);
    await settle();
    expect(reminders(restarted)).toEqual([]);
    expect(sent()).toHaveLength(4);
  });

  it('sends again at the next round a DM Slack did not take, never one Slack refused', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await app.createLink();
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-GONE' }, OTHER_REP);
    app.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 3600 });
    app.standin.failNext('conversations.open', 'user_not_found');
    clock.advance(73 * HOURS);
    await expect.poll(() => reminders(app).length).toBe(2);
    await settle();
    // One of the two was rate limited, then sent; the other rep's DM could never open.
    const delivered = app.standin
      .messagesIn(await dmOf(app, SALES_REP.id))
      .concat(app.standin.messagesIn(await dmOf(app, OTHER_REP.id)));
    expect(delivered).toHaveLength(1);
    expect(app.logs.filter((line) => line.includes('"reminder_postponed"'))).toHaveLength(1);
    expect(app.logs.filter((line) => line.includes('"reminder_not_sent"'))).toHaveLength(1);
  });

  it('stops with the app: the round in progress ends, no other starts', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await app.createLink();
    app.standin.setDelay('chat.postMessage', 300);
    clock.advance(73 * HOURS);
    await app.standin.waitForCall('chat.postMessage', isReminder);
    await app.paylink.stop(2000);
    const events = app.logs.map((line) => (JSON.parse(line) as { event?: string }).event);
    expect(events.indexOf('reminder_sent')).toBeGreaterThan(-1);
    expect(events.indexOf('reminder_sent')).toBeLessThan(events.indexOf('stopped'));
    const calls = app.standin.calls.length;
    await settle();
    expect(app.standin.calls.length).toBe(calls);
  });

  it('stops within its grace when the round in progress waits out a Slack rate limit, and says so', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await app.createLink();
    app.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 30 });
    clock.advance(73 * HOURS);
    await app.standin.waitForCall('conversations.open', undefined, 3_000);
    const { outcome, tookMs, graceExpiredLogged } = await stopWithGrace(app, 1_000, 5_000);
    expect({ outcome, withinGrace: tookMs < 3_000, graceExpiredLogged }).toEqual({
      outcome: 'stopped',
      withinGrace: true,
      graceExpiredLogged: true,
    });
  });

  it('stops a round at the first DM Slack turns away, and tries that link again at the next round', async () => {
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      reminderPeriodMs: 1_000,
      env: { PAYLINK_REMIND_AFTER: '72h' },
    });
    for (const n of Array.from({ length: 60 }, (_, index) => index)) {
      await app.paylink.ledger.claimSubmission(newLink({ createdAt: clock.now(), paymentReference: `F-${n}` }));
    }
    await app.paylink.ledger.db.updateTable('links').set({ state: 'created', link: 'https://pay.example/x' }).execute();
    app.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 3600 }, 1_000);
    clock.advance(73 * HOURS);
    await app.standin.waitForCall('conversations.open', undefined, 3_000);
    await settle(500); // within the first round's second
    const postponed = () =>
      app.logs.filter((line) => line.includes('"reminder_postponed"')).map((line) => JSON.parse(line).link);
    expect(app.standin.callsTo('conversations.open')).toHaveLength(1);
    await app.standin.waitForCall(
      'conversations.open',
      () => app.standin.callsTo('conversations.open').length === 2,
      3_000,
    );
    // The second round's postponement is logged once Slack has answered its conversations.open.
    await app.waitForLog('reminder_postponed', 2);
    const [first, second] = postponed();
    expect({ rounds: postponed().length, sameLink: first === second }).toEqual({ rounds: 2, sameLink: true });
  });

  it('never reminds a link that expired with no status, and App Home and `list open` no longer count it awaiting', async () => {
    const clock = movableClock();
    const app = await start(clock.now, {
      env: { PAYLINK_REMIND_AFTER: '36h', SAFEDEBIT_LINK_DURATION: '2', SAFEDEBIT_LINK_DURATION_UNIT: 'days' },
    });
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-EXPIRED' });
    const { callbackUrl: issued } = await app.createLink({ ...VALID_FORM, payment_reference: 'F-ISSUED' });
    expect(await app.notify(issued, 'ISSUED')).toBe(200);
    clock.advance(24 * HOURS);
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-RECENT' });

    // F-EXPIRED is 49 h old, past its 2 days: no DM. F-ISSUED too, but a debit is under way: it is still reminded.
    clock.advance(25 * HOURS);
    await expect.poll(() => reminders(app).length).toBe(1);
    // F-RECENT is due (37 h) and still payable (11 h left).
    clock.advance(12 * HOURS);
    await expect.poll(() => reminders(app).length).toBe(2);
    await settle();
    const reminded = reminders(app).map((call) => String(call.args.text));
    expect(reminded).toEqual([expect.stringContaining('F-ISSUED'), expect.stringContaining('F-RECENT')]);

    await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id));
    const home = visibleText((await app.standin.waitForCall('views.publish')).args.view);
    expect(home).toContain('*Awaiting payment*\n2 links · €2,501.00');
    expect(home).toMatch(
      new RegExp(
        String.raw`F-EXPIRED · Jean Dupont\n:no_entry_sign: Expired unpaid · <!date\^\d+\^\{date_short\}, \{time\}\|${DATE_SHOWN}>\n`,
      ),
    );
    expect(home).toMatch(/F-RECENT · Jean Dupont\n:hourglass: Awaiting payment · /);

    const responseUrl = app.standin.responseUrl();
    await sendSlashCommand(app.baseUrl, SIGNING_SECRET, {
      text: 'list open',
      user_id: SALES_REP.id,
      user_name: SALES_REP.username,
      response_url: responseUrl,
    });
    const open = visibleText((await app.standin.waitForResponse((post) => post.url === responseUrl)).body);
    expect(open).toContain('F-RECENT');
    expect(open).toContain('F-ISSUED');
    expect(open).not.toContain('F-EXPIRED');
  });

  it('says a 72h reminder came 3 days after its link across the autumn clock change, the process in Europe/Paris', async () => {
    // TZ=Europe/Paris, as an admin sets it: Node then runs in that zone too, where Sunday 25 October 2026 lasts 25 hours.
    const zoneBefore = process.env.TZ;
    process.env.TZ = 'Europe/Paris';
    try {
      const clock = movableClock();
      clock.advance(Date.parse('2026-10-23T10:00:00Z') - clock.now().getTime()); // Friday, 12:00 in Paris
      const app = await start(clock.now, { env: { TZ: 'Europe/Paris' } });
      await app.createLink();
      clock.advance(72.5 * HOURS);
      await expect.poll(() => reminders(app).length).toBe(1);
      expect(visibleText(reminders(app)[0]?.args)).toContain(
        'This payment link is still awaiting payment, 3 days after it was created:',
      );
    } finally {
      if (zoneBefore === undefined) delete process.env.TZ;
      else process.env.TZ = zoneBefore;
    }
  });

  it('waits for a link to reach its rep: none for a link made but never given, or whose summary went out without it', async () => {
    // PAYLINK_REMIND_AFTER may be shorter than the late-delivery round's delay (35 and 41 minutes at the defaults):
    // a reminder must not be the rep's first word of a link, with no link in it.
    const clock = movableClock();
    const app = await start(clock.now, { env: { PAYLINK_REMIND_AFTER: '30m' } });
    const ledger = app.paylink.ledger;
    const address = (reference: string) => `https://pay.safedebit.example/paypage?SDESSID=${reference}`;
    const made = async (reference: string) => {
      const id = await ledger.claimSubmission(
        newLink({ createdAt: clock.now(), userId: SALES_REP.id, paymentReference: reference }),
      );
      if (id === undefined) throw new Error('not claimed');
      await ledger.recordOutcome(id, { state: 'created', link: address(reference) });
      return id;
    };
    await ledger.recordSentPrivately(await made('F-GIVEN'), address('F-GIVEN'));
    // SAFEDEBIT's link recorded, then the instance stopped: no summary, no link anywhere.
    await made('F-NEVER');
    // Its summary posted where asked, the link itself given nowhere.
    const alone = await made('F-ALONE');
    await ledger.recordSummary(
      alone,
      { channel: SALES_CHANNEL.id, ts: '1700000000.000100', threadTs: '1700000000.000100' },
      null,
      address('F-ALONE'),
      false,
    );
    const marks = await ledger.db.selectFrom('links').select(['payment_reference', 'undelivered_to_rep']).execute();
    expect(Object.fromEntries(marks.map((row) => [row.payment_reference, row.undelivered_to_rep]))).toEqual({
      'F-GIVEN': 0,
      'F-NEVER': 1,
      'F-ALONE': 2,
    });

    clock.advance(31 * 60_000);
    expect(31 * 60_000).toBeLessThan(undeliveredAfterMs(1500));
    await expect.poll(() => reminders(app).length).toBe(1);
    await settle();
    expect(reminders(app).map((call) => String(call.args.text))).toEqual([expect.stringContaining('F-GIVEN')]);
  });

  it('is off without PAYLINK_REMIND_AFTER', async () => {
    const clock = movableClock();
    const app = await start(clock.now, { env: { PAYLINK_REMIND_AFTER: '' } });
    await app.createLink();
    clock.advance(365 * 24 * HOURS);
    await settle();
    expect(reminders(app)).toEqual([]);
  });
});
