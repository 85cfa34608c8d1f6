import { describe, expect, it } from 'vitest';
import { abandonedAfterMs, linkAloneAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { refuseWhen } from '../support/ledger-faults.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import type { Harness } from '../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * A round claims a link left behind (a link never given to its rep, or one interrupted while SAFEDEBIT answered), then
 * DMs its rep (for a link never given, its summary, then the link in its thread or, failing that, by itself). Stopped (a SIGTERM, a rolling deploy) while that DM waits out a Slack rate limit, the instance's grace
 * runs out: the cut ends the wait as a DM never sent, and the round gives the link back before the ledger closes, for
 * the next instance to announce. Before, the claim was kept for good, and no round ever claimed the link again; and a
 * summary posted whose link the cut kept from the rep was recorded as given, its link never sent.
 */
const SAFEDEBIT_TIMEOUT_MS = 1500;
const LINK = 'https://pay.example/paypage?SDESSID=left-behind-at-stop';

describe.each(ENGINES)('a round stopped while its DM waits out a Slack rate limit (%s)', (engine) => {
  const harnesses = testHarnesses(engine);

  /**
   * A link left behind, claimed by a round of `a` whose DM Slack rate-limits for a minute (or, with `replyLimited`, the
   * reply carrying the link in the thread of the summary the round posted in the DM), then `a` stopped cut.
   */
  async function claimedAtStop(made: boolean, replyLimited = false, releaseRefusedOnce = false) {
    const clock = movableClock();
    const start = () => harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30, ledgerRetryDelaysMs: [500] });
    const a = await start();
    let releases = 0;
    if (releaseRefusedOnce) refuseWhen(a.paylink.ledger, 'releaseUndeliveredLink', () => releases++ < 1);
    const id = await a.paylink.ledger.claimSubmission(
      newLink({ createdAt: clock.now(), userId: SALES_REP.id, originChannel: SALES_CHANNEL.id }),
    );
    if (id === undefined) throw new Error('not claimed');
    if (made) await a.paylink.ledger.recordOutcome(id, { state: 'created', link: LINK });
    const limited = { status: 429, retryAfterSeconds: 60 } as const;
    if (replyLimited) a.standin.failNext('chat.postMessage', limited, 1, (args) => args.thread_ts !== undefined);
    else a.standin.failNext('conversations.open', limited);
    clock.advance((made ? undeliveredAfterMs : abandonedAfterMs)(SAFEDEBIT_TIMEOUT_MS) + 1_000);
    await a.waitForLog('slack_rate_limited');
    await a.paylink.stop(300);
    await a.waitForLog('shutdown_grace_expired');
    await harnesses.stop(a);
    const next: Harness = await start();
    const dms = () =>
      next.standin.callsTo('chat.postMessage').filter((call) => String(call.args.channel).startsWith('D'));
    return { id, next, dms, clock };
  }

  it('a link SAFEDEBIT made that its rep never had: given back, then announced by the next instance', async () => {
    const { dms } = await claimedAtStop(true);
    await expect
      .poll(() => dms().some((call) => JSON.stringify(call.args).includes(LINK)), { timeout: 4_000 })
      .toBe(true);
  }, 20_000);

  it('the ledger refusing the claim’s release once: tried again within the stop’s last seconds, then announced', async () => {
    const { dms } = await claimedAtStop(true, false, true);
    await expect
      .poll(() => dms().some((call) => JSON.stringify(call.args).includes(LINK)), { timeout: 4_000 })
      .toBe(true);
  }, 20_000);

  it('its summary posted in the DM, the reply carrying the link cut: the next instance sends the link by itself', async () => {
    const { next, dms, clock } = await claimedAtStop(true, true);
    // The summary went to the DM; the link, neither in its thread nor apart (the cut ends that call too).
    clock.advance(linkAloneAfterMs(SAFEDEBIT_TIMEOUT_MS));
    await expect
      .poll(() => dms().filter((call) => JSON.stringify(call.args).includes(LINK)), { timeout: 4_000 })
      .toEqual([
        expect.objectContaining({
          args: expect.objectContaining({
            text: expect.stringContaining('The summary of this payment link was posted, but the link itself never'),
          }),
        }),
      ]);
    await next.waitForLog('link_delivered_late');
  }, 20_000);

  it('a link interrupted while SAFEDEBIT answered: given back, then its rep told by the next instance', async () => {
    const { id, next, dms } = await claimedAtStop(false);
    await expect
      .poll(() => dms().some((call) => String(call.args.text).includes('paylink stopped while SAFEDEBIT')), {
        timeout: 4_000,
      })
      .toBe(true);
    expect(await next.paylink.ledger.findLink(id)).toMatchObject({ state: 'interrupted' });
  }, 20_000);
});
