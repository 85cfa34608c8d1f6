import { describe, expect, it } from 'vitest';
import { buildCallbackUrl } from '../../src/callback/token.js';
import { classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import { abandonedAfterMs, interruptedLinksPeriodMs, undeliveredAfterMs } from '../../src/flow/interrupted-links.js';
import { LEDGER_WAIT_MS } from '../../src/ledger/open.js';
import { ENGINES } from '../support/databases.js';
import { type TestHarnesses, testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import {
  type Harness,
  type HarnessOptions,
  SIGNING_SECRET,
  VALID_FORM,
  visibleText,
  waitForLog,
} from '../support/paylink-harness.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { appHomeOpenedEvent, sendEvent, sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/** Short enough that a test waits a few of them, long enough not to spin. */
const PERIOD_MS = 30;
/** The harness's SAFEDEBIT_TIMEOUT_MS. */
const SAFEDEBIT_TIMEOUT_MS = 1500;

const CALLBACK_SECRET = 'interrupted-links-callback-secret-0123456789';

const settle = (ms = PERIOD_MS * 8) => new Promise((resolve) => setTimeout(resolve, ms));
/** The rep's DM about a link whose creation was interrupted (the thread of a confirmed link says it too). */
const isNotice = (call: SlackApiCall) =>
  String(call.args.channel).startsWith('D') && String(call.args.text).includes('paylink stopped while SAFEDEBIT');
const notices = (app: Harness) => app.standin.callsTo('chat.postMessage').filter(isNotice);

/**
 * What an instance that died while SAFEDEBIT was answering leaves behind: the submission claimed in the ledger
 * (state `requested`), and nothing else.
 */
/** SAFEDEBIT's notification of `status` for link `id`, sent to `app`. */
const notify = (app: Harness, id: string, status: string) =>
  app.notify(buildCallbackUrl(app.baseUrl, id, CALLBACK_SECRET), status);

/** The chat.postMessage calls of every instance (each has its own Slack stand-in) about the link's summary. */
function summaryPosts(apps: readonly Harness[]) {
  const posts = apps.flatMap((app) => app.standin.callsTo('chat.postMessage'));
  const summaries = posts.filter((call) => call.args.attachments !== undefined && call.args.thread_ts === undefined);
  const replies = posts.filter((call) => call.args.thread_ts !== undefined);
  return { summaries, replies };
}

async function abandonedClaim(app: Harness, createdAt: Date): Promise<string> {
  const id = await app.paylink.ledger.claimSubmission(
    newLink({ createdAt, userId: SALES_REP.id, originChannel: SALES_CHANNEL.id, paymentReference: 'F-2026-031' }),
  );
  if (id === undefined) throw new Error('not claimed');
  return id;
}

describe('when a link counts as interrupted', () => {
  it('twice the SAFEDEBIT timeout, the ledger write retries and 5 s after its claim, looked for every half of that', () => {
    // Each of the flow's ledger calls may itself wait 5 s (a SQLite lock, connectionTimeoutMillis): the claim, the
    // answer's write, the summary's place and each of its 4 retries.
    expect(abandonedAfterMs(10_000)).toBe(75_000);
    expect(abandonedAfterMs(10_000, [10, 20])).toBe(50_030);
    expect(interruptedLinksPeriodMs(10_000)).toBe(37_500);
    expect(interruptedLinksPeriodMs(500)).toBe(28_000);
    expect(interruptedLinksPeriodMs(120_000)).toBe(60_000);
  });

  it('a link made but never given to its rep: that, and 7 Slack calls each waiting out 4 rate limits of a minute', () => {
    // The summary, its DM fallback (conversations.open, the post), the link in the thread, then sendToRep's response_url,
    // conversations.open and DM: 5 attempts of up to 10 s for the answer and 10 s for its body, and 4 waits of 60 s,
    // about 6 minutes each.
    expect(undeliveredAfterMs(10_000)).toBe(75_000 + 7 * 340_000);
    expect(undeliveredAfterMs(10_000, [10, 20])).toBe(50_030 + 7 * 340_000);
  });
});

describe.each(ENGINES)('links whose creation was interrupted, on %s', (engine) => {
  const harnesses = testHarnesses(engine);
  const start = (clock: () => Date) =>
    harnesses.start({
      clock,
      interruptedLinksPeriodMs: PERIOD_MS,
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET },
    });

  it('earn their rep one DM once surely abandoned, whichever instance finds them, and read as unconfirmed', async () => {
    const clock = movableClock();
    const [a, b] = [await start(clock.now), await start(clock.now)];
    const id = await abandonedClaim(a, clock.now());
    await settle();
    // Within the abandonment delay its flow may still be waiting for SAFEDEBIT: left alone.
    expect(notices(a)).toEqual([]);
    expect((await a.paylink.ledger.findLink(id))?.state).toBe('requested');

    clock.advance(abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS));
    // Each instance has its Slack stand-in: whichever claimed the link sent the DM.
    await Promise.any([a, b].map((app) => app.standin.waitForCall('chat.postMessage', isNotice)));
    // Logged once Slack has answered the DM.
    await waitForLog([a, b], 'link_interrupted');
    await settle();
    const sent = [...notices(a), ...notices(b)];
    expect(sent).toHaveLength(1);
    const [notice] = sent;
    expect(String(notice?.args.channel)).toMatch(/^D/);
    const text = visibleText(notice?.args);
    expect(text).toContain('€1,250.50');
    expect(text).toContain('F-2026-031');
    expect(text).toContain('run `/paylink` again with the same reference');
    expect((await a.paylink.ledger.findLink(id))?.state).toBe('interrupted');
    const logged = [...a.logs, ...b.logs].map((line) => JSON.parse(line));
    expect(logged.filter((entry) => entry.event === 'link_interrupted')).toHaveLength(1);

    const responseUrl = a.standin.responseUrl();
    await sendSlashCommand(a.baseUrl, SIGNING_SECRET, { text: 'status F-2026-031', response_url: responseUrl });
    const answer = await a.standin.waitForResponse((post) => post.url === responseUrl);
    expect(visibleText(answer.body)).toContain('Unconfirmed (paylink stopped while asking SAFEDEBIT)');
  });

  it('become links with a summary once SAFEDEBIT reports on one, whichever instance hears it, once', async () => {
    const clock = movableClock();
    const [a, b] = [await start(clock.now), await start(clock.now)];
    const id = await abandonedClaim(a, new Date(clock.now().getTime() - abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS)));
    await Promise.any([a, b].map((app) => app.standin.waitForCall('chat.postMessage', isNotice)));
    // SAFEDEBIT had made the link, and the customer paid: both instances hear of it, one twice.
    expect(await Promise.all([notify(a, id, 'SETTLED'), notify(b, id, 'SETTLED'), notify(a, id, 'SETTLED')])).toEqual([
      200, 200, 200,
    ]);

    // An instance's round may have claimed the link before any notification did, and still be posting its thread when
    // the three are answered.
    await expect.poll(() => summaryPosts([a, b]).replies.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const { summaries, replies } = summaryPosts([a, b]);
    expect(summaries).toHaveLength(1);
    const [summary] = summaries;
    expect(summary?.args.channel).toBe(SALES_CHANNEL.id);
    expect(visibleText(summary?.args)).toContain('F-2026-031');
    expect(visibleText(summary?.args.attachments)).toContain('Paid');
    // The reply may come from the other instance's stand-in: in order of arrival, the note first.
    const note = replies.filter((reply) => String(reply.args.text).includes('its address never reached paylink'));
    const paid = replies.filter((reply) => String(reply.args.text).includes('Paid'));
    expect([note.length, paid.length, replies.length]).toEqual([1, 1, 2]);
    expect(note[0]?.at).toBeLessThanOrEqual(Number(paid[0]?.at));
    const logged = [...a.logs, ...b.logs].map((line) => JSON.parse(line));
    expect(logged.filter((entry) => entry.event === 'link_confirmed')).toHaveLength(1);
    expect(await a.paylink.ledger.findLink(id)).toMatchObject({
      state: 'created',
      state_detail: 'interrupted',
      payment_status: 'SETTLED',
      summary_channel: SALES_CHANNEL.id,
    });

    const responseUrl = b.standin.responseUrl();
    await sendSlashCommand(b.baseUrl, SIGNING_SECRET, { text: 'status F-2026-031', response_url: responseUrl });
    const answer = await b.standin.waitForResponse((post) => post.url === responseUrl);
    expect(visibleText(answer.body)).toContain('Paid');
    expect(visibleText(answer.body)).not.toContain('Unconfirmed');
  });

  /** An instance whose SAFEDEBIT never answers, and a submission made on it. */
  async function submittedToHangingSafedebit(timeoutMs: number) {
    const app = await harnesses.start({
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET, SAFEDEBIT_TIMEOUT_MS: String(timeoutMs) },
    });
    app.safedebit.setMode({ kind: 'hang' });
    const { view } = await app.openModal();
    await app.submit(view, VALID_FORM);
    return { app, view };
  }

  /** What a link confirmed after an outage shows: its summary, paid, and why its address is missing. */
  async function expectConfirmedAfterOutage(app: Harness, id: string) {
    const { summaries, replies } = summaryPosts([app]);
    expect(summaries).toHaveLength(1);
    expect(visibleText(summaries[0]?.args.attachments)).toContain('Paid');
    expect(replies.map((reply) => String(reply.args.text))).toEqual([
      expect.stringContaining("SAFEDEBIT's answer to this link's creation did not reach paylink properly"),
      expect.stringContaining('Paid'),
    ]);
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({
      state: 'created',
      state_detail: 'outage',
      paid_at: expect.any(String),
    });
  }

  it('and links whose answer was an outage get their summary too once SAFEDEBIT reports on them', async () => {
    const { app, view } = await submittedToHangingSafedebit(500);
    await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('no link to show'));
    const [row] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(row).toMatchObject({ state: 'outage', state_detail: 'timeout' });
    expect(app.standin.messagesIn(SALES_CHANNEL.id)).toEqual([]);

    // SAFEDEBIT had made the link after all, and the customer paid.
    expect(await notify(app, String(row?.id), 'SETTLED')).toBe(200);
    await expectConfirmedAfterOutage(app, String(row?.id));
  });

  it('and links SAFEDEBIT reported on while its answer was awaited are confirmed when that answer is lost', async () => {
    const { app, view } = await submittedToHangingSafedebit(1000);
    await expect.poll(() => app.safedebit.requests.length).toBe(1);
    const [row] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    // SAFEDEBIT made the link and sent it to the customer, who paid, while its answer was still on its way.
    expect(await notify(app, String(row?.id), 'SETTLED')).toBe(200);
    expect(summaryPosts([app]).summaries).toEqual([]);

    const shown = await app.waitForViewUpdate(view.id, (update) => visibleText(update).includes('it exists'));
    expect(visibleText(shown.args.view)).toContain('do not create it again');
    await app.standin.waitForCall('chat.postMessage', (call) => String(call.args.text).includes('Paid'));
    await expectConfirmedAfterOutage(app, String(row?.id));

    // The same submission delivered again shows that, not the form of an outage.
    await app.submit(view, VALID_FORM);
    await expect
      .poll(() => visibleText(app.standin.callsTo('views.update').at(-1)?.args.view))
      .toContain('do not create it again');
    expect(app.safedebit.requests).toHaveLength(1);
  });

  it('and such links, their outage written only at the retry, end with the modal saying they exist', async () => {
    const app = await harnesses.start({
      ledgerRetryDelaysMs: [50, 100],
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET, SAFEDEBIT_TIMEOUT_MS: '1000' },
    });
    app.safedebit.setMode({ kind: 'hang' });
    const { view } = await app.openModal();
    await app.submit(view, VALID_FORM);
    await expect.poll(() => app.safedebit.requests.length).toBe(1);
    const [row] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    // SAFEDEBIT made the link and the customer paid, while its answer was still on its way.
    expect(await app.notify(buildCallbackUrl(app.baseUrl, String(row?.id), CALLBACK_SECRET), 'SETTLED')).toBe(200);

    // The first write of the outage fails (a locked SQLite file, a failover), the retry takes it.
    const { ledger } = app.paylink;
    const recordOutcome = ledger.recordOutcome.bind(ledger);
    ledger.recordOutcome = async () => {
      ledger.recordOutcome = recordOutcome;
      throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    };

    // The link is confirmed: its summary is posted, paid.
    await app.standin.waitForCall('chat.postMessage', (call) => String(call.args.text).includes('Paid'));
    expect(await ledger.findLink(String(row?.id))).toMatchObject({ state: 'created', state_detail: 'outage' });
    // And the modal the rep looks at?
    const last = () => visibleText(app.standin.callsTo('views.update').at(-1)?.args.view);
    await expect.poll(last, { timeout: 2_000 }).toContain('do not create it again');
  });

  it('get their summary instead of the DM when SAFEDEBIT reported on them before they were found', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await abandonedClaim(app, clock.now());
    await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id));
    await app.standin.waitForCall('views.publish');
    // The notification comes while the link is being created: kept, since there is no summary to show it under.
    expect(await notify(app, id, 'CREATED')).toBe(200);
    expect(summaryPosts([app]).summaries).toEqual([]);
    // Drawn again once SAFEDEBIT is answered: read before, the Home would not say whether the new status listed it.
    await app.waitForLog('home_published', 2);
    expect(visibleText(app.standin.homeView(SALES_REP.id))).not.toContain('€1,250.50');

    clock.advance(abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS));
    const summary = await app.standin.waitForCall('chat.postMessage', (call) => call.args.attachments !== undefined);
    await app.standin.waitForCall('chat.postMessage', (call) => String(call.args.text).includes('Payment created'));
    await settle();
    expect(notices(app)).toEqual([]);
    expect(summary.args.channel).toBe(SALES_CHANNEL.id);
    expect(summaryPosts([app]).replies.map((reply) => String(reply.args.text))).toEqual([
      expect.stringContaining('its address never reached paylink'),
      expect.stringContaining('Payment created'),
    ]);
    expect((await app.paylink.ledger.findLink(id))?.state).toBe('created');
    // The rep's App Home lists it now, as a link that exists: drawn once its statuses are shown in its thread.
    await app.waitForLog((entry) => entry.event === 'home_published' && entry.links === 1);
    expect(visibleText(app.standin.homeView(SALES_REP.id))).toContain('€1,250.50');
  });

  /**
   * A confirmed interrupted link's thread: its summary once, why its address is missing, then the paid status. Awaited:
   * the round may be the one confirming it, after the route has answered.
   */
  async function expectOneSummaryThenPaid(app: Harness) {
    await expect
      .poll(() => summaryPosts([app]).replies.map((reply) => String(reply.args.text)))
      .toEqual([expect.stringContaining('its address never reached paylink'), expect.stringContaining('Paid')]);
    expect(summaryPosts([app]).summaries).toHaveLength(1);
  }

  it('answer 503 when the ledger fails while confirming, and are confirmed by the redelivery', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await abandonedClaim(app, clock.now());
    await app.paylink.ledger.db.updateTable('links').set({ state: 'interrupted' }).where('id', '=', id).execute();
    const { ledger } = app.paylink;
    const confirm = ledger.confirmUnansweredLink;
    ledger.confirmUnansweredLink = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    };
    expect(await notify(app, id, 'SETTLED')).toBe(503);
    const logged = app.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
    expect(logged).toMatchObject({ level: 'error', outcome: 'ledger_unavailable' });
    expect(summaryPosts([app]).summaries).toEqual([]);

    ledger.confirmUnansweredLink = confirm;
    expect(await notify(app, id, 'SETTLED')).toBe(200);
    await expectOneSummaryThenPaid(app);
  });

  it.each(['interrupted', 'outage'] as const)(
    'answer 503 when Slack certainly did not take the summary, and are confirmed at a later round (%s)',
    async (state) => {
      const clock = movableClock();
      const app = await start(clock.now);
      const id = await abandonedClaim(app, clock.now());
      await app.paylink.ledger.db.updateTable('links').set({ state }).where('id', '=', id).execute();
      // Past the client's 5 attempts: Slack answered HTTP 429 to the summary, so it posted nothing.
      app.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 0 }, 5);
      // The round (every 30 ms) leaves the link to the notification until it is answered: else, finding it reported
      // on, it may confirm it first, and the notification, finding it no longer waiting, rightly answers 200.
      const { ledger } = app.paylink;
      const reportedUnansweredLinks = ledger.reportedUnansweredLinks.bind(ledger);
      ledger.reportedUnansweredLinks = async () => [];
      expect(await notify(app, id, 'SETTLED')).toBe(503);
      ledger.reportedUnansweredLinks = reportedUnansweredLinks;
      expect(app.logs.map((line) => JSON.parse(line).event)).toContain('link_confirmation_postponed');
      // No redelivery needed: the interrupted-links round confirms it once Slack takes posts again.
      await expect
        .poll(async () => (await app.paylink.ledger.findLink(id))?.summary_ts, { timeout: 3_000 })
        .toEqual(expect.any(String));
      await app.standin.waitForCall('chat.postMessage', (call) => String(call.args.text).includes('Paid'));
      // One summary in the channel, its thread saying why the address is missing, then the payment.
      const channel = app.standin.messagesIn(SALES_CHANNEL.id);
      expect(
        channel.filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts),
      ).toHaveLength(1);
      expect(channel).toHaveLength(3);
      expect(await app.paylink.ledger.findLink(id)).toMatchObject({ state: 'created', state_detail: state });
    },
  );

  it("get their status replies when the summary's place could not be recorded at first", async () => {
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      ledgerRetryDelaysMs: [10, 20],
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET },
    });
    const id = await abandonedClaim(app, clock.now());
    await app.paylink.ledger.db.updateTable('links').set({ state: 'interrupted' }).where('id', '=', id).execute();
    const { ledger } = app.paylink;
    const recordSummary = ledger.recordSummary.bind(ledger);
    ledger.recordSummary = async () => {
      ledger.recordSummary = recordSummary;
      throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    };
    expect(await notify(app, id, 'SETTLED')).toBe(200);
    await expectOneSummaryThenPaid(app);
    expect(await ledger.findLink(id)).toMatchObject({ summary_ts: expect.any(String) });
  });

  it('are noticed again at the next round when Slack certainly did not take the DM', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await abandonedClaim(app, new Date(clock.now().getTime() - abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS)));
    // Past the client's 5 attempts: Slack answered HTTP 429, so it posted nothing.
    app.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 0 }, 5);
    await app.standin.waitForCall('chat.postMessage', isNotice);
    // Logged once Slack has answered the DM.
    await app.waitForLog('interrupted_notice_sent');
    await settle();
    expect(notices(app)).toHaveLength(1);
    const events = app.logs.map((line) => JSON.parse(line).event);
    expect(events).toContain('interrupted_notice_postponed');
    expect(events.filter((event) => event === 'interrupted_notice_sent')).toHaveLength(1);
  });
});

describe('a link SAFEDEBIT reported on while its answer was awaited, asked for in a private channel paylink is not in', () => {
  const harnesses = testHarnesses('sqlite');

  it('is said to have its summary where it was posted: the DM from paylink, not the conversation', async () => {
    const app = await harnesses.start({
      channels: { G0PRIVATE: { kind: 'private', botIsMember: false } },
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET, SAFEDEBIT_TIMEOUT_MS: '1000' },
    });
    app.safedebit.setMode({ kind: 'hang' });
    const { view } = await app.openModal({ channel_id: 'G0PRIVATE', channel_name: 'deals' });
    await app.submit(view, VALID_FORM);
    await expect.poll(() => app.safedebit.requests.length).toBe(1);
    const [row] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(await notify(app, String(row?.id), 'SETTLED')).toBe(200);

    const shown = await app.waitForViewUpdate(view.id, (update) => visibleText(update).includes('it exists'));
    // The summary went to the rep's DM with paylink (Slack refuses the private channel).
    await app.standin.waitForCall(
      'chat.postMessage',
      (call) => call.args.attachments !== undefined && String(call.args.channel).startsWith('D'),
    );
    expect(app.standin.messagesIn('G0PRIVATE')).toEqual([]);
    expect(visibleText(shown.args.view)).not.toContain('Its summary is posted in the conversation');
  });
});

describe('a live link whose ledger writes each wait LEDGER_WAIT_MS (a locked SQLite file, a full pg pool)', () => {
  const harnesses = testHarnesses('sqlite');

  it('is not taken for an interrupted one while its last write is still being tried', async () => {
    const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const clock = movableClock();
    const app = await harnesses.start({
      clock: clock.now,
      interruptedLinksPeriodMs: 20,
      // The waits between tries: abandonedAfterMs counts them as given here.
      ledgerRetryDelaysMs: [1, 2, 4, 8],
      env: { SAFEDEBIT_TIMEOUT_MS: String(SAFEDEBIT_TIMEOUT_MS) },
    });
    const { ledger } = app.paylink;
    // Every ledger call of the flow waits the longest it may (LEDGER_WAIT_MS) before it is answered; the clock moves
    // by that much. The claim's wait comes after its created_at was taken.
    const claim = ledger.claimSubmission.bind(ledger);
    ledger.claimSubmission = async (link) => {
      clock.advance(LEDGER_WAIT_MS);
      return claim(link);
    };
    const recordOutcome = ledger.recordOutcome.bind(ledger);
    ledger.recordOutcome = async () => {
      ledger.recordOutcome = recordOutcome;
      clock.advance(LEDGER_WAIT_MS);
      throw busy();
    };
    const recordSummary = ledger.recordSummary.bind(ledger);
    let summaryTries = 0;
    ledger.recordSummary = async (...args) => {
      summaryTries += 1;
      clock.advance(LEDGER_WAIT_MS);
      if (summaryTries < 5) throw busy();
      // The fifth try (the last retry) is the one the ledger takes, once its wait is over; meanwhile other rounds run.
      await pause(300);
      return recordSummary(...args);
    };
    // SAFEDEBIT answers within its timeout.
    app.safedebit.setMode({ kind: 'slow', delayMs: SAFEDEBIT_TIMEOUT_MS - 200 });

    const { view } = await app.openModal();
    await app.submit(view, VALID_FORM);
    await expect.poll(() => summaryTries, { timeout: 10_000 }).toBe(5);
    await pause(500);

    const [row] = await ledger.db.selectFrom('links').selectAll().execute();
    expect(row).toMatchObject({ state: 'created' });
    // The rep has the link, in the thread and in the modal: nobody tells them paylink stopped.
    const told = app.standin
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.text).includes('paylink stopped while SAFEDEBIT'));
    expect(told).toEqual([]);
    expect(app.logs.filter((line) => line.includes('"event":"link_interrupted"'))).toEqual([]);
    expect(visibleText(app.standin.callsTo('views.update').at(-1)?.args.view)).not.toContain(
      'paylink stopped while SAFEDEBIT',
    );
  }, 20_000);
});

/** Ledger writes tried again twice, 10 ms apart: a write the ledger refuses is soon abandoned. */
const SHORT_RETRIES = [10, 10];

/** An instance on `clock` whose ledger write retries run out at once (SHORT_RETRIES). */
const startWithShortRetries = (harnesses: TestHarnesses, clock: () => Date) =>
  harnesses.start({
    clock,
    interruptedLinksPeriodMs: PERIOD_MS,
    ledgerRetryDelaysMs: SHORT_RETRIES,
    env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET },
  });

/**
 * Runs `during` while the ledger refuses to record where summaries went (a PostgreSQL failover, a locked SQLite file),
 * outlasting the write's retries, while paylink keeps running.
 */
async function refusingSummaryPlaces(app: Harness, during: () => Promise<void>): Promise<void> {
  const { ledger } = app.paylink;
  const recordSummary = ledger.recordSummary.bind(ledger);
  ledger.recordSummary = async () => {
    throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  };
  try {
    await during();
  } finally {
    ledger.recordSummary = recordSummary;
  }
}

/**
 * The first reply in the thread of the summary posted in the rep's DM, with a link paylink stopped before giving them:
 * why it comes late, and the link.
 */
const isLateLink = (call: SlackApiCall) => isLateReply(call, 'paylink stopped before it could give');
const lateLinks = (apps: readonly Harness[]) => lateDms(apps, isLateLink);
const LINK = 'https://pay.example/paypage?SDESSID=left-behind';

/** A reply in a thread of the rep's DM with paylink that says `text`. */
const isLateReply = (call: SlackApiCall, text: string) =>
  String(call.args.channel).startsWith('D') &&
  call.args.thread_ts !== undefined &&
  String(call.args.text).includes(text);

/** The late DMs `isDm` tells apart that `apps` posted. */
const lateDms = (apps: readonly Harness[], isDm: (call: SlackApiCall) => boolean) =>
  apps.flatMap((app) => app.standin.callsTo('chat.postMessage').filter(isDm));

/**
 * The thread of the late DM `isDm` tells apart, as the instance that posted it shows it now: its summary (the message
 * the DM replies to) and the texts of its replies, oldest first.
 */
function lateThread(apps: readonly Harness[], isDm: (call: SlackApiCall) => boolean) {
  for (const app of apps) {
    const dm = app.standin.callsTo('chat.postMessage').find(isDm);
    if (dm === undefined) continue;
    const threadTs = String(dm.args.thread_ts);
    const messages = app.standin.messagesIn(String(dm.args.channel));
    return {
      channel: String(dm.args.channel),
      summary: messages.find((message) => message.ts === threadTs),
      replies: messages
        .filter((message) => message.thread_ts === threadTs && message.ts !== threadTs)
        .map((message) => String(message.text)),
    };
  }
  return undefined;
}

/**
 * A status SAFEDEBIT sends twice for a link announced late: its summary in the rep's DM shows it, its thread gets one
 * reply for it after `repliesBefore`, and no second summary is posted, in the DM or the channel.
 */
async function expectStatusFollowsOnce(
  app: Harness,
  id: string,
  isDm: (call: SlackApiCall) => boolean,
  { status, shown }: { status: string; shown: string },
  repliesBefore: readonly string[],
) {
  expect(await notify(app, id, status)).toBe(200);
  expect(await notify(app, id, status)).toBe(200);
  await expect.poll(() => visibleText(lateThread([app], isDm)?.summary)).toContain(shown);
  await settle();
  expect(lateThread([app], isDm)?.replies).toEqual(
    [...repliesBefore, shown].map((text) => expect.stringContaining(text)),
  );
  expect(dmSummaries([app])).toHaveLength(1);
  expect(app.standin.messagesIn(SALES_CHANNEL.id)).toEqual([]);
}

/** The summaries `apps` posted in DMs, out of any thread. */
const dmSummaries = (apps: readonly Harness[]) =>
  summaryPosts(apps).summaries.filter((call) => String(call.args.channel).startsWith('D'));

/**
 * Two instances, after a link was left behind: neither DMs its rep while the link's flow may still be under way (past
 * the interrupted links' delay); once it is surely left, one of them posts the link's summary in the rep's DM, once,
 * with one reply in its thread (`isDm`) saying why it comes late, logged `delivered` (a warning naming the link), and
 * round after round nothing more. Resolves with the reply's text.
 */
async function expectOneLateDm(
  apps: readonly Harness[],
  clock: ReturnType<typeof movableClock>,
  linkId: string,
  isDm: (call: SlackApiCall) => boolean,
  delivered: string,
): Promise<string> {
  // Within the longest a flow may wait on Slack: it may still be posting.
  clock.advance(abandonedAfterMs(SAFEDEBIT_TIMEOUT_MS) + 60_000);
  await settle();
  expect(lateDms(apps, isDm)).toEqual([]);
  expect(dmSummaries(apps)).toEqual([]);

  clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
  await Promise.any(apps.map((app) => app.standin.waitForCall('chat.postMessage', isDm)));
  // Logged once Slack has answered the DM.
  await waitForLog(apps, delivered);
  await settle();
  const sent = lateDms(apps, isDm);
  expect(sent).toHaveLength(1);
  const logged = apps.flatMap((app) => app.logs.map((line) => JSON.parse(line)));
  expect(logged.filter((entry) => entry.event === delivered)).toEqual([
    expect.objectContaining({ level: 'warn', link: linkId, user: SALES_REP.id, payment_reference: 'F-2026-031' }),
  ]);
  expect(dmSummaries(apps)).toHaveLength(1);
  const summary = visibleText(lateThread(apps, isDm)?.summary);
  expect(summary).toContain('€1,250.50');
  expect(summary).toContain('F-2026-031');
  expect(summary).toContain('Jean Dupont');
  return visibleText(sent[0]?.args);
}

/**
 * A link left behind whose first late DM Slack surely did not take (HTTP 429 past the client's 5 attempts: it posted
 * nothing): logged `postponed`, the DM is sent at a later round, once.
 */
async function expectLateDmSentAgainOnce(
  app: Harness,
  clock: ReturnType<typeof movableClock>,
  isDm: (call: SlackApiCall) => boolean,
  events: { postponed: string; delivered: string },
): Promise<void> {
  app.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 0 }, 5);
  clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
  await app.standin.waitForCall('chat.postMessage', isDm);
  // Logged once Slack has answered the DM.
  await app.waitForLog(events.delivered);
  await settle();
  expect(lateDms([app], isDm)).toHaveLength(1);
  expect(dmSummaries([app])).toHaveLength(1);
  const logged = app.logs.map((line) => JSON.parse(line).event);
  expect(logged).toContain(events.postponed);
  expect(logged.filter((event) => event === events.delivered)).toHaveLength(1);
}

describe.each(ENGINES)('links SAFEDEBIT made that their rep was never given, on %s', (engine) => {
  const harnesses = testHarnesses(engine);
  const start = (clock: () => Date, options: Pick<HarnessOptions, 'env' | 'slackTimeoutMs'> = {}) =>
    harnesses.start({
      clock,
      interruptedLinksPeriodMs: PERIOD_MS,
      ...options,
      env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET, ...options.env },
    });

  /** What an instance killed after recording SAFEDEBIT's link, before posting anything, leaves behind. */
  async function leftUndelivered(app: Harness, createdAt: Date): Promise<string> {
    const id = await abandonedClaim(app, createdAt);
    await app.paylink.ledger.recordOutcome(id, { state: 'created', link: LINK });
    return id;
  }

  it('reach their rep in one DM with the link once surely left, whichever instance finds them', async () => {
    const clock = movableClock();
    const [a, b] = [await start(clock.now), await start(clock.now)];
    const id = await leftUndelivered(a, clock.now());
    const text = await expectOneLateDm([a, b], clock, id, isLateLink, 'link_delivered_late');
    expect(text).toContain(LINK);
    expect(text).toContain('SAFEDEBIT did make it');
    // Nothing else: the link is not taken for an interrupted one, and nothing is posted in the channel.
    expect(notices(a).length + notices(b).length).toBe(0);
    expect([...a.standin.messagesIn(SALES_CHANNEL.id), ...b.standin.messagesIn(SALES_CHANNEL.id)]).toEqual([]);
    expect(await a.paylink.ledger.findLink(id)).toMatchObject({
      state: 'created',
      summary_channel: lateThread([a, b], isLateLink)?.channel,
      summary_ts: expect.any(String),
      undelivered_to_rep: 0,
    });
  });

  it('have their statuses in the thread of the DM, those that came before it and those after, once', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await leftUndelivered(app, clock.now());
    // SAFEDEBIT reports on the link before its rep has it: kept, there is no summary to show it under.
    expect(await notify(app, id, 'CREATED')).toBe(200);
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
    await app.waitForLog('link_delivered_late');
    await expect
      .poll(() => lateThread([app], isLateLink)?.replies)
      .toEqual([expect.stringContaining(LINK), expect.stringContaining('Payment created')]);

    await expectStatusFollowsOnce(app, id, isLateLink, { status: 'SETTLED', shown: 'Paid' }, [
      'paylink stopped before it could give',
      'Payment created',
    ]);
  });

  it('have the link in a DM of its own when Slack refuses the reply carrying it under their summary, once', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await leftUndelivered(app, clock.now());
    app.standin.failNext('chat.postMessage', 'msg_too_long', 1, (args) => args.thread_ts !== undefined);
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
    expect(await expectLinkApartOnce(app, id)).toHaveLength(2);
  });

  it('have the link by itself too when Slack may have posted that reply (a timeout): twice in their DM, never none', async () => {
    const clock = movableClock();
    const app = await start(clock.now, { slackTimeoutMs: 1_000 });
    const id = await leftUndelivered(app, clock.now());
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
    await app.standin.waitForCall('chat.postMessage', (call) => call.args.attachments !== undefined);
    // The reply held well past the timeout (undici's timer may add up to a second to it); the rest answered at once.
    app.standin.setDelay('chat.postMessage', 3_000);
    await app.standin.waitForCall('chat.postMessage', isLateLink);
    app.standin.setDelay('chat.postMessage', 0);
    await expectLinkApartOnce(app, id);
    // Slack did post the reply, too late for paylink to know.
    await expect
      .poll(() => lateThread([app], isLateLink)?.replies, { timeout: 5_000 })
      .toEqual([expect.stringContaining(LINK)]);
  });

  /**
   * The rep's DM once a link given late had its reply with the link not posted, or maybe not: its summary (whose place
   * is recorded), then the link by itself, once, saying which link it is and why it comes late. Resolves with the DM's
   * messages as Slack holds them.
   */
  async function expectLinkApartOnce(app: Harness, id: string) {
    await app.waitForLog('late_link_sent_apart');
    await settle();
    const [summary] = dmSummaries([app]);
    const dm = app.standin.messagesIn(String(summary?.args.channel));
    const outOfThreads = dm.filter((message) => message.thread_ts === undefined);
    expect(outOfThreads).toHaveLength(2);
    const apart = visibleText(outOfThreads[1]);
    expect(apart).toContain(LINK);
    expect(apart).toContain('F-2026-031');
    expect(apart).toContain('paylink stopped before it could give');
    expect(dmSummaries([app])).toHaveLength(1);
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({
      summary_ts: outOfThreads[0]?.ts,
      undelivered_to_rep: 0,
    });
    return dm;
  }

  it('are sent again at a later round when Slack certainly did not take the DM, and once', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await leftUndelivered(app, clock.now());
    await expectLateDmSentAgainOnce(app, clock, isLateLink, {
      postponed: 'late_link_postponed',
      delivered: 'link_delivered_late',
    });
  });

  it('never include a link whose summary was posted, or one sent privately because the summary could not be', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await app.createLink(VALID_FORM);
    // The summary refused (Slack unwell): the link goes to the rep through the command's response_url.
    app.standin.failNext('chat.postMessage', 'internal_error');
    const { view, responseUrl } = await app.openModal();
    await app.submit(view, { ...VALID_FORM, payment_reference: 'F-2026-032' });
    await app.standin.waitForResponse((post) => post.url === responseUrl && visibleText(post.body).includes('SDESSID'));
    await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('SDESSID'));
    await expect
      .poll(
        async () => (await app.paylink.ledger.linksWithReference('F-2026-032', { limit: 1 }))[0]?.undelivered_to_rep,
      )
      .toBe(0);

    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS) + 60_000);
    await settle();
    expect(lateLinks([app])).toEqual([]);
    const rows = await app.paylink.ledger.db.selectFrom('links').select(['state', 'undelivered_to_rep']).execute();
    expect(rows).toEqual([
      { state: 'created', undelivered_to_rep: 0 },
      { state: 'created', undelivered_to_rep: 0 },
    ]);
  });

  it('include a link whose summary failed and that reached the rep in no other way', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    // The summary refused, then the response_url out of reach, the DM refused, the modal closed.
    app.standin.failNext('chat.postMessage', 'internal_error', 2);
    app.standin.failNext('views.update', 'not_found');
    const { view } = await app.openModal({ response_url: 'http://127.0.0.1:9/closed' });
    await app.submit(view, VALID_FORM);
    await expect.poll(() => app.logs.some((line) => line.includes('"event":"rep_unreachable"'))).toBe(true);
    await expect.poll(() => app.standin.callsTo('views.update').length).toBe(1);
    await settle();
    const [row] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(row).toMatchObject({ state: 'created', undelivered_to_rep: 1 });

    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
    const late = await app.standin.waitForCall('chat.postMessage', isLateLink);
    expect(visibleText(late.args)).toContain(String(row?.link));
  });

  it('never include a link recorded by an instance of the release before, which does not say', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await abandonedClaim(app, clock.now());
    await app.paylink.ledger.db
      .updateTable('links')
      .set({ state: 'created', link: LINK })
      .where('id', '=', id)
      .execute();
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS) + 60_000);
    await settle();
    expect(lateLinks([app])).toEqual([]);
    expect(notices(app)).toEqual([]);
  });
  it('are not sent to a rep who has one, when the ledger refused to record so past the retries, once it is back', async () => {
    const clock = movableClock();
    const app = await startWithShortRetries(harnesses, clock.now);
    const { ledger } = app.paylink;
    await refusingSummaryPlaces(app, async () => {
      await app.createLink({ ...VALID_FORM, payment_reference: 'F-POSTED' });
      await expect.poll(() => app.logs.some((line) => line.includes('"ledger_write_abandoned"'))).toBe(true);
    });

    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS, SHORT_RETRIES) + 60_000);
    await expect.poll(() => app.logs.some((line) => /"recorded_late".*"delivery:/.test(line))).toBe(true);
    await settle();
    expect(lateLinks([app])).toEqual([]);
    expect((await ledger.linksWithReference('F-POSTED', { limit: 1 }))[0]).toMatchObject({
      summary_ts: expect.any(String),
      undelivered_to_rep: 0,
    });
  });
});

/**
 * The first reply in the thread of the summary posted in the rep's DM, of a link SAFEDEBIT reported on that paylink
 * stopped before announcing: why it comes late, and where its address is.
 */
const isUnannounced = (call: SlackApiCall) => isLateReply(call, 'paylink stopped while announcing');
const unannouncedNotices = (apps: readonly Harness[]) => lateDms(apps, isUnannounced);

describe.each(ENGINES)('links SAFEDEBIT reported on that paylink stopped while announcing, on %s', (engine) => {
  const harnesses = testHarnesses(engine);
  const start = (clock: () => Date) =>
    harnesses.start({ clock, interruptedLinksPeriodMs: PERIOD_MS, env: { PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET } });

  /**
   * What an instance killed while posting the summary of a link SAFEDEBIT's notification confirmed leaves behind: a
   * link asked hours before, whose answer was an outage, confirmed and paid, with no summary and no address.
   */
  async function leftUnannounced(app: Harness, confirmedAt: Date): Promise<string> {
    const { ledger } = app.paylink;
    const id = await abandonedClaim(app, confirmedAt);
    const askedAt = new Date(confirmedAt.getTime() - 3 * 60 * 60_000).toISOString();
    await ledger.db
      .updateTable('links')
      .set({ state: 'outage', state_detail: 'timeout', created_at: askedAt })
      .where('id', '=', id)
      .execute();
    await ledger.confirmUnansweredLink(id, confirmedAt);
    await ledger.recordNotification({
      linkId: id,
      dedupeKey: `settled-${id}`,
      status: 'SETTLED',
      rank: statusProgress(classifyStatus('SETTLED')),
      receivedAt: confirmedAt,
    });
    return id;
  }

  it('reach their rep in one DM once surely left, whichever instance finds them, never in the channel', async () => {
    const clock = movableClock();
    const [a, b] = [await start(clock.now), await start(clock.now)];
    const id = await leftUnannounced(a, clock.now());
    // The confirming instance may still be posting the summary, as a link's flow may.
    const text = await expectOneLateDm([a, b], clock, id, isUnannounced, 'confirmed_link_delivered_late');
    expect(visibleText(lateThread([a, b], isUnannounced)?.summary)).toContain('Paid');
    expect(text).toContain('SAFEDEBIT has sent a status for it');
    expect(text).toContain('SAFEDEBIT merchant back office');
    // The dead instance may have posted the summary without recording it: none is posted again in the channel.
    expect([...a.standin.messagesIn(SALES_CHANNEL.id), ...b.standin.messagesIn(SALES_CHANNEL.id)]).toEqual([]);
    expect(lateLinks([a, b]).length + notices(a).length + notices(b).length).toBe(0);
    expect(await a.paylink.ledger.findLink(id)).toMatchObject({
      state: 'created',
      summary_channel: lateThread([a, b], isUnannounced)?.channel,
      summary_ts: expect.any(String),
      undelivered_to_rep: 0,
    });
  });

  it('have their statuses in the thread of the DM, the one that confirmed them and those after, once', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await leftUnannounced(app, clock.now());
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS));
    await app.waitForLog('confirmed_link_delivered_late');
    // The status that confirmed the link came before its summary: shown in its thread once the summary is there.
    await expect
      .poll(() => lateThread([app], isUnannounced)?.replies)
      .toEqual([expect.stringContaining('paylink stopped while announcing'), expect.stringContaining('Paid')]);

    await expectStatusFollowsOnce(app, id, isUnannounced, { status: 'REFUNDED', shown: 'Refunded' }, [
      'paylink stopped while announcing',
      'Paid',
    ]);
  });

  it('are sent again at a later round when Slack certainly did not take the DM, and once', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    await leftUnannounced(app, clock.now());
    await expectLateDmSentAgainOnce(app, clock, isUnannounced, {
      postponed: 'late_confirmed_link_postponed',
      delivered: 'confirmed_link_delivered_late',
    });
  });

  it('are dated by their confirmation, not their claim: one asked hours before, still being announced, is left alone', async () => {
    const clock = movableClock();
    const [a, b] = [await start(clock.now), await start(clock.now)];
    // Asked three hours before SAFEDEBIT's notification comes, its answer an outage.
    const id = await abandonedClaim(a, new Date(clock.now().getTime() - 3 * 60 * 60_000));
    await a.paylink.ledger.db
      .updateTable('links')
      .set({ state: 'outage', state_detail: 'timeout' })
      .where('id', '=', id)
      .execute();
    // Slack is slow to take the summary: the link is confirmed, its summary on its way, while both instances' rounds run.
    a.standin.setDelay('chat.postMessage', 1_000);
    const confirming = clock.now().toISOString();
    const notified = notify(a, id, 'SETTLED');
    await expect.poll(async () => (await b.paylink.ledger.findLink(id))?.state).toBe('created');
    await settle();
    expect(unannouncedNotices([a, b])).toEqual([]);
    a.standin.setDelay('chat.postMessage', 0);
    expect(await notified).toBe(200);

    await settle();
    expect(unannouncedNotices([a, b])).toEqual([]);
    expect(summaryPosts([a, b]).summaries).toHaveLength(1);
    const confirmed = await a.paylink.ledger.findLink(id);
    expect(confirmed).toMatchObject({ summary_ts: expect.any(String), undelivered_to_rep: 0 });
    expect(String(confirmed?.confirmed_at) >= confirming).toBe(true);
  });

  it('never include a link confirmed whose summary was posted where the rep asked', async () => {
    const clock = movableClock();
    const app = await start(clock.now);
    const id = await abandonedClaim(app, clock.now());
    await app.paylink.ledger.db
      .updateTable('links')
      .set({ state: 'outage', state_detail: 'timeout' })
      .where('id', '=', id)
      .execute();
    expect(await notify(app, id, 'SETTLED')).toBe(200);
    expect(summaryPosts([app]).summaries).toHaveLength(1);
    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS) + 60_000);
    await settle();
    expect(unannouncedNotices([app])).toEqual([]);
    expect(await app.paylink.ledger.findLink(id)).toMatchObject({ state: 'created', undelivered_to_rep: 0 });
  });

  it('never include one whose summary was posted, when the ledger refused to record so past the retries', async () => {
    const clock = movableClock();
    const app = await startWithShortRetries(harnesses, clock.now);
    const { ledger } = app.paylink;
    const id = await abandonedClaim(app, clock.now());
    await ledger.db
      .updateTable('links')
      .set({ state: 'outage', state_detail: 'timeout' })
      .where('id', '=', id)
      .execute();
    await refusingSummaryPlaces(app, async () => {
      expect(await notify(app, id, 'SETTLED')).toBe(200);
      expect(summaryPosts([app]).summaries).toHaveLength(1);
      expect(app.logs.some((line) => line.includes('"ledger_write_abandoned"'))).toBe(true);
    });

    clock.advance(undeliveredAfterMs(SAFEDEBIT_TIMEOUT_MS, SHORT_RETRIES) + 60_000);
    await expect.poll(() => app.logs.some((line) => /"recorded_late".*"delivery:/.test(line))).toBe(true);
    await settle();
    expect(unannouncedNotices([app])).toEqual([]);
    expect(await ledger.findLink(id)).toMatchObject({ summary_ts: expect.any(String), undelivered_to_rep: 0 });
  });
});
