import { describe, expect, it } from 'vitest';
import { undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { testHarnesses } from '../support/harnesses.js';
import { refuseWhen } from '../support/ledger-faults.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import type { Harness } from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * The host's network drops for a few seconds right after a round claimed a link (a DM to send): Slack cannot be
 * reached (the DM surely not taken: "sent at the next round") and neither can the ledger, which refuses to give the
 * claim back past the write's retries. Then the network is back, with no restart.
 */
const HOURS = 3_600_000;
const PERIOD_MS = 30;
const SAFEDEBIT_TIMEOUT_MS = 1500;
const LINK = 'https://pay.example/paypage?SDESSID=left-behind';
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Release = 'releaseReminder' | 'releaseUndeliveredLink' | 'releaseInterruptedLink';
type Claim = 'claimDueReminders' | 'claimUndeliveredLinks' | 'claimInterruptedLinks';

/** After the first claim that returns a link, Slack and the ledger are out of reach until `back()`. */
function networkDropsAfter(app: Harness, claim: Claim, release: Release) {
  const ledger = app.paylink.ledger as Ledger;
  let down = false;
  let dropped = false;
  type Claiming = (...args: unknown[]) => Promise<unknown[]>;
  const claimed = (ledger[claim] as Claiming).bind(ledger);
  (ledger as unknown as Record<Claim, Claiming>)[claim] = async (...args) => {
    const links = await claimed(...args);
    if (links.length > 0 && !dropped) {
      dropped = true;
      down = true;
    }
    return links;
  };
  refuseWhen(ledger, release, () => down);
  app.standin.failNext('conversations.open', 'service_unavailable', 1_000, () => down);
  return {
    back: () => {
      down = false;
    },
  };
}

const dmsSaying = (app: Harness, words: string) =>
  app.standin
    .callsTo('chat.postMessage')
    .filter(
      (call: SlackApiCall) => String(call.args.channel).startsWith('D') && String(call.args.text).includes(words),
    );

describe('a DM a round claimed, when Slack and the ledger drop out together for a few seconds', () => {
  const harnesses = testHarnesses('sqlite');

  it('a due reminder is still sent once both are back, without a restart', async () => {
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      reminderPeriodMs: PERIOD_MS,
      ledgerRetryDelaysMs: [10, 20],
      env: { PAYLINK_REMIND_AFTER: '72h' },
    });
    await app.createLink();
    const network = networkDropsAfter(app, 'claimDueReminders', 'releaseReminder');
    clock.advance(73 * HOURS);
    await app.waitForLog('reminder_postponed');
    await app.waitForLog((entry) => entry.event === 'ledger_write_abandoned' && entry.step === 'release_claim');
    network.back();

    // Slack and the ledger take everything again: the reminder put off is sent at a later round.
    await settle(PERIOD_MS * 40);
    expect(dmsSaying(app, 'still awaiting payment')).toHaveLength(1);
  });

  it('a link SAFEDEBIT made that its rep never had still reaches them once both are back, without a restart', async () => {
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      interruptedLinksPeriodMs: PERIOD_MS,
      statusRoundPeriodMs: PERIOD_MS,
      ledgerRetryDelaysMs: [10, 20],
    });
    // An instance killed after recording SAFEDEBIT's link, before posting anything.
    const id = await app.paylink.ledger.claimSubmission(
      newLink({ createdAt: clock.now(), userId: SALES_REP.id, originChannel: SALES_CHANNEL.id }),
    );
    await (app.paylink.ledger as Ledger).recordOutcome(id as string, { state: 'created', link: LINK });
    const network = networkDropsAfter(app, 'claimUndeliveredLinks', 'releaseUndeliveredLink');
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS, [10, 20]) + 60_000);
    await app.waitForLog('late_link_postponed');
    await app.waitForLog((entry) => entry.event === 'ledger_write_abandoned' && entry.step === 'release_claim');
    network.back();

    await settle(PERIOD_MS * 40);
    // The rep was never given the link SAFEDEBIT made (and may have sent the customer): it must still come.
    const link = await app.paylink.ledger.findLink(id as string);
    expect({ summary_ts: link?.summary_ts ?? null, undelivered_to_rep: link?.undelivered_to_rep }).toEqual({
      summary_ts: expect.any(String),
      undelivered_to_rep: 0,
    });
    expect(
      app.standin.callsTo('chat.postMessage').filter((call) => JSON.stringify(call.args).includes(LINK)),
    ).toHaveLength(1);
  });

  it('an interrupted link still earns its rep the DM once both are back, without a restart', async () => {
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      interruptedLinksPeriodMs: PERIOD_MS,
      ledgerRetryDelaysMs: [10, 20],
    });
    const id = await app.paylink.ledger.claimSubmission(
      newLink({ createdAt: clock.now(), userId: SALES_REP.id, originChannel: SALES_CHANNEL.id }),
    );
    const network = networkDropsAfter(app, 'claimInterruptedLinks', 'releaseInterruptedLink');
    clock.advance(10 * 60_000);
    await app.waitForLog('interrupted_notice_postponed');
    await app.waitForLog((entry) => entry.event === 'ledger_write_abandoned' && entry.step === 'release_claim');
    network.back();

    await settle(PERIOD_MS * 40);
    expect(dmsSaying(app, 'paylink stopped while SAFEDEBIT')).toHaveLength(1);
    expect(app.logs.filter((line) => line.includes('"link_interrupted"') && line.includes(String(id)))).toHaveLength(1);
  });
});
