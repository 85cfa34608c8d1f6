import { describe, expect, it } from 'vitest';
import { abandonedAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { refuseWhen } from '../support/ledger-faults.js';
import { movableClock } from '../support/movable-clock.js';
import { VALID_FORM, visibleText } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';

/**
 * The ledger refuses the write of SAFEDEBIT's link once (a failover, a locked SQLite file) while Slack puts the summary
 * off (a rate limit): the write is tried again meanwhile, so the link is `created` long before it could be taken for an
 * interrupted one. Before, it was tried again only after the Slack calls, and the interrupted-links round told the rep
 * "paylink stopped while SAFEDEBIT was creating this payment link" while the live flow was about to post it.
 */
describe.each(ENGINES)(
  'a live link whose answer the ledger refused once, Slack putting its summary off (%s)',
  (engine) => {
    const harnesses = testHarnesses(engine);

    it('is recorded while Slack is waited for, not taken for an interrupted one, and reaches the rep once', async () => {
      const clock = movableClock();
      const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
      const ledger = app.paylink.ledger as Ledger;
      let refused = 0;
      refuseWhen(ledger, 'recordOutcome', (_, outcome) => outcome.state === 'created' && refused++ < 1);
      app.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 3 });
      const { view } = await app.openModal();
      await app.submit(view, VALID_FORM);
      await app.waitForLog('slack_rate_limited');
      const row = async () => (await ledger.db.selectFrom('links').selectAll().execute())[0];
      await expect.poll(async () => (await row())?.state, { timeout: 2_500 }).toBe('created');
      // The flow still waits on Slack as the abandonment delay passes.
      clock.advance(abandonedAfterMs(1500) + 1_000);
      await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('SDESSID='), 8_000);
      clock.advance(undeliveredAfterMs(1500));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const isNotice = (call: SlackApiCall) => String(call.args.channel).startsWith('D');
      expect(app.standin.callsTo('chat.postMessage').filter(isNotice)).toEqual([]);
      expect(app.logs.filter((line) => line.includes('"event":"link_interrupted"'))).toEqual([]);
      expect(await row()).toMatchObject({ state: 'created', undelivered_to_rep: 0, summary_ts: expect.any(String) });
    }, 20_000);

    it('sent privately, its two writes kept for the rounds: once the ledger is back, the round does not send it again', async () => {
      const clock = movableClock();
      const app = await harnesses.start({
        clock: clock.now,
        interruptedLinksPeriodMs: 30,
        ledgerRetryDelaysMs: [10, 10],
      });
      const ledger = app.paylink.ledger as Ledger;
      let refusing = true;
      let outcomeRefusals = 0;
      refuseWhen(
        ledger,
        'recordOutcome',
        (_, outcome) => outcome.state === 'created' && (refusing || outcomeRefusals++ < 1),
      );
      refuseWhen(ledger, 'recordSentPrivately', () => refusing);
      // Slack refuses the summary: the link reaches the rep through the response_url.
      app.standin.failNext('chat.postMessage', 'internal_error', 1);
      const { view } = await app.openModal();
      await app.submit(view, VALID_FORM);
      await app.waitForLog((entry) => entry.event === 'ledger_write_abandoned' && entry.step === 'sent_privately');
      // The ledger back, refusing the link's write once more: a round recording it after the private one would say the
      // rep never had the link.
      refusing = false;
      await app.waitForLog('recorded_late');
      clock.advance(undeliveredAfterMs(1500) + 60_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const isDm = (call: SlackApiCall) => String(call.args.channel).startsWith('D');
      expect(app.standin.callsTo('chat.postMessage').filter(isDm)).toEqual([]);
      const [row] = await ledger.db.selectFrom('links').selectAll().execute();
      expect(row).toMatchObject({ state: 'created', undelivered_to_rep: 0 });
    }, 20_000);
  },
);
