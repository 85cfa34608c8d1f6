import { describe, expect, it } from 'vitest';
import { testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import { VALID_FORM } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_REP, type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

const GONE_REP: SlackUser = { id: 'U0GONE', username: 'gone.rep', name: 'gone.rep', team_id: TEAM_ID };
const HOURS = 3_600_000;
/** Long enough that waiting several rounds shows; PAYLINK_REMIND_AFTER=72h makes it 5 minutes in production. */
const PERIOD_MS = 1_500;

const isReminder = (call: SlackApiCall) => String(call.args.text).includes('still awaiting payment');

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
      const clock = movableClock();
      const app = await harnesses.start({
        clock: clock.now,
        reminderPeriodMs: PERIOD_MS,
        env: { PAYLINK_REMIND_AFTER: '72h' },
      });
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
