import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/databases.js';
import {
  type Harness,
  PUBLIC_URL,
  SIGNING_SECRET,
  startHarness,
  VALID_FORM,
  visibleText,
} from '../support/paylink-harness.js';
import type { DisplayedView } from '../support/slack-api-standin.js';
import { sendInteraction, stateValuesFor, viewSubmissionPayload } from '../support/slack-requests.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');

function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The callback URL SAFEDEBIT was given for the last link, pointed at `baseUrl`. */
function callbackUrlOf(h: Harness, baseUrl = h.baseUrl): string {
  const sent = h.safedebit.requests.at(-1)?.body as { url_callback: string };
  return `${baseUrl}${sent.url_callback.slice(PUBLIC_URL.length)}`;
}

function submissionOf(view: DisplayedView) {
  return viewSubmissionPayload({
    view: {
      ...view,
      callback_id: String(view.callback_id),
      state: { values: stateValuesFor(view as { blocks?: readonly unknown[] }, VALID_FORM) },
    },
  });
}

const channelMessages = (h: Harness) => h.standin.messagesIn(SALES_CHANNEL.id);
const summaries = (h: Harness) => channelMessages(h).filter((m) => m.attachments !== undefined && !m.thread_ts);
const repliesSaying = (h: Harness, text: string) =>
  channelMessages(h).filter((m) => m.thread_ts && m.thread_ts !== m.ts && String(m.text).includes(text));

describe.each(ENGINES)('exactly once, on %s', (engine) => {
  let h: Harness | undefined;
  let other: Harness | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await Promise.all([h?.close(), other?.close()]);
    await database?.drop();
    h = other = database = undefined;
  });

  it('the same submission delivered twice at once calls SAFEDEBIT once and posts one link', async () => {
    const app = await startHarness({ engine });
    h = app;
    const { view } = await h.openModal();
    const payload = submissionOf(view);
    const answers = await Promise.all([1, 2].map(() => sendInteraction(app.baseUrl, SIGNING_SECRET, payload)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await h.waitForViewUpdate(view.id, isCreatedView);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.safedebit.requests).toHaveLength(1);
    expect(summaries(h)).toHaveLength(1);
    expect(channelMessages(h).filter((m) => String(m.text).includes('paypage?SDESSID='))).toHaveLength(1);
    expect(h.logs.some((line) => line.includes('"submission_repeat"'))).toBe(true);
  });

  it('a refusal leaves nothing in the channel, and the ledger says why', async () => {
    h = await startHarness({ engine });
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('EXIST_005'));
    expect(channelMessages(h)).toHaveLength(0);
    const rows = await h.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(rows).toMatchObject([{ state: 'refused', state_detail: 'EXIST_005', link: null, summary_ts: null }]);
  });

  it('stores the contact masked only: the full email and phone number are nowhere in the ledger', async () => {
    h = await startHarness({ engine });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    const rows = await h.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(VALID_FORM.consumer_email);
    expect(stored).not.toContain('12 34 56');
    expect(stored).not.toContain('612345678');
    expect(rows[0]).toMatchObject({
      state: 'created',
      amount_cents: 125050,
      currency: 'EUR',
      payment_reference: VALID_FORM.payment_reference,
      consumer_reference: VALID_FORM.consumer_reference,
      customer: 'Jean Dupont',
      summary_channel: SALES_CHANNEL.id,
    });
    expect(rows[0]?.masked_email).toMatch(/•/);
  });

  it('the same notification twice, then again after a restart, posts one reply', async () => {
    database = await freshDatabase(engine);
    const first = await startHarness({ databaseUrl: database.url });
    h = first;
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    const notification = { payment_status: 'SETTLED', pay_id: 'P-1' };
    const answers = await Promise.all([1, 2].map(() => postJson(callbackUrlOf(first), notification)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(repliesSaying(h, 'Paid')).toHaveLength(1);

    await h.close();
    other = await startHarness({ databaseUrl: database.url });
    const again = await postJson(callbackUrlOf(h, other.baseUrl), notification);
    expect(again.status).toBe(200);
    expect(other.standin.callsTo('chat.postMessage')).toHaveLength(0);
    expect(other.standin.callsTo('chat.update')).toHaveLength(0);
    h = undefined;
  });

  it('a late CREATED after SETTLED gets its reply but does not take the summary back', async () => {
    h = await startHarness({ engine });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect((await postJson(callbackUrlOf(h), { payment_status: 'SETTLED' })).status).toBe(200);
    expect((await postJson(callbackUrlOf(h), { payment_status: 'CREATED' })).status).toBe(200);
    expect(repliesSaying(h, 'Paid')).toHaveLength(1);
    expect(repliesSaying(h, 'Payment created')).toHaveLength(1);
    const [summary] = summaries(h);
    expect(visibleText(summary?.attachments)).toContain('Paid');
    const [row] = await h.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(row).toMatchObject({ payment_status: 'SETTLED', summary_status: 'SETTLED' });
  });

  it('a notification that arrives before the summary is kept, then shown once the summary is posted', async () => {
    h = await startHarness({ engine });
    const { view } = await h.openModal();
    // Slack slow to take the summary: SAFEDEBIT's notification overtakes it. The notification is sent once the summary
    // reached Slack, with time to spare for a loaded machine to handle it before Slack has posted the summary.
    h.standin.setDelay('chat.postMessage', 1_000);
    await h.submit(view, VALID_FORM);
    await h.standin.waitForCall('chat.postMessage');
    const early = await postJson(callbackUrlOf(h), { payment_status: 'SETTLED' });
    expect(early.status).toBe(200);
    expect(summaries(h)).toHaveLength(0);

    await h.waitForViewUpdate(view.id, isCreatedView, 10_000);
    const thread = channelMessages(h).filter((m) => m.thread_ts && m.thread_ts !== m.ts);
    expect(thread.map((m) => String(m.text))).toEqual([
      expect.stringContaining('paypage?SDESSID='),
      expect.stringContaining('Paid'),
    ]);
    expect(visibleText(summaries(h)[0]?.attachments)).toContain('Paid');
  });

  it('a notification that finds the summary recorded gets its reply after the link, never above it', async () => {
    const app = await startHarness({ engine });
    h = app;
    // The notification comes the moment the summary's place is in the ledger, and is answered before the flow
    // goes on: whatever the flow posts after recording the summary comes after the reply.
    const { ledger } = app.paylink;
    const recordSummary = ledger.recordSummary.bind(ledger);
    let callbackStatus: number | undefined;
    ledger.recordSummary = async (...args) => {
      const status = await recordSummary(...args);
      callbackStatus = (await postJson(callbackUrlOf(app), { payment_status: 'SETTLED' })).status;
      return status;
    };
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);

    expect(callbackStatus).toBe(200);
    const thread = channelMessages(h).filter((m) => m.thread_ts && m.thread_ts !== m.ts);
    expect(thread.map((m) => String(m.text))).toEqual([
      expect.stringContaining('paypage?SDESSID='),
      expect.stringContaining('Paid'),
    ]);
  });

  it('a notification that comes while another instance posts an earlier one is shown after it, not above it', async () => {
    database = await freshDatabase(engine);
    h = await startHarness({ databaseUrl: database.url });
    const first = h;
    other = await startHarness({
      databaseUrl: database.url,
      env: { SLACK_API_URL: first.standin.apiUrl, SAFEDEBIT_API_URL: first.safedebit.url },
    });
    const { view } = await first.openModal();
    await first.submit(view, VALID_FORM);
    await first.waitForViewUpdate(view.id, isCreatedView);
    // Slack slow to take the CREATED reply: the SETTLED that comes to the other instance meanwhile waits its turn.
    first.standin.setDelay('chat.postMessage', 800);
    const created = postJson(callbackUrlOf(first), { payment_status: 'CREATED' });
    const isReply = (call: { args: Record<string, unknown> }) => call.args.thread_ts !== undefined;
    const replies = () => first.standin.callsTo('chat.postMessage').filter(isReply);
    const linkReplies = replies().length;
    await first.standin.waitForCall('chat.postMessage', (call) => isReply(call) && replies().length > linkReplies);
    first.standin.setDelay('chat.postMessage', 0);
    const settled = await postJson(callbackUrlOf(first, other.baseUrl), { payment_status: 'SETTLED' });
    expect(settled.status).toBe(200);
    expect((await created).status).toBe(200);

    await expect.poll(() => repliesSaying(first, 'Paid'), { timeout: 5_000 }).toHaveLength(1);
    const thread = channelMessages(first).filter((m) => m.thread_ts && m.thread_ts !== m.ts);
    expect(thread.map((m) => String(m.text))).toEqual([
      expect.stringContaining('paypage?SDESSID='),
      expect.stringContaining('Payment created'),
      expect.stringContaining('Paid'),
    ]);
    expect(visibleText(summaries(first)[0]?.attachments)).toContain('Paid');
  });
});
