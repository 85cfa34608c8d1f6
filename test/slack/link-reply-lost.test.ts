import { describe, expect, it } from 'vitest';
import { undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, VALID_FORM } from '../support/paylink-harness.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

/**
 * The summary posted where the rep asked, then its link reaching the rep nowhere: the reply in its thread, the private
 * fallback (response_url, DM) and the modal all failing, or cut by a stop whose grace ran out. The ledger keeps the link
 * as not given, and the round for links never given sends it by itself in the rep's DM, the summary staying where its
 * statuses go. Before, the summary's place was recorded as if the rep had the link, and no round ever gave it.
 */
describe.each(ENGINES)('a summary posted, its link then reaching the rep nowhere (%s)', (engine) => {
  const harnesses = testHarnesses(engine);
  const dmsWithLink = (app: Harness) =>
    app.standin
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.channel).startsWith('D') && JSON.stringify(call.args).includes('SDESSID='));

  async function linkGivenLate(app: Harness, clock: ReturnType<typeof movableClock>) {
    clock.advance(undeliveredAfterMs(1500) + 60_000);
    await expect.poll(() => dmsWithLink(app).length, { timeout: 4_000 }).toBe(1);
    const [dm] = dmsWithLink(app);
    expect(String(dm?.args.text)).toContain('The summary of this payment link was posted, but the link itself never');
    const [link] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    // The summary where the rep asked stays the link's: its statuses go on there.
    expect(link).toMatchObject({ summary_channel: SALES_CHANNEL.id, undelivered_to_rep: 0 });
    await app.waitForLog('link_delivered_late');
  }

  const LIMITED = { status: 429, retryAfterSeconds: 120 } as const;

  /**
   * A link submitted while Slack rate-limits its reply and the private fallback past the client's waits (the response_url
   * long expired), with the modal closed by then or not: once the flow is over, the ledger's row of the link.
   */
  async function submittedWithReplyLimited(modalClosed: boolean) {
    const clock = movableClock();
    const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    const { view } = await app.openModal({ response_url: app.standin.apiUrl.replace(/api\/$/, 'response/expired') });
    app.standin.failNext('chat.postMessage', LIMITED, 1, (args) => args.thread_ts !== undefined);
    app.standin.failNext('conversations.open', LIMITED, 1);
    if (modalClosed) app.standin.failNext('views.update', 'not_found', 1);
    const row = async () => (await app.paylink.ledger.db.selectFrom('links').selectAll().execute())[0];
    // The summary's place is recorded before the modal is tried: an instance of the release before, during a rolling
    // upgrade, takes a link still unrecorded after seven Slack calls for one whose instance stopped.
    let atModal: ReturnType<typeof row> | undefined;
    app.standin.onCall((call) => {
      if (call.method === 'views.update' && JSON.stringify(call.args).includes('SDESSID=')) atModal ??= row();
    });
    await app.submit(view, VALID_FORM);
    await app.waitForLog('rep_unreachable');
    if (modalClosed) await app.waitForLog('views_update_failed');
    else await app.waitForViewUpdate(view.id, (shown) => JSON.stringify(shown).includes('SDESSID='));
    expect(app.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(1);
    expect(await atModal).toMatchObject({ summary_channel: SALES_CHANNEL.id, undelivered_to_rep: 2 });
    await expect.poll(async () => (await row())?.summary_channel).toBe(SALES_CHANNEL.id);
    return { app, clock, row };
  }

  it('Slack rate-limiting the reply and the DM past the client’s waits, the modal closed: the link comes late', async () => {
    const { app, clock, row } = await submittedWithReplyLimited(true);
    expect(await row()).toMatchObject({ undelivered_to_rep: 2 });
    // Slack still rate-limiting at the round's first try: given back, and sent at the next.
    app.standin.failNext('conversations.open', LIMITED, 1);
    await linkGivenLate(app, clock);
    await app.waitForLog('late_link_postponed');
  }, 20_000);

  it('the same, but the modal still open: the modal shows the link, and no DM follows', async () => {
    const { app, clock, row } = await submittedWithReplyLimited(false);
    expect(await row()).toMatchObject({ undelivered_to_rep: 0 });
    clock.advance(undeliveredAfterMs(1500) + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dmsWithLink(app)).toEqual([]);
  }, 20_000);

  it('a stop whose grace runs out while the link reply is in flight: the next instance gives the link late', async () => {
    const clock = movableClock();
    const a = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    const { view } = await a.openModal();
    // Slack takes a second to answer each post: the stop cuts the reply under way.
    a.standin.setDelay('chat.postMessage', 1_000);
    await a.submit(view, VALID_FORM);
    await a.standin.waitForCall('chat.postMessage', (call) => call.args.thread_ts !== undefined);
    await a.paylink.stop(100);
    await a.waitForLog('shutdown_grace_expired');
    await harnesses.stop(a);
    const b = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    await linkGivenLate(b, clock);
  }, 20_000);
});
