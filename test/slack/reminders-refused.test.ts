import { describe, expect, it } from 'vitest';
import { type TestHarnesses, testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import { VALID_FORM } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_REP, type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

const GONE_REP: SlackUser = { id: 'U0GONE', username: 'gone.rep', name: 'gone.rep', team_id: TEAM_ID };
const HOURS = 3_600_000;
/** Long enough that waiting several rounds shows; PAYLINK_REMIND_AFTER=72h makes it 5 minutes in production. */
const PERIOD_MS = 1_500;

const isReminder = (call: SlackApiCall) => String(call.args.text).includes('still awaiting payment');

/** An instance reminding of links unpaid after 72 h, its rounds every `periodMs`, on a clock the test moves. */
async function remindingInstance(harnesses: TestHarnesses, periodMs: number) {
  const clock = movableClock();
  const app = await harnesses.start({
    clock: clock.now,
    reminderPeriodMs: periodMs,
    env: { PAYLINK_REMIND_AFTER: '72h' },
  });
  return { app, clock };
}

/**
 * Slack's refusals of a DM about that rep alone: their account deactivated, or hidden from the app (a rep moved to
 * another workspace of the org, an information barrier).
 */
const REFUSALS_ABOUT_THE_REP = ['user_not_found', 'user_not_visible'];

describe('reminders, when a rep has left the workspace', () => {
  const harnesses = testHarnesses('sqlite');

  it.each(REFUSALS_ABOUT_THE_REP)(
    "their links' DMs, refused for good (%s), do not hold back the other reps' reminders by a round each",
    async (refusal) => {
      const { app, clock } = await remindingInstance(harnesses, PERIOD_MS);
      // The rep who left had three links still unpaid, older than the one of the rep still here.
      for (const reference of ['F-GONE-1', 'F-GONE-2', 'F-GONE-3'])
        await app.createLink({ ...VALID_FORM, payment_reference: reference }, GONE_REP);
      await app.createLink({ ...VALID_FORM, payment_reference: 'F-HERE' }, SALES_REP);
      // Slack refuses their DM for good: one refusal per link of theirs.
      app.standin.failNext('conversations.open', refusal, 3);

      clock.advance(73 * HOURS);
      // One round sends every reminder it can: the rep still here gets theirs at the next round, not three rounds later.
      await expect
        .poll(() => app.standin.callsTo('chat.postMessage').filter(isReminder).length, {
          timeout: PERIOD_MS * 1.6,
          interval: 50,
        })
        .toBe(1);
      expect(app.logs.filter((line) => line.includes('"reminder_not_sent"'))).toHaveLength(3);
    },
  );
});

/**
 * Slack answers `{ok: false}` for reasons about every call rather than the DM: Slack itself unwell
 * (`service_unavailable`), or the bot token refused until an admin fixes it (`invalid_auth`, `token_revoked`,
 * `missing_scope` for im:write). conversations.open posts nothing: the DM was certainly not taken, and may be later.
 */
const REFUSALS_OF_EVERY_CALL = ['service_unavailable', 'invalid_auth', 'token_revoked', 'missing_scope'];

describe('reminders, when Slack refuses the DM for a reason about every call, which may pass', () => {
  const harnesses = testHarnesses('sqlite');
  const QUICK_PERIOD_MS = 40;

  it.each(REFUSALS_OF_EVERY_CALL)(
    'conversations.open answering %s for two rounds: every due link is still reminded once Slack takes DMs again',
    async (refusal) => {
      const { app, clock } = await remindingInstance(harnesses, QUICK_PERIOD_MS);
      for (const reference of ['F-A', 'F-B', 'F-C'])
        await app.createLink({ ...VALID_FORM, payment_reference: reference });
      // Two rounds refused, since a round stops at such a refusal.
      app.standin.failNext('conversations.open', refusal, 2);

      clock.advance(73 * HOURS);
      const reminded = () =>
        app.standin
          .callsTo('chat.postMessage')
          .filter(isReminder)
          .map((call) => String(call.args.text).match(/F-[ABC]/)?.[0])
          .sort();
      await expect.poll(reminded, { timeout: 5_000 }).toEqual(['F-A', 'F-B', 'F-C']);
      const logged = () =>
        app.logs.map((line) => JSON.parse(line) as { event: string; level: string; error?: unknown });
      // Logged once the round that sent the last reminder ends, which may be a moment after that DM.
      const recovered = () => logged().filter((entry) => entry.event === 'reminders_recovered').length;
      if (refusal !== 'service_unavailable') await expect.poll(recovered, { timeout: 5_000 }).toBe(1);
      const events = logged();
      if (refusal === 'service_unavailable') {
        expect(events.filter((entry) => entry.event === 'reminder_postponed')).toHaveLength(2);
      } else {
        // Slack refusing paylink itself, which only an admin ends: the round fails with it, said once as an error.
        expect(events.filter((entry) => entry.event === 'reminder_postponed')).toEqual([]);
        expect(events.filter((entry) => entry.event === 'reminders_failed')).toMatchObject([
          { level: 'error', error: expect.stringContaining(`Slack refuses paylink's calls (${refusal})`) },
        ]);
      }
    },
  );

  it('the bot token revoked for many rounds: one error an admin is alerted to, not a warning at every round', async () => {
    const { app, clock } = await remindingInstance(harnesses, QUICK_PERIOD_MS);
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-A' });
    let revoked = true;
    for (const method of ['conversations.open', 'chat.getPermalink']) {
      app.standin.failNext(method, 'token_revoked', 10_000, () => revoked);
    }
    clock.advance(73 * HOURS);
    await expect.poll(() => app.standin.callsTo('conversations.open').length, { timeout: 10_000 }).toBeGreaterThan(20);
    revoked = false;
    await expect.poll(() => app.standin.callsTo('chat.postMessage').filter(isReminder).length).toBe(1);
    const aboutToken = app.logs
      .map((line) => JSON.parse(line) as { event: string; level: string })
      .filter((entry) => entry.level !== 'info' && JSON.stringify(entry).includes('token_revoked'));
    expect(aboutToken.map(({ event, level }) => `${level} ${event}`)).toEqual(['error reminders_failed']);
  });
});
