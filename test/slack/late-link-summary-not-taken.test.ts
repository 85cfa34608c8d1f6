import { describe, expect, it } from 'vitest';
import { undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import { visibleText } from '../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * A link SAFEDEBIT made whose instance was killed before its rep had it is given late by a round: claimed (the mark
 * saying the rep has it not cleared), its summary posted in the rep's DM, then the link in that summary's thread. When
 * Slack answers the summary's post with a 504 (it may have posted it, and here did), the summary is not posted again,
 * but the link comes by itself in the DM, once, as the link flow gives it privately when its summary fails.
 */
const PERIOD_MS = 30;
const SAFEDEBIT_TIMEOUT_MS = 1500; // the harness's
const LINK = 'https://pay.example/paypage?SDESSID=left-behind-504';

describe.each(ENGINES)('a link given late whose summary Slack answered 504 in the rep’s DM (%s)', (engine) => {
  const harnesses = testHarnesses(engine);

  it('reaches its rep all the same, by itself, once', async () => {
    const clock = movableClock();
    const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: PERIOD_MS });
    // What an instance killed after recording SAFEDEBIT's link, before posting anything, leaves behind.
    const id = await app.paylink.ledger.claimSubmission(
      newLink({ createdAt: clock.now(), userId: SALES_REP.id, originChannel: SALES_CHANNEL.id }),
    );
    if (id === undefined) throw new Error('not claimed');
    await app.paylink.ledger.recordOutcome(id, { state: 'created', link: LINK });

    // The summary in the rep's DM (a top-level post with attachments, not in the channel): 504, carried out.
    app.standin.failNext(
      'chat.postMessage',
      { status: 504, carriedOut: true },
      1,
      (args) => args.attachments !== undefined && args.thread_ts === undefined && args.channel !== SALES_CHANNEL.id,
    );
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
    await app.waitForLog('late_link_not_sent');
    // The modal, closed long ago, could not show it either.
    await app.waitForLog('late_link_modal_not_updated');
    // Many more rounds, hours later.
    for (let i = 0; i < 5; i++) {
      clock.advance(60 * 60_000);
      await new Promise((resolve) => setTimeout(resolve, PERIOD_MS * 8));
    }
    // The modal was closed long ago (Slack refuses views.update of a view that is gone): only what was posted counts.
    const toRep = [
      ...app.standin.callsTo('chat.postMessage').map((call) => visibleText(call.args)),
      ...app.standin.responses.map((post) => visibleText(post.body)),
    ];
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({ undelivered_to_rep: 0 });
    expect(toRep.filter((text) => text.includes(LINK))).toHaveLength(1);
    expect(app.logs.filter((line) => line.includes('"event":"late_link_sent_apart"'))).toHaveLength(1);
  }, 30_000);
});
