import { describe, expect, it } from 'vitest';
import { abandonedAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import type { Harness } from '../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * A round claims a link left behind (a link never given to its rep, or one interrupted while SAFEDEBIT answered), then
 * DMs its rep. Stopped (a SIGTERM, a rolling deploy) while that DM waits out a Slack rate limit, the instance's grace
 * runs out: the cut ends the wait as a DM never sent, and the round gives the link back before the ledger closes, for
 * the next instance to announce. Before, the claim was kept for good, and no round ever claimed the link again.
 */
const SAFEDEBIT_TIMEOUT_MS = 1500;
const LINK = 'https://pay.example/paypage?SDESSID=left-behind-at-stop';

describe.each(ENGINES)('a round stopped while its DM waits out a Slack rate limit (%s)', (engine) => {
  const harnesses = testHarnesses(engine);

  /** A link left behind, claimed by a round of `a` whose DM Slack rate-limits for a minute, then `a` stopped cut. */
  async function claimedAtStop(made: boolean) {
    const clock = movableClock();
    const start = () => harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    const a = await start();
    const id = await a.paylink.ledger.claimSubmission(
      newLink({ createdAt: clock.now(), userId: SALES_REP.id, originChannel: SALES_CHANNEL.id }),
    );
    if (id === undefined) throw new Error('not claimed');
    if (made) await a.paylink.ledger.recordOutcome(id, { state: 'created', link: LINK });
    a.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 60 });
    clock.advance((made ? undeliveredAfterMs : abandonedAfterMs)(SAFEDEBIT_TIMEOUT_MS) + 1_000);
    await a.waitForLog('slack_rate_limited');
    await a.paylink.stop(300);
    await a.waitForLog('shutdown_grace_expired');
    await harnesses.stop(a);
    const next: Harness = await start();
    const dms = () =>
      next.standin.callsTo('chat.postMessage').filter((call) => String(call.args.channel).startsWith('D'));
    return { id, next, dms };
  }

  it('a link SAFEDEBIT made that its rep never had: given back, then announced by the next instance', async () => {
    const { dms } = await claimedAtStop(true);
    await expect
      .poll(() => dms().some((call) => JSON.stringify(call.args).includes(LINK)), { timeout: 4_000 })
      .toBe(true);
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
