import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { OPEN_THREAD_ACTION } from '../../src/constants.js';
import { ENGINES } from '../support/databases.js';
import { afterNotificationKept, refuseWhen } from '../support/ledger-faults.js';
import { clockFrom, MID_MONTH } from '../support/movable-clock.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { appHomeOpenedEvent, eventCallbackPayload, sendEvent, sendSlashCommand } from '../support/slack-requests.js';
import { SALES_REP, type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

const OTHER_REP: SlackUser = { id: 'U0REP2', username: 'other.rep', name: 'other.rep', team_id: TEAM_ID };
const ADMIN: SlackUser = { id: 'U0FINANCE', username: 'finance', name: 'finance', team_id: TEAM_ID };

describe.each(ENGINES)('App Home, on %s', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Opens `user`'s Home tab as Slack would, and resolves with the view paylink publishes for it. */
  async function openHome(app: Harness, user: string): Promise<Record<string, unknown>> {
    const before = app.standin.callsTo('views.publish').length;
    const result = await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(user));
    expect(result.status).toBe(200);
    const published = await app.standin.waitForCall(
      'views.publish',
      (call) => call.args.user_id === user && app.standin.callsTo('views.publish').indexOf(call) >= before,
    );
    return published.args.view as Record<string, unknown>;
  }

  it("shows a new rep how to create a first link, then their links with the totals and each link's thread", async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    expect(visibleText(await openHome(app, SALES_REP.id))).toContain('You have not created a payment link yet');

    await app.createLink();
    const { callbackUrl } = await app.createLink({ ...VALID_FORM, amount: '99', payment_reference: 'F-2026-032' });
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-OTHER' }, OTHER_REP);

    const view = await openHome(app, SALES_REP.id);
    const text = visibleText(view);
    expect(text).toContain('Awaiting payment*\n1 link · €1,250.50');
    expect(text).toMatch(/Paid in \w+ \d{4}\*\n1 link · €99\.00/);
    expect(text).not.toContain('F-OTHER');
    expect(text).not.toContain("team's");
    const sections = (
      view.blocks as Array<{ type: string; text?: { text: string }; accessory?: { url: string } }>
    ).filter((block) => block.type === 'section' && block.text?.text.includes('F-2026-03'));
    expect(sections.map((block) => block.text?.text.split('\n')[0])).toEqual([
      '*€99.00* · F-2026-032 · Jean Dupont',
      '*€1,250.50* · F-2026-031 · Jean Dupont',
    ]);
    expect(sections[0]?.text?.text).toContain(':white_check_mark: Paid');
    // The button opens the link's thread: the summary message, which the stand-in holds.
    const summaries = app.standin.messagesIn('C0SALES').filter((message) => message.attachments && !message.thread_ts);
    const permalinks = sections.map((block) => block.accessory?.url);
    for (const permalink of permalinks) expect(permalink).toMatch(/\/archives\/C0SALES\/p\d+$/);
    expect(permalinks.sort()).toEqual(
      summaries
        .filter((summary) => String(summary.text).includes('F-2026-03'))
        .map((summary) => `https://paylink-test.slack.com/archives/C0SALES/p${String(summary.ts).replace('.', '')}`)
        .sort(),
    );
    expect(JSON.stringify(view)).toContain(OPEN_THREAD_ACTION);

    // Permalinks are asked of Slack once per link, then kept.
    const asked = app.standin.callsTo('chat.getPermalink').length;
    await openHome(app, SALES_REP.id);
    expect(app.standin.callsTo('chat.getPermalink')).toHaveLength(asked);
  });

  it("counts a multiple payment's link apart from the links paid: a part notified paid is not its whole amount", async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine, env: { PAYLINK_PAYMENT_TYPES: 'multi' } });
    h = app;
    const { callbackUrl } = await app.createLink();
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);

    const text = visibleText(await openHome(app, SALES_REP.id));
    expect(text).toMatch(/Paid in \w+ \d{4}\*\nno links/);
    expect(text).toMatch(/Multiple payments begun in \w+ \d{4}\*\n1 link · for €1,250\.50 in all/);
    expect(text).toContain('Awaiting payment*\nno links');
    expect(text).toContain(':white_check_mark: Paid · towards a multiple payment · ');
  });

  it("shows an admin the whole team's latest links, each with its rep", async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine, env: { PAYLINK_ADMINS: ADMIN.id } });
    h = app;
    await app.createLink();
    await app.createLink({ ...VALID_FORM, payment_reference: 'F-OTHER' }, OTHER_REP);
    const text = visibleText(await openHome(app, ADMIN.id));
    expect(text).toContain('You have not created a payment link yet');
    expect(text).toContain("The team's latest links");
    expect(text).toContain('Awaiting payment*\n2 links · €2,501.00');
    expect(text).toContain(`by <@${OTHER_REP.id}>`);
    expect(text).toContain(`by <@${SALES_REP.id}>`);
  });

  it("gives an admin no button into a rep's DM with paylink, where a link's summary went, in Home or status", async () => {
    const app = await startHarness({
      clock: clockFrom(MID_MONTH),
      engine,
      env: { PAYLINK_ADMINS: ADMIN.id },
      channels: { G0SECRET: { kind: 'private', botIsMember: false } },
    });
    h = app;
    const { view } = await app.openModal({ channel_id: 'G0SECRET', channel_name: 'secret-deals' });
    await app.submit(view, VALID_FORM);
    await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('paypage?SDESSID='));
    const [link] = await app.paylink.ledger.latestLinks({ now: new Date(), limit: 1 });
    expect(link?.summary_channel).toMatch(/^D/);
    const buttonsInto = (view: unknown) =>
      JSON.stringify(view).match(new RegExp(`/archives/${link?.summary_channel}/p\\d+`, 'g')) ?? [];

    expect(buttonsInto(await openHome(app, SALES_REP.id))).toHaveLength(1);
    expect(buttonsInto(await openHome(app, ADMIN.id))).toEqual([]);
    const statusAs = async (user: SlackUser) => {
      const responseUrl = app.standin.responseUrl();
      await sendSlashCommand(app.baseUrl, SIGNING_SECRET, {
        text: `status ${VALID_FORM.payment_reference}`,
        user_id: user.id,
        user_name: user.username,
        response_url: responseUrl,
      });
      return (await app.standin.waitForResponse((post) => post.url === responseUrl)).body;
    };
    const asAdmin = await statusAs(ADMIN);
    expect(visibleText(asAdmin)).toContain(`<@${SALES_REP.id}>`);
    expect(buttonsInto(asAdmin)).toEqual([]);
    expect(buttonsInto(await statusAs(SALES_REP))).toHaveLength(1);
  });

  it('is drawn again after a status change for the rep and the admins who opened it before, and only for them', async () => {
    const app = await startHarness({
      clock: clockFrom(MID_MONTH),
      engine,
      env: { PAYLINK_ADMINS: `${ADMIN.id},U0ADMIN2` },
    });
    h = app;
    const { callbackUrl } = await app.createLink();
    const { callbackUrl: othersLink } = await app.createLink(
      { ...VALID_FORM, payment_reference: 'F-OTHER' },
      OTHER_REP,
    );
    await openHome(app, SALES_REP.id);
    await openHome(app, ADMIN.id);
    const before = app.standin.callsTo('views.publish').length;

    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    // Drawn once SAFEDEBIT is answered: two Homes opened, two drawn again.
    await app.waitForLog('home_published', 4);
    const published = app.standin.callsTo('views.publish').slice(before);
    expect(published.map((call) => call.args.user_id).sort()).toEqual([ADMIN.id, SALES_REP.id].sort());
    expect(visibleText(app.standin.homeView(SALES_REP.id))).toContain(':white_check_mark: Paid');

    // The same notification again draws the same Homes again (it may come after a draw cut short by a failure);
    // OTHER_REP's link draws the admin's; OTHER_REP never opened the Home tab.
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    expect(await app.notify(othersLink, 'REJECTED')).toBe(200);
    const drawnAfterwards = () =>
      new Set(
        app.standin
          .callsTo('views.publish')
          .slice(before + 2)
          .map((call) => call.args.user_id),
      );
    await expect.poll(drawnAfterwards).toEqual(new Set([ADMIN.id, SALES_REP.id]));
    expect(visibleText(app.standin.homeView(SALES_REP.id))).toContain(':white_check_mark: Paid');
    expect(visibleText(app.standin.homeView(ADMIN.id))).toContain('F-OTHER');
    expect(app.standin.homeView(OTHER_REP.id)).toBeUndefined();
  });

  it('is drawn again for a notification kept before the ledger failed and was answered 503, as its thread will be', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    const { callbackUrl } = await app.createLink();
    await openHome(app, SALES_REP.id);
    // The ledger refuses one read just after keeping the notification (a locked file, a failover): answered 503.
    const ledger = app.paylink.ledger;
    let refuseNextFind = false;
    const keepNormally = afterNotificationKept(ledger, () => {
      refuseNextFind = true;
    });
    refuseWhen(ledger, 'findLink', () => {
      const refused = refuseNextFind;
      refuseNextFind = false;
      return refused;
    });
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(503);
    keepNormally();
    // Kept, it is the link's status: the Home says so, whoever posts the thread's reply later (a redelivery, a round).
    await expect
      .poll(() => visibleText(app.standin.homeView(SALES_REP.id)), { timeout: 3_000 })
      .toContain(':white_check_mark: Paid');
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
  });

  it("answers SAFEDEBIT's notification without waiting for Slack to publish the Homes, drawn after, a stop awaiting them", async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine, env: { PAYLINK_ADMINS: ADMIN.id } });
    h = app;
    const { callbackUrl } = await app.createLink();
    await openHome(app, SALES_REP.id);
    await openHome(app, ADMIN.id);
    await app.waitForLog('home_published', 2);
    // Slack takes 3 s to publish each Home (slow, or waiting out a rate limit).
    app.standin.setDelay('views.publish', 3_000);

    const sentAt = Date.now();
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    expect(Date.now() - sentAt).toBeLessThan(1_500);
    // Answered before the Homes showing the payment are published; they are drawn all the same, and a stop waits.
    expect(visibleText(app.standin.homeView(SALES_REP.id))).not.toContain(':white_check_mark: Paid');
    await app.standin.waitForCall('views.publish', (call) =>
      visibleText(call.args.view).includes(':white_check_mark: Paid'),
    );
    await app.paylink.stop(10_000);
    for (const user of [SALES_REP.id, ADMIN.id]) {
      expect(visibleText(app.standin.homeView(user))).toContain(':white_check_mark: Paid');
    }
    expect(app.logs.filter((line) => line.includes('"home_published"'))).toHaveLength(4);
    expect(app.logs.some((line) => line.includes('"shutdown_grace_expired"'))).toBe(false);
  }, 20_000);

  it('ends showing a status that arrived while it was being drawn, not the draw begun before it', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    const { callbackUrl } = await app.createLink();
    // The rep opens the tab; its first draw asks Slack for the thread's permalink, which takes a moment.
    app.standin.setDelay('chat.getPermalink', 1_000);
    expect((await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id))).status).toBe(200);
    await app.standin.waitForCall('chat.getPermalink');
    app.standin.setDelay('chat.getPermalink', 0);

    // Meanwhile the customer pays: the Home is drawn again once the first draw is published.
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    await expect.poll(() => app.standin.callsTo('views.publish').length, { timeout: 5_000 }).toBe(2);
    expect(visibleText(app.standin.homeView(SALES_REP.id))).toContain(':white_check_mark: Paid');
  });

  it('answers each notification of a stream as it comes, and the Home, drawn one draw at a time, ends showing them all', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    const links = [];
    for (let n = 0; n < 8; n += 1) links.push(await app.createLink({ ...VALID_FORM, payment_reference: `F-${n}` }));
    expect((await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id))).status).toBe(200);
    await expect.poll(() => app.standin.callsTo('views.publish').length).toBe(1);
    // Each draw takes Slack 1 s to publish; SAFEDEBIT notifies on the rep's links one every 150 ms.
    app.standin.setDelay('views.publish', 1_000);
    const answered: number[] = [];
    await Promise.all(
      links.map(async ({ callbackUrl }, n) => {
        await new Promise((resolve) => setTimeout(resolve, n * 150));
        const sentAt = Date.now();
        expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
        answered[n] = Date.now() - sentAt;
      }),
    );
    // None waits for a draw: each is answered sooner than Slack publishes one.
    for (const ms of answered) expect(ms).toBeLessThan(1_000);
    // The changes that come during a draw are drawn together once it is published: the last draw shows them all.
    await expect
      .poll(() => visibleText(app.standin.homeView(SALES_REP.id)), { timeout: 10_000 })
      .toMatch(/Paid in \w+ \d{4}\*\n8 links/);
    expect(app.standin.callsTo('views.publish').length).toBeLessThan(1 + links.length);
  }, 30_000);

  it('says the links cannot be read just now when the ledger fails, as /paylink list does, rather than show nothing', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    await app.createLink();
    expect(visibleText(await openHome(app, SALES_REP.id))).toContain('F-2026-031');

    await app.paylink.ledger.close();
    const text = visibleText(await openHome(app, SALES_REP.id));
    expect(text).toContain('Your payment links');
    expect(text).toContain(':warning: paylink could not read its links just now. Come back to this tab in a moment.');
    expect(text).not.toContain('F-2026-031');
    await expect
      .poll(() => app.logs.some((line) => line.includes('"report_failed"') && line.includes('"home"')))
      .toBe(true);
  });

  it('drawn though the ledger did not take the visit, logs that the visit was not recorded, not that the Home was not published', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    await app.createLink();
    // The visits' table gone, the ledger refuses the visit; the links are read all the same.
    await sql`alter table home_views rename to home_views_gone`.execute(app.paylink.ledger.db);

    expect(visibleText(await openHome(app, SALES_REP.id))).toContain('F-2026-031');
    const [published] = await app.waitForLog('home_published');
    expect(published).toMatchObject({ user: SALES_REP.id, links: 1 });
    const events = app.logs.map((line) => JSON.parse(line).event);
    expect(events).toContain('home_visit_not_recorded');
    expect(events).not.toContain('home_not_published');
  });

  it('logs why a visit was not recorded in the failure’s words when it has no code (pg’s connection lost)', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    app.paylink.ledger.recordHomeOpened = async () => {
      throw new Error('Connection terminated unexpectedly');
    };
    await openHome(app, SALES_REP.id);
    const [notRecorded] = await app.waitForLog('home_visit_not_recorded');
    expect(notRecorded).toMatchObject({ user: SALES_REP.id, error: 'Connection terminated unexpectedly' });
  });

  it('draws nothing for the Messages tab, and a Slack failure to publish fails nothing else', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine });
    h = app;
    await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id, 'messages'));
    const { callbackUrl } = await app.createLink();
    app.standin.failNext('views.publish', 'internal_error');
    await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id));
    await app.standin.waitForCall('views.publish');
    await expect.poll(() => app.logs.some((line) => line.includes('"home_not_published"'))).toBe(true);
    // Still remembered as opened: the next status change draws it.
    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(200);
    await app.waitForLog('home_published');
    expect(visibleText(app.standin.homeView(SALES_REP.id))).toContain(':white_check_mark: Paid');
    expect(app.standin.callsTo('views.publish')).toHaveLength(2);
  });
});

describe('App Home in Socket Mode', () => {
  it('is drawn when the event comes over the socket, acknowledged at once', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), socketMode: true });
    try {
      await app.standin.waitForSocketConnection();
      const ack = await app.standin.sendEnvelope('events_api', eventCallbackPayload(appHomeOpenedEvent(SALES_REP.id)));
      expect(ack.elapsedMs).toBeLessThan(3_000);
      const published = await app.standin.waitForCall('views.publish');
      expect(published.args.user_id).toBe(SALES_REP.id);
      expect(visibleText(published.args.view)).toContain('You have not created a payment link yet');
    } finally {
      await app.close();
    }
  });
});
