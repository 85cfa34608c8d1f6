import { describe, expect, it } from 'vitest';
import { undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { buildUntoldOutcomeMessage, buildUntoldOutcomeView } from '../../src/slack/messages/report-messages.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { refuseWhen } from '../support/ledger-faults.js';
import { linkRecord } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, VALID_FORM, visibleText } from '../support/paylink-harness.js';

/**
 * A refusal or an outage is recorded, then the rep is told (the modal, else privately). An instance that stops in
 * between (a SIGTERM whose grace runs out while the modal's update waits out a Slack rate limit, or while SAFEDEBIT is
 * still answering) leaves the rep's modal on "creating…": the next instance's round tells them in their DM what became
 * of the request. Before, no round looked at a refusal or an outage, and the rep was never told.
 */
describe('a refusal told late, the form long gone', () => {
  const context = {
    locale: 'en' as const,
    timeZone: 'Europe/Paris',
    now: new Date('2026-11-27T10:00:00Z'),
    sandbox: false,
  };
  const refused = (code: string | null) =>
    linkRecord({ state: 'refused', state_detail: code, link: null, summary_ts: null, summary_channel: null });
  const told = (locale: 'en' | 'fr', code: string | null) => [
    // The DM as it shows (its notification text is plain).
    JSON.stringify(buildUntoldOutcomeMessage({ ...context, locale }, refused(code)).blocks),
    JSON.stringify(buildUntoldOutcomeView({ ...context, locale }, refused(code))),
  ];

  it('with no code: says its reason was not kept, never that it was shown, and how to ask again', () => {
    for (const text of told('en', null)) {
      expect(text).toContain('SAFEDEBIT refused the link, and its reason was not kept');
      expect(text).toContain('run `/paylink` again');
      expect(text).not.toMatch(/shown when it answered|check the form/);
    }
    for (const text of told('fr', null)) {
      expect(text).toContain("SAFEDEBIT a refusé le lien, et sa raison n'a pas été conservée");
      expect(text).toContain('relancez `/paylink`');
      expect(text).not.toMatch(/affichée lors de sa réponse|vérifiez le formulaire/);
    }
  });

  it('with a code: its reason, then how to ask again', () => {
    for (const text of told('en', 'EXIST_001')) {
      expect(text).toContain('EXIST_001');
      expect(text).toContain('then run `/paylink` again');
    }
    for (const text of told('fr', 'EXIST_001')) expect(text).toContain('ce point corrigé, relancez `/paylink`');
    // Not one for the admin, or SAFEDEBIT's support, to sort out: asking again would meet the same.
    for (const code of ['AUTH_002', 'EXIST_003', 'XYZ_042']) {
      for (const text of told('en', code)) {
        expect(text).toContain(code);
        expect(text).not.toContain('run `/paylink` again');
      }
    }
  });
});

describe.each(ENGINES)('a refusal or an outage its rep was not told of when the instance stopped (%s)', (engine) => {
  const harnesses = testHarnesses(engine);
  const dms = (app: Harness) =>
    app.standin.callsTo('chat.postMessage').filter((call) => String(call.args.channel).startsWith('D'));
  /** An instance on a movable clock, its rounds every 30 ms, its ledger writes tried again after `ledgerRetryDelaysMs`. */
  async function startOnClock(ledgerRetryDelaysMs?: number[]) {
    const clock = movableClock();
    const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30, ledgerRetryDelaysMs });
    return { clock, app };
  }

  /** Submits on an instance set up by `arrange`, stops it cut once `cutWhen` is logged, and starts the next one. */
  async function stoppedBeforeTelling(arrange: (app: Harness) => void | Promise<void>, cutWhen: string) {
    const { clock, app: a } = await startOnClock();
    await arrange(a);
    const { view } = await a.openModal();
    await a.submit(view, VALID_FORM);
    await a.waitForLog(cutWhen);
    await a.paylink.stop(200);
    await a.waitForLog('shutdown_grace_expired');
    await harnesses.stop(a);
    const b = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30 });
    clock.advance(undeliveredAfterMs(1500) + 1_000);
    return b;
  }

  it('an outage, the modal update waiting out a rate limit: the rep is told in their DM, once', async () => {
    const b = await stoppedBeforeTelling((a) => {
      a.safedebit.setMode({ kind: 'drop' });
      a.standin.failNext('views.update', { status: 429, retryAfterSeconds: 60 });
    }, 'slack_rate_limited');
    await expect.poll(() => dms(b).length, { timeout: 4_000 }).toBe(1);
    const text = String(dms(b)[0]?.args.text);
    expect(text).toContain('paylink stopped before it could tell you what became of this request for a payment link');
    expect(text).toContain('SAFEDEBIT did not answer properly');
    expect(text).toContain(VALID_FORM.payment_reference);
    await b.waitForLog('outcome_told_late');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dms(b)).toHaveLength(1);
  }, 20_000);

  // Slack applied the form given back but answered too late, and the private fallbacks failed: recorded as untold.
  it('a refusal the rep saw all the same, and submitted again from the same modal: the later link stays in it', async () => {
    const clock = movableClock();
    const app = await harnesses.start({ clock: clock.now, interruptedLinksPeriodMs: 30, slackTimeoutMs: 400 });
    app.safedebit.setMode({ kind: 'refuse', code: 'EXIST_001' });
    const origin = app.standin.apiUrl.replace(/\/api\/$/, '');
    const { view } = await app.openModal({ response_url: `${origin}/response/gone` });
    app.standin.setDelay('views.update', 1_000);
    app.standin.failNext('conversations.open', 'fatal_error');
    await app.submit(view, VALID_FORM);
    await app.waitForLog('rep_unreachable');
    const shown = () => app.standin.displayedViews().find((displayed) => displayed.id === view.id);
    await expect.poll(() => visibleText(shown()), { timeout: 3_000 }).toContain('EXIST_001');
    app.standin.setDelay('views.update', 0);
    app.safedebit.setMode({ kind: 'normal' });
    const formBack = shown();
    if (!formBack) throw new Error('no modal');
    await app.submit(formBack, { ...VALID_FORM, payment_reference: 'F-2026-032' });
    await app.waitForViewUpdate(view.id, (displayed) => visibleText(displayed).includes('paypage?SDESSID='));

    clock.advance(undeliveredAfterMs(1500) + 1_000);
    await app.waitForLog('outcome_seen_in_form');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(visibleText(shown())).toContain('paypage?SDESSID=');
    // Nor is the rep told in their DM to fix a form they fixed.
    expect(dms(app)).toHaveLength(0);
  }, 20_000);

  it('a refusal: the rep is told SAFEDEBIT’s reason by its code', async () => {
    const b = await stoppedBeforeTelling((a) => {
      a.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
      a.standin.failNext('views.update', { status: 429, retryAfterSeconds: 60 });
    }, 'slack_rate_limited');
    await expect.poll(() => dms(b).length, { timeout: 4_000 }).toBe(1);
    expect(String(dms(b)[0]?.args.text)).toContain('SAFEDEBIT refused the link');
  }, 20_000);

  it('a reference already used by a link paylink made: the rep is told to use that one, as the modal would have', async () => {
    const b = await stoppedBeforeTelling(async (a) => {
      // The first link for the reference, made and posted as usual; the stop comes with the second try's refusal.
      await a.createLink();
      a.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
      a.standin.failNext('views.update', { status: 429, retryAfterSeconds: 60 });
    }, 'slack_rate_limited');
    await expect.poll(() => dms(b).length, { timeout: 4_000 }).toBe(1);
    const text = String(dms(b)[0]?.args.text);
    expect(text).toContain('paylink already made a link for this reference');
    expect(text).not.toContain('enter a new one');
  }, 20_000);

  it('SAFEDEBIT still answering when the grace runs out: the rep is told, whatever the cut left recorded', async () => {
    const b = await stoppedBeforeTelling((a) => a.safedebit.setMode({ kind: 'hang' }), 'modal_opened');
    await expect
      .poll(() => dms(b).filter((call) => String(call.args.text).includes('paylink stopped')).length, {
        timeout: 4_000,
      })
      .toBe(1);
  }, 20_000);

  it.each([
    ['once, then takes it again', 1, 'ledger_write_retried'],
    ['past its retries (kept by the instance)', Number.POSITIVE_INFINITY, 'ledger_write_abandoned'],
  ])(
    'told in the modal, the ledger refusing the write saying so %s: no DM follows',
    async (_, refusals, logged) => {
      const { clock, app: a } = await startOnClock([50, 50]);
      let refused = 0;
      refuseWhen(a.paylink.ledger, 'recordRepTold', () => refused++ < refusals);
      a.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
      const { view } = await a.openModal();
      await a.submit(view, VALID_FORM);
      await a.waitForViewUpdate(view.id, (shown) => JSON.stringify(shown).includes('EXIST_005'));
      await a.waitForLog((entry) => entry.event === logged && entry.step === 'rep_told');
      clock.advance(undeliveredAfterMs(1500) + 1_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(dms(a)).toEqual([]);
    },
    20_000,
  );

  it('told in the modal as it happens: no DM follows', async () => {
    const { clock, app: a } = await startOnClock();
    a.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await a.openModal();
    await a.submit(view, VALID_FORM);
    await a.waitForViewUpdate(view.id, (shown) => JSON.stringify(shown).includes('EXIST_005'));
    const row = async () => (await a.paylink.ledger.db.selectFrom('links').selectAll().execute())[0];
    await expect.poll(async () => (await row())?.undelivered_to_rep).toBe(0);
    expect(await row()).toMatchObject({ state: 'refused' });
    clock.advance(undeliveredAfterMs(1500) + 1_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dms(a)).toEqual([]);
  }, 20_000);

  // The confirmation's summary place and the flow's "rep told" write, both kept for the rounds: the second must not
  // replace the first, which would leave the place unrecorded, and the link announced again in the rep's DM.
  it('an outage SAFEDEBIT reports on while the rep is told, the ledger refusing both writes: one summary, once', async () => {
    const { clock, app } = await startOnClock([10, 10]);
    const ledger = app.paylink.ledger as Ledger;
    let refusing = true;
    refuseWhen(ledger, 'recordSummary', () => refusing);
    refuseWhen(ledger, 'recordRepTold', () => refusing);
    app.safedebit.setMode({ kind: 'drop' });
    const { view } = await app.openModal();
    // The modal's update (telling the rep of the outage) waits on Slack a while.
    app.standin.setDelay('views.update', 2_500);
    await app.submit(view, VALID_FORM);
    const row = async () => (await ledger.db.selectFrom('links').selectAll().execute())[0];
    await expect.poll(async () => (await row())?.state, { timeout: 5_000 }).toBe('outage');
    // SAFEDEBIT made the link all the same: its notification comes, to this instance.
    const sent = app.safedebit.requests.at(-1)?.body as { url_callback: string };
    const callbackUrl = `${app.baseUrl}${new URL(sent.url_callback).pathname}`;
    await app.notify(callbackUrl, 'SETTLED');
    await app.waitForLog((entry) => entry.event === 'ledger_write_abandoned' && entry.step === 'summary');
    await app.waitForLog((entry) => entry.event === 'ledger_write_abandoned' && entry.step === 'rep_told');
    app.standin.setDelay('views.update', 0);
    refusing = false;
    await app.waitForLog('recorded_late');
    await new Promise((resolve) => setTimeout(resolve, 200));
    clock.advance(undeliveredAfterMs(1500) + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(app.logs.filter((line) => line.includes('"confirmed_link_delivered_late"'))).toEqual([]);
    expect(dms(app)).toEqual([]);
    expect(await row()).toMatchObject({ state: 'created', undelivered_to_rep: 0, summary_ts: expect.any(String) });
  }, 30_000);
});
