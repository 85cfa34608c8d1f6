import { describe, expect, it } from 'vitest';
import { linkAloneAfterMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { LONGEST_CALL_MS } from '../../src/slack/web-api.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { refuseWhen } from '../support/ledger-faults.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
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
    clock.advance(linkAloneAfterMs(1500) + 1_000);
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
    // Slack answers the update half a second later, so that the row is read before the flow, answered, records it
    // given (on a busy machine, the read started at the call came after that write on PostgreSQL).
    app.standin.setDelay('views.update', 500);
    app.standin.onCall((call) => {
      if (call.method === 'views.update' && JSON.stringify(call.args).includes('SDESSID=')) atModal ??= row();
    });
    await app.submit(view, VALID_FORM);
    await app.waitForLog('rep_unreachable');
    if (modalClosed) await app.waitForLog('views_update_failed');
    else {
      const shown = await app.waitForViewUpdate(view.id, (update) => JSON.stringify(update).includes('SDESSID='));
      // The modal is the only place the rep has the link: it must not say it was sent to them privately.
      const text = visibleText(shown.args.view);
      expect(text).toContain('nor sent to you privately: copy it from here');
      expect(text).not.toContain('it was sent to you privately');
    }
    expect(app.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(1);
    expect(await atModal).toMatchObject({ summary_channel: SALES_CHANNEL.id, undelivered_to_rep: 2 });
    await expect.poll(async () => (await row())?.summary_channel).toBe(SALES_CHANNEL.id);
    return { app, clock, row };
  }

  it('Slack rate-limiting the reply and the DM past the client’s waits, the modal closed: the link comes late', async () => {
    const { app, clock, row } = await submittedWithReplyLimited(true);
    expect(await row()).toMatchObject({ undelivered_to_rep: 2 });
    // Not at the delay of links never given: the flow may still be trying the modal, and recording what it showed.
    clock.advance(undeliveredAfterMs(1500) + 1_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dmsWithLink(app)).toEqual([]);
    // Slack still rate-limiting at the round's first try: given back, and sent at the next.
    app.standin.failNext('conversations.open', LIMITED, 1);
    await linkGivenLate(app, clock);
    await app.waitForLog('late_link_postponed');
  }, 20_000);

  it('the same, but the modal still open: the modal shows the link, and no DM follows', async () => {
    const { app, clock, row } = await submittedWithReplyLimited(false);
    // Written once Slack has answered the modal's update.
    await expect.poll(async () => (await row())?.undelivered_to_rep).toBe(0);
    clock.advance(linkAloneAfterMs(1500) + 1_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dmsWithLink(app)).toEqual([]);
  }, 20_000);

  /** Submits on `app` while Slack takes a second to answer each post, then stops it: the stop cuts the reply under way. */
  async function submittedThenCutAtReply(app: Harness) {
    const { view } = await app.openModal();
    app.standin.setDelay('chat.postMessage', 1_000);
    await app.submit(view, VALID_FORM);
    await app.standin.waitForCall('chat.postMessage', (call) => call.args.thread_ts !== undefined);
    await app.paylink.stop(100);
  }

  it('a stop whose grace runs out while the link reply is in flight: the next instance gives the link late', async () => {
    const clock = movableClock();
    const a = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    await submittedThenCutAtReply(a);
    await a.waitForLog('shutdown_grace_expired');
    await harnesses.stop(a);
    const b = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    await linkGivenLate(b, clock);
  }, 20_000);

  it('the same, the ledger refusing the summary’s place at its first try: the stop records it at its last', async () => {
    // Its retries would come after the ledger closed (1, 2, 4 and 8 s by default): once cut, it is kept at once instead.
    const clock = movableClock();
    const a = await harnesses.start({
      clock: clock.now,
      interruptedLinksPeriodMs: 30,
      ledgerRetryDelaysMs: [3_000, 3_000],
    });
    let refusals = 0;
    refuseWhen(a.paylink.ledger, 'recordSummary', () => refusals++ < 1);
    await submittedThenCutAtReply(a);
    // Kept once the cut ended the reply, then recorded by the stop's last try rather than tried after the ledger closed.
    await a.waitForLog('recorded_late');
    await harnesses.stop(a);
    expect(refusals).toBe(2);
    const b = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    await linkGivenLate(b, clock);
  }, 20_000);

  /** The messages Slack holds in the rep's DM (those it took) that carry the link's address. */
  const linksTakenInDm = (app: Harness) => {
    const dm = app.standin.callsTo('chat.postMessage').find((call) => String(call.args.channel).startsWith('D'));
    if (dm === undefined) return [];
    return app.standin
      .messagesIn(String(dm.args.channel))
      .filter((message) => JSON.stringify(message).includes('SDESSID='))
      .map((message) => String(message.text).slice(0, 90));
  };

  // The summary in the DM, its link then reaching the rep nowhere, every Slack call as long as one can be: seven calls,
  // the place recorded with mark 2, then the modal's call showing the link, then the write clearing the mark.
  it('every Slack call as long as one can be: the link the modal shows is not also sent by the round', async () => {
    const clock = movableClock();
    const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    const expired = app.standin.apiUrl.replace(/api\/$/, 'response/expired');
    const { view } = await app.openModal({ response_url: expired });
    // 1: the summary where asked refused (the bot not in the channel), 2-3: conversations.open and the summary in the DM,
    // 4: the link in its thread refused, 5: the response_url (expired), 6-7: conversations.open and the DM with the link refused.
    app.standin.failNext('chat.postMessage', 'not_in_channel', 1, (args) => args.channel === SALES_CHANNEL.id);
    app.standin.failNext('chat.postMessage', 'internal_error', 1, (args) => args.thread_ts !== undefined);
    app.standin.failNext(
      'chat.postMessage',
      'internal_error',
      1,
      (args) =>
        String(args.channel).startsWith('D') &&
        args.thread_ts === undefined &&
        JSON.stringify(args).includes('SDESSID='),
    );
    app.standin.setDelay('views.update', 1_500);
    let flowCalls = 0;
    let flowOver = false;
    const stop = app.standin.onCall((call) => {
      if (flowOver) return;
      flowCalls += 1;
      // Each of the flow's calls takes as long as one may; the response_url (not a Web API call) before the 2nd open.
      const opens = app.standin.callsTo('conversations.open').length;
      clock.advance(LONGEST_CALL_MS * (call.method === 'conversations.open' && opens === 2 ? 2 : 1));
      if (call.method === 'views.update') flowOver = true;
    });
    await app.submit(view, VALID_FORM);
    await app.waitForViewUpdate(view.id, (shown) => JSON.stringify(shown).includes('SDESSID='), 8_000);
    stop();
    // The flow's Slack calls: eight, counting the response_url, the modal last; within the budget until the modal.
    expect(flowCalls + 1).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // Past the delay of links never given (seven calls), within that of links given nowhere (the modal's call too).
    expect(8 * LONGEST_CALL_MS).toBeGreaterThan(undeliveredAfterMs(1500));
    expect(8 * LONGEST_CALL_MS).toBeLessThan(linkAloneAfterMs(1500));
    // The modal showed the link: the rep has it, and no DM should carry it again.
    expect(linksTakenInDm(app)).toEqual([]);
  }, 20_000);
});
