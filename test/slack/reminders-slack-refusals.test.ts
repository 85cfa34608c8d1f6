import { describe, expect, it } from 'vitest';
import { testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import { VALID_FORM } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';

const HOURS = 3_600_000;
const PERIOD_MS = 40;
const isReminder = (call: SlackApiCall) => String(call.args.text).includes(':alarm_clock: This payment link is ');
const settle = (ms = PERIOD_MS * 10) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Slack answers `{ok: false}` for reasons that say nothing about the DM: Slack itself unwell (`service_unavailable`,
 * which this project's status round already treats as "tried again at every round"), or the bot token refused until
 * an admin fixes it (`invalid_auth`, `token_revoked`, `missing_scope` for im:write). conversations.open posts nothing,
 * so the DM was certainly not taken; the status round says an auth problem "an admin may fix" is tried again.
 */
const NOT_ABOUT_THE_DM = ['service_unavailable', 'invalid_auth', 'token_revoked', 'missing_scope'];

describe('reminders, when Slack refuses the DM for a reason about every call, which may pass', () => {
  const harnesses = testHarnesses('sqlite');

  it.each(NOT_ABOUT_THE_DM)(
    'conversations.open answering %s for two rounds: every due link is still reminded once Slack takes DMs again',
    async (refusal) => {
      const clock = movableClock();
      const app = await harnesses.start({
        clock: clock.now,
        reminderPeriodMs: PERIOD_MS,
        env: { PAYLINK_REMIND_AFTER: '72h' },
      });
      for (const reference of ['F-A', 'F-B', 'F-C'])
        await app.createLink({ ...VALID_FORM, payment_reference: reference });
      // Slack refuses the next two attempts to open the rep's DM (two rounds, since a round stops at such a refusal).
      app.standin.failNext('conversations.open', refusal, 2);

      clock.advance(73 * HOURS);
      await app.waitForLog('reminder_not_sent', 2, 5_000).catch(() => undefined);
      await settle();
      const reminded = app.standin
        .callsTo('chat.postMessage')
        .filter(isReminder)
        .map((call) => String(call.args.text).match(/F-[ABC]/)?.[0])
        .sort();
      // Nothing reached the rep for two of them, and Slack takes DMs again: each link earns its one reminder.
      expect(reminded).toEqual(['F-A', 'F-B', 'F-C']);
    },
  );
});
