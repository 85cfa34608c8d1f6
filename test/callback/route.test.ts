import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALLBACK_ROUTE_PREFIX } from '../../src/constants.js';
import { ENGINES } from '../support/databases.js';
import {
  type Harness,
  PUBLIC_URL,
  SIGNING_SECRET,
  startHarness,
  VALID_FORM,
  visibleText,
} from '../support/paylink-harness.js';
import type { DisplayedView } from '../support/slack-api-standin.js';
import { messageShortcutPayload, sendInteraction } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

interface CreatedLink {
  callbackUrl: string;
  /** The link's summary, whose status line a notification updates. */
  summaryTs: string;
  /** The thread where the link was posted and status replies go. */
  threadTs: string;
  /** chat.postMessage calls made while creating the link (summary, link). */
  postsSoFar: number;
}

/**
 * A link created through the modal (opened by /paylink unless `openModal` says otherwise), the message that
 * shows its status, the thread it lives in, and the callback URL SAFEDEBIT was given, pointed at the running app.
 */
async function createLink(
  h: Harness,
  openModal: () => Promise<DisplayedView> = async () => (await h.openModal()).view,
): Promise<CreatedLink> {
  const view = await openModal();
  await h.submit(view, VALID_FORM);
  await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('paypage'));
  const sent = h.safedebit.requests.at(-1)?.body as { url_callback: string };
  expect(sent.url_callback.startsWith(`${PUBLIC_URL}${CALLBACK_ROUTE_PREFIX}/`)).toBe(true);
  const linkReply = h.standin
    .callsTo('chat.postMessage')
    .findLast((call) => String(call.args.text).includes('paypage'));
  // The summary carries the status line (an attachment); it is the last one posted where the link went.
  const summary = h.standin
    .messagesIn(String(linkReply?.args.channel))
    .findLast((message) => message.attachments !== undefined);
  return {
    callbackUrl: `${h.baseUrl}${sent.url_callback.slice(PUBLIC_URL.length)}`,
    summaryTs: String(summary?.ts),
    threadTs: String(linkReply?.args.thread_ts),
    postsSoFar: h.standin.callsTo('chat.postMessage').length,
  };
}

function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
}

/** The status replies the app asked Slack to post in the link's thread (refused attempts included). */
/** A JSON notification posted with `Content-Encoding: coding`, its body as given. */
function postEncoded(url: string, coding: string, body: string | Uint8Array): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': coding },
    body,
  });
}

function statusReplies(h: Harness, link: CreatedLink) {
  return h.standin
    .callsTo('chat.postMessage')
    .slice(link.postsSoFar)
    .filter((call) => call.args.thread_ts === link.threadTs);
}

/** The thread replies Slack now holds that say the link was paid. */
function paidRepliesHeld(h: Harness, threadTs: string) {
  return h.standin
    .messagesIn(SALES_CHANNEL.id)
    .filter((m) => m.thread_ts === threadTs && m.ts !== threadTs && String(m.text).includes('Paid'));
}

/** Every row of the ledger, to tell that a request changed nothing. */
async function ledgerRows(h: Harness) {
  const { db } = h.paylink.ledger;
  return {
    links: await db.selectFrom('links').selectAll().orderBy('id').execute(),
    notifications: await db.selectFrom('notifications').selectAll().orderBy('dedupe_key').execute(),
  };
}

function summaryMessage(h: Harness, summaryTs: string) {
  const message = h.standin.messagesIn(SALES_CHANNEL.id).find((m) => m.ts === summaryTs);
  if (!message) throw new Error(`no message ${summaryTs}`);
  return message;
}

/** 26 Nov 2026, 14:32 in Paris. */
const NOW = new Date('2026-11-26T13:32:00Z');
/** NOW in a status reply: Slack's token, shown in each viewer's own time zone; Paris time where Slack cannot. */
const REPLY_TIME = '<!date^1795699920^{time}|14:32>';
/** NOW on a status line, as REPLY_TIME. */
const LINE_DATE_TIME = '<!date^1795699920^{date_short}, {time}|26 Nov 2026, 14:32>';

describe.each(ENGINES)('SAFEDEBIT notification → the link’s thread (ledger on %s)', (engine) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ clock: () => NOW, engine });
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(['REJECTED', 'CANCELED'])(
    'a payment made after a %s attempt shows the link paid: in SEPA both come before settlement',
    async (failed) => {
      const link = await createLink(h);
      expect((await postJson(link.callbackUrl, { payment_status: failed, pay_id: 'P-1' })).status).toBe(200);
      expect((await postJson(link.callbackUrl, { payment_status: 'SETTLED', pay_id: 'P-2' })).status).toBe(200);
      expect(statusReplies(h, link)).toHaveLength(2);
      expect(visibleText(summaryMessage(h, link.summaryTs).attachments)).toContain('Paid');
      const [row] = await h.paylink.ledger.db.selectFrom('links').selectAll().execute();
      expect(row).toMatchObject({ payment_status: 'SETTLED', paid_at: expect.any(String) });
    },
  );

  it('a payment id holding a NUL character is kept without it, and its status posted', async () => {
    const link = await createLink(h);
    const response = await postJson(link.callbackUrl, { payment_status: 'SETTLED', pay_id: 'P-1\u0000' });
    expect(response.status).toBe(200);
    expect(statusReplies(h, link)).toHaveLength(1);
    const [kept] = await h.paylink.ledger.db.selectFrom('notifications').select('payment_id').execute();
    expect(kept?.payment_id).toBe('P-1');
  });

  it('a JSON POST posts the status in the thread, mentions the rep and updates the status line only', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const before = summaryMessage(h, summaryTs);

    const response = await postJson(callbackUrl, { payment_status: 'SETTLED', pay_id: 'P-1' });
    expect(response.status).toBe(200);

    const replies = statusReplies(h, link);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.args.channel).toBe(SALES_CHANNEL.id);
    expect(replies[0]?.args.text).toBe(`:white_check_mark: Paid · €1,250.50 · ${REPLY_TIME} · <@${SALES_REP.id}>`);

    const updates = h.standin.callsTo('chat.update').filter((call) => call.args.ts === summaryTs);
    const statusUpdate = updates.at(-1);
    // Sent again: Slack drops the blocks of a chat.update that has text and no blocks.
    expect(statusUpdate?.args.blocks).toEqual(before.blocks);
    const after = summaryMessage(h, summaryTs);
    expect(after.blocks).toEqual(before.blocks);
    expect(visibleText(after.attachments)).toContain(`Paid · ${LINE_DATE_TIME}`);
    expect(visibleText(after.attachments)).not.toContain('Awaiting payment');
    // Where Slack renders no date token: Paris time.
    const paidLine = ':white_check_mark: Paid · 26 Nov 2026, 14:32';
    expect(after.attachments).toMatchObject([{ color: '#2eb67d', fallback: paidLine }]);
    expect(statusUpdate?.args.text).toMatch(new RegExp(` — ${paidLine}$`));

    const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
    expect(logged).toMatchObject({
      level: 'info',
      status: 'SETTLED',
      kind: 'paid',
      outcome: 'posted',
      payment_reference: VALID_FORM.payment_reference,
      channel: SALES_CHANNEL.id,
    });
  });

  it('a link made inside a thread: the reply goes to that thread, the update to the link’s own message', async () => {
    const link = await createLink(h, async () => {
      await sendInteraction(
        h.baseUrl,
        SIGNING_SECRET,
        messageShortcutPayload({
          trigger_id: h.standin.issueTriggerId(),
          message: { ts: '1699999999.000200', thread_ts: '1699999990.000100', text: 'Deal ACME', user: 'U0OTHER' },
        }),
      );
      await h.standin.waitForCall('views.open');
      return h.standin.displayedViews().at(-1) as DisplayedView;
    });
    const { callbackUrl, summaryTs, threadTs } = link;
    expect(threadTs).toBe('1699999990.000100');
    expect(summaryTs).not.toBe(threadTs);

    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect(statusReplies(h, link).map((call) => call.args.text)).toEqual([
      `:white_check_mark: Paid · €1,250.50 · ${REPLY_TIME} · <@${SALES_REP.id}>`,
    ]);
    expect(h.standin.callsTo('chat.update').at(-1)?.args.ts).toBe(summaryTs);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Paid');
  });

  it('a form-encoded POST is read the same way', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const response = await postForm(callbackUrl, { status: 'rejected', payment_reference: 'F-2026-031' });
    expect(response.status).toBe(200);
    expect(statusReplies(h, link).map((call) => call.args.text)).toEqual([
      `:x: Rejected · €1,250.50 · ${REPLY_TIME} · <@${SALES_REP.id}>`,
    ]);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Rejected');
  });

  it('a multipart form (PHP curl with an array of fields) is read too', async () => {
    const link = await createLink(h);
    const { callbackUrl } = link;
    const form = new FormData();
    form.append('sdd_status', 'ISSUED');
    const response = await fetch(callbackUrl, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(statusReplies(h, link).map((call) => call.args.text)).toEqual([
      `:hourglass_flowing_sand: Debit issued · €1,250.50 · ${REPLY_TIME}`,
    ]);
  });

  it('without an allow-list, a GET carrying a status is a browser: the thank-you page, nothing changed, a warning', async () => {
    // A customer's browser could carry any status here (SAFEDEBIT's doc calls url_callback "URL de retour"): with no
    // address to tell SAFEDEBIT's servers apart, only a POST changes a status.
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const ledgerBefore = await ledgerRows(h);
    const response = await fetch(`${callbackUrl}?status=SETTLED&pay_id=P-9`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You can close this page.');

    expect(statusReplies(h, link)).toHaveLength(0);
    expect(h.standin.callsTo('chat.update').filter((call) => call.args.ts === summaryTs)).toHaveLength(0);
    expect(await ledgerRows(h)).toEqual(ledgerBefore);
    const visits = h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'callback_browser_visit');
    expect(visits).toMatchObject([{ level: 'warn', method: 'GET', link: expect.any(String), status_ignored: true }]);
    expect(visits[0].msg).toContain('PAYLINK_CALLBACK_ALLOWED_IPS');
    expect(JSON.stringify(visits)).not.toContain('SETTLED');
    // In the customer's browser's language, whatever the deployment's (PAYLINK_LOCALE=en here).
    const french = await fetch(callbackUrl, { headers: { accept: 'text/html', 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(await french.text()).toContain('Vous pouvez fermer cette page.');
  });

  it('a HEAD changes nothing, whatever its query string says: the thank-you page’s headers only', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const ledgerBefore = await ledgerRows(h);
    const head = await fetch(`${callbackUrl}?payment_status=SETTLED&pay_id=P-9`, { method: 'HEAD' });
    expect(head.status).toBe(200);

    expect(statusReplies(h, link)).toHaveLength(0);
    expect(h.standin.callsTo('chat.update').filter((call) => call.args.ts === summaryTs)).toHaveLength(0);
    expect(await ledgerRows(h)).toEqual(ledgerBefore);
    const visits = h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'callback_browser_visit');
    expect(visits).toMatchObject([{ level: 'info', method: 'HEAD' }]);
    expect(h.logs.join('\n')).not.toContain('P-9');
  });

  it('the same notification delivered twice, or twice at once, posts once', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    h.standin.setDelay('chat.postMessage', 150);
    const concurrent = await Promise.all([
      postJson(callbackUrl, { status: 'SETTLED', pay_id: 'P-1' }),
      postJson(callbackUrl, { status: 'SETTLED', pay_id: 'P-1' }),
    ]);
    h.standin.setDelay('chat.postMessage', 0);
    const again = await postForm(callbackUrl, { status: 'settled', pay_id: 'P-1' });
    expect([...concurrent, again].map((response) => response.status)).toEqual([200, 200, 200]);
    expect(statusReplies(h, link)).toHaveLength(1);
    expect(h.standin.callsTo('chat.update').filter((call) => call.args.ts === summaryTs)).toHaveLength(1);

    // Another status, or another payment with the same status, is news.
    await postJson(callbackUrl, { status: 'SETTLED', pay_id: 'P-2' });
    await postJson(callbackUrl, { status: 'REMBOURSE', pay_id: 'P-2' });
    expect(statusReplies(h, link)).toHaveLength(3);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Refunded');
  });

  it('an unknown status is shown as received, escaped, without mentioning the rep', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const response = await postJson(callbackUrl, { status: 'ON_HOLD <!channel>' });
    expect(response.status).toBe(200);
    expect(statusReplies(h, link).map((call) => call.args.text)).toEqual([
      `:grey_question: SAFEDEBIT status “ON_HOLD &lt;!channel&gt;” · €1,250.50 · ${REPLY_TIME}`,
    ]);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain(
      'SAFEDEBIT status “ON_HOLD &lt;!channel&gt;”',
    );
  });

  it.each([
    ['forged', (token: string) => `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`],
    ['truncated', (token: string) => token.slice(0, -2)],
    ['extended', (token: string) => `${token}AA`],
    ['made up', () => 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('a %s token is a 404, posts nothing and logs a warning', async (_name, alter) => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const base = callbackUrl.slice(0, callbackUrl.lastIndexOf('/') + 1);
    const token = callbackUrl.slice(base.length);
    const postsBefore = h.standin.callsTo('chat.postMessage').length;
    const updatesBefore = h.standin.callsTo('chat.update').length;

    const response = await postJson(`${base}${alter(token)}`, { status: 'SETTLED' });
    expect(response.status).toBe(404);
    expect(h.standin.callsTo('chat.postMessage')).toHaveLength(postsBefore);
    expect(h.standin.callsTo('chat.update')).toHaveLength(updatesBefore);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Awaiting payment');
    const warning = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback_rejected');
    expect(warning).toMatchObject({ level: 'warn', reason: 'bad_token' });
  });

  it('a 10 MB body is refused with 413 quickly, without posting', async () => {
    const link = await createLink(h);
    const { callbackUrl } = link;
    const huge = JSON.stringify({ status: 'SETTLED', padding: 'x'.repeat(10 * 1024 * 1024) });
    const startedAt = performance.now();
    const response = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect(performance.now() - startedAt).toBeLessThan(2000);
    expect(statusReplies(h, link)).toHaveLength(0);
  });

  // Compressed as an HTTP client set to compress what it sends, or a proxy, would post it: read, never taken as a
  // notification without a status and acknowledged, which SAFEDEBIT would not send again.
  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('a body sent with Content-Encoding: %s is read', async (coding, compress) => {
    const link = await createLink(h);
    const response = await postEncoded(link.callbackUrl, coding, compress(JSON.stringify({ status: 'SETTLED' })));
    expect(response.status).toBe(200);
    expect(statusReplies(h, link)).toHaveLength(1);
  });

  it('a body in a coding paylink cannot read is refused with 415, naming those it can; a corrupt one with 400', async () => {
    const link = await createLink(h);
    const unknown = await postEncoded(link.callbackUrl, 'compress', 'whatever');
    expect(unknown.status).toBe(415);
    expect(unknown.headers.get('accept-encoding')).toBe('gzip, deflate, br');
    // A name every object has is no coding either.
    const inherited = await postEncoded(link.callbackUrl, 'constructor', JSON.stringify({ status: 'SETTLED' }));
    expect(inherited.status).toBe(415);
    const corrupt = await postEncoded(link.callbackUrl, 'gzip', JSON.stringify({ status: 'SETTLED' }));
    expect(corrupt.status).toBe(400);
    expect(statusReplies(h, link)).toHaveLength(0);
    const warnings = h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'callback_rejected');
    expect(warnings.map((entry) => entry.reason)).toEqual([
      'unsupported_encoding',
      'unsupported_encoding',
      'undecodable_body',
    ]);
  });

  it('a compressed body that inflates past the limit is refused with 413, without inflating it whole', async () => {
    const link = await createLink(h);
    const bomb = gzipSync(JSON.stringify({ status: 'SETTLED', padding: 'x'.repeat(5 * 1024 * 1024) }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const response = await postEncoded(link.callbackUrl, 'gzip', bomb);
    expect(response.status).toBe(413);
    expect(statusReplies(h, link)).toHaveLength(0);
  });

  it('a huge body without a declared length is cut off at the limit', async () => {
    const link = await createLink(h);
    const { callbackUrl } = link;
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 160) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await fetch(callbackUrl, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(160);
    expect(statusReplies(h, link)).toHaveLength(0);
  });

  it('Slack failing: 503 so that SAFEDEBIT delivers again, and the redelivery posts once', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    h.standin.failNext('chat.postMessage', 'internal_error');
    const failed = await postJson(callbackUrl, { status: 'SETTLED' });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBeTruthy();
    expect(paidRepliesHeld(h, summaryTs)).toHaveLength(0);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Awaiting payment');

    const redelivered = await postJson(callbackUrl, { status: 'SETTLED' });
    expect(redelivered.status).toBe(200);
    const again = await postJson(callbackUrl, { status: 'SETTLED' });
    expect(again.status).toBe(200);
    expect(paidRepliesHeld(h, summaryTs)).toHaveLength(1);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Paid');
  });

  it('the ledger failing mid-delivery: 503 as well, logged as the ledger’s failure, not Slack’s', async () => {
    const link = await createLink(h);
    const { ledger } = h.paylink;
    const { claimReply } = ledger;
    ledger.claimReply = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    };
    const failed = await postJson(link.callbackUrl, { status: 'SETTLED' });
    expect(failed.status).toBe(503);
    expect(await failed.text()).toContain('ledger');
    const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
    expect(logged).toMatchObject({ level: 'error', outcome: 'ledger_unavailable', error: 'ECONNREFUSED' });
    expect(paidRepliesHeld(h, link.summaryTs)).toHaveLength(0);

    ledger.claimReply = claimReply;
    expect((await postJson(link.callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect(paidRepliesHeld(h, link.summaryTs)).toHaveLength(1);
  });

  it.each(['findLink', 'recordNotification'] as const)(
    'the ledger out of reach at its first call (%s): 503 too, and the redelivery posts once',
    async (method) => {
      const link = await createLink(h);
      const { ledger } = h.paylink;
      const original = ledger[method];
      ledger[method] = async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      };
      const failed = await postJson(link.callbackUrl, { status: 'SETTLED' });
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('60');
      const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
      expect(logged).toMatchObject({ level: 'error', outcome: 'ledger_unavailable', error: 'ECONNREFUSED' });

      ledger[method] = original as never;
      expect((await postJson(link.callbackUrl, { status: 'SETTLED' })).status).toBe(200);
      expect(paidRepliesHeld(h, link.summaryTs)).toHaveLength(1);
    },
  );

  it.each(['findLink', 'recordNotification', 'claimReply'] as const)(
    'a ledger failure with no code (%s; pg’s "Connection terminated unexpectedly") is logged in its words, not as a repeat',
    async (method) => {
      const link = await createLink(h);
      const { ledger } = h.paylink;
      const original = ledger[method];
      ledger[method] = async () => {
        throw new Error('Connection terminated unexpectedly');
      };
      expect((await postJson(link.callbackUrl, { status: 'SETTLED' })).status).toBe(503);
      ledger[method] = original as never;
      const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
      expect(logged).toMatchObject({ outcome: 'ledger_unavailable', error: 'Connection terminated unexpectedly' });
      // Not recorded, the notification may or may not have come before: unknown, so not said. Recorded, it is new.
      expect(logged.repeat).toBe(method === 'claimReply' ? false : undefined);
    },
  );

  it('a failed status-line update is retried alone on redelivery: the reply is not posted twice', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    h.standin.failNext('chat.update', 'internal_error');
    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(503);
    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect(paidRepliesHeld(h, summaryTs)).toHaveLength(1);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Paid');
  });

  it('a 429 storm past the client’s retries is a 503 too, and the redelivery posts once', async () => {
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    // paylink's Slack client makes 5 attempts before giving up (src/slack/web-api.ts).
    h.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 0 }, 5);
    const failed = await postJson(callbackUrl, { status: 'SETTLED' });
    expect(failed.status).toBe(503);
    expect(paidRepliesHeld(h, summaryTs)).toHaveLength(0);
    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect(paidRepliesHeld(h, summaryTs)).toHaveLength(1);
  });

  it.each([
    'is_archived',
    // An admin locked the thread since the link was posted: Slack will not take a reply there again.
    'restricted_action_thread_locked',
  ])(
    'a conversation the bot may no longer post in (%s) is acknowledged (a repeat cannot help) and logged as an error',
    async (error) => {
      const { callbackUrl } = await createLink(h);
      h.standin.failNext('chat.postMessage', error);
      const response = await postJson(callbackUrl, { status: 'SETTLED' });
      expect(response.status).toBe(200);
      const logged = h.logs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'callback');
      expect(logged).toMatchObject({ level: 'error', outcome: 'undeliverable', error });
    },
  );

  it('a payment whose thread takes no more replies reaches the rep in their DM, once; a pending status does not', async () => {
    const { callbackUrl } = await createLink(h);
    const directMessages = () =>
      h.standin.callsTo('chat.postMessage').filter((call) => String(call.args.channel).startsWith('D'));
    h.standin.failNext('chat.postMessage', 'is_archived');
    expect((await postJson(callbackUrl, { status: 'WAITING' })).status).toBe(200);
    expect(directMessages()).toHaveLength(0);
    h.standin.failNext('chat.postMessage', 'is_archived');
    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect((await postJson(callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect(directMessages().map((call) => String(call.args.text))).toEqual([
      expect.stringMatching(
        /^:white_check_mark: Paid · €1,250\.50 · .+\nPayment link ref\. F-2026-031: its thread in <#C0SALES> takes no more replies/,
      ),
    ]);
    expect(h.logs.map((line) => JSON.parse(line)).filter((e) => e.event === 'status_sent_apart')).toHaveLength(1);
  });

  it('a GET without a status is the customer’s browser: a thank-you page, nothing posted', async () => {
    const link = await createLink(h);
    const { callbackUrl } = link;
    const response = await fetch(`${callbackUrl}?SDESSID=abc`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await response.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('You can close this page.');
    expect(statusReplies(h, link)).toHaveLength(0);
    expect(h.logs.map((line) => JSON.parse(line)).find((e) => e.event === 'callback_browser_visit')).toMatchObject({
      method: 'GET',
    });

    const head = await fetch(callbackUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(statusReplies(h, link)).toHaveLength(0);
  });

  it('a POST without any recognizable status posts nothing and logs the field names, not the values', async () => {
    const link = await createLink(h);
    const { callbackUrl } = link;
    const response = await postJson(callbackUrl, {
      consumer_email: 'jean.dupont@example.com',
      amount: '987654',
      consumer_last_name: 'Zorglub',
    });
    expect(response.status).toBe(200);
    expect(statusReplies(h, link)).toHaveLength(0);
    const logged = h.logs.find((line) => line.includes('callback_without_status'));
    expect(logged).toContain('consumer_last_name');
    // The logger masks an email whatever the route writes, so values it leaves alone are what show a leak.
    expect(logged).not.toContain('987654');
    expect(logged).not.toContain('Zorglub');
    expect(logged).not.toContain('jean.dupont');
  });

  it('never logs the body', async () => {
    const { callbackUrl } = await createLink(h);
    await postJson(callbackUrl, { status: 'SETTLED', consumer_last_name: 'Zorglub-Unique' });
    expect(h.logs.join('\n')).not.toContain('Zorglub-Unique');
  });
});

describe.each(ENGINES)('a thread reply Slack did not take (ledger on %s)', (engine) => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('is posted by the status round, once, when SAFEDEBIT does not deliver the notification again', async () => {
    h = await startHarness({ clock: () => NOW, engine, statusRoundPeriodMs: 200 });
    const { callbackUrl, summaryTs } = await createLink(h);
    // Refused twice: the route tries once (a round may claim the reply first), so a round posts it in the end.
    h.standin.failNext('chat.postMessage', 'internal_error', 2);
    expect([200, 503]).toContain((await postJson(callbackUrl, { status: 'SETTLED' })).status);
    await expect.poll(() => paidRepliesHeld(h, summaryTs).length, { timeout: 5_000 }).toBe(1);
    // The status line is rewritten right after the reply is posted.
    await expect.poll(() => visibleText(summaryMessage(h, summaryTs).attachments)).toContain('Paid');
    // Later rounds find nothing left to post.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(paidRepliesHeld(h, summaryTs)).toHaveLength(1);
  });
});

describe('SAFEDEBIT_LINK_DURATION', () => {
  it("shows the expiry date and time in the summary, in each viewer's time zone, else in the locale and Paris time", async () => {
    const h = await startHarness({
      clock: () => NOW,
      env: { SAFEDEBIT_LINK_DURATION: '7', SAFEDEBIT_LINK_DURATION_UNIT: 'days', PAYLINK_LOCALE: 'fr' },
    });
    try {
      const { summaryTs } = await createLink(h);
      expect(h.safedebit.requests.at(-1)?.body).toMatchObject({ link_duration: 7 });
      const summary = visibleText(summaryMessage(h, summaryTs).blocks);
      expect(summary).toContain('*Expire le*\n<!date^1796304720^{date_short}, {time}|3 déc. 2026, 14:32>');
    } finally {
      await h.close();
    }
  });
});

describe.each(ENGINES)('PAYLINK_CALLBACK_ALLOWED_IPS (ledger on %s)', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const start = async (env: Record<string, string>) => {
    h = await startHarness({ clock: () => NOW, engine, env });
    return h;
  };
  const refusals = (h: Harness) =>
    h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.reason === 'address_not_allowed');

  it('a sender outside the list gets 403: nothing posted, nothing recorded, its address logged', async () => {
    const h = await start({ PAYLINK_CALLBACK_ALLOWED_IPS: '203.0.113.0/24, 2001:db8::1' });
    const link = await createLink(h);
    const before = await ledgerRows(h);

    const refused = await postJson(link.callbackUrl, { status: 'SETTLED' });
    expect(refused.status).toBe(403);
    // Without a trusted proxy, X-Forwarded-For is whatever the sender wrote: not believed.
    const forwarded = await fetch(link.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ status: 'SETTLED' }),
    });
    expect(forwarded.status).toBe(403);
    // A GET from outside the list asking for a page is a customer's browser back on the "URL de retour": the thank-you
    // page, no 403. One that is not (a server of SAFEDEBIT's the list lacks) is refused, to come again once listed.
    const byBrowser = await fetch(`${link.callbackUrl}?status=SETTLED`, {
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', 'accept-language': 'fr-FR' },
    });
    expect(byBrowser.status).toBe(200);
    expect(await byBrowser.text()).toContain('Merci');
    const byServer = await fetch(`${link.callbackUrl}?status=SETTLED`);
    await byServer.arrayBuffer();
    expect(byServer.status).toBe(403);

    expect(statusReplies(h, link)).toHaveLength(0);
    expect(await ledgerRows(h)).toEqual(before);
    expect(visibleText(summaryMessage(h, link.summaryTs).attachments)).toContain('Awaiting payment');
    expect(refusals(h)).toMatchObject([
      { level: 'warn', event: 'callback_rejected', method: 'POST', address: '127.0.0.1' },
      { level: 'warn', event: 'callback_rejected', method: 'POST', address: '127.0.0.1' },
      { level: 'warn', event: 'callback_rejected', method: 'GET', address: '127.0.0.1' },
    ]);
    // The status it carried is ignored with a warning naming the address: SAFEDEBIT's new servers, or a customer.
    const visits = h.logs.map((line) => JSON.parse(line)).filter((e) => e.event === 'callback_browser_visit');
    expect(visits).toMatchObject([{ level: 'warn', method: 'GET', status_ignored: true, address: '127.0.0.1' }]);
    expect(JSON.stringify(visits)).not.toContain('SETTLED');
    // A browser without a status is shown the thank-you page too.
    expect((await fetch(link.callbackUrl)).status).toBe(200);
  });

  it('from an allowed sender, a GET whose query string holds a status is a notification: kept, replied to once', async () => {
    // SAFEDEBIT does not document its notification's method; its summary says to accept GET as well as POST.
    const h = await start({ PAYLINK_CALLBACK_ALLOWED_IPS: '127.0.0.0/8' });
    const link = await createLink(h);
    const { callbackUrl, summaryTs } = link;
    const url = `${callbackUrl}?status=SETTLED&pay_id=P-9&payment_reference=F-2026-031`;
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You can close this page.');
    const again = await fetch(url);
    await again.arrayBuffer();
    expect(again.status).toBe(200);

    expect(statusReplies(h, link).map((call) => call.args.text)).toEqual([
      `:white_check_mark: Paid · €1,250.50 · ${REPLY_TIME} · <@${SALES_REP.id}>`,
    ]);
    expect(visibleText(summaryMessage(h, summaryTs).attachments)).toContain(`Paid · ${LINE_DATE_TIME}`);
    const kept = await h.paylink.ledger.db.selectFrom('notifications').select(['status', 'payment_id']).execute();
    expect(kept).toEqual([{ status: 'SETTLED', payment_id: 'P-9' }]);
    expect(h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'callback')).toMatchObject([
      { method: 'GET', status: 'SETTLED', repeat: false },
      { method: 'GET', status: 'SETTLED', repeat: true },
    ]);
  });

  it.each(['127.0.0.0/8', '::1, 127.0.0.1'])('“%s” lets the loopback post', async (allowed) => {
    const h = await start({ PAYLINK_CALLBACK_ALLOWED_IPS: allowed });
    const link = await createLink(h);
    expect((await postJson(link.callbackUrl, { status: 'SETTLED' })).status).toBe(200);
    expect(statusReplies(h, link).map((call) => call.args.text)).toEqual([
      `:white_check_mark: Paid · €1,250.50 · ${REPLY_TIME} · <@${SALES_REP.id}>`,
    ]);
    expect(refusals(h)).toHaveLength(0);
  });

  it('behind one trusted proxy, the address the proxy appended to X-Forwarded-For decides', async () => {
    const h = await start({ PAYLINK_CALLBACK_ALLOWED_IPS: '203.0.113.7', PAYLINK_TRUST_PROXY: '1' });
    const link = await createLink(h);
    const post = (forwardedFor?: string) =>
      fetch(link.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
        },
        body: JSON.stringify({ status: 'SETTLED' }),
      });

    // The sender put the allowed address first; the proxy appended where it really came from.
    expect((await post('203.0.113.7, 198.51.100.9')).status).toBe(403);
    // Not through the proxy: the socket's address.
    expect((await post()).status).toBe(403);
    // An address the proxy's entry does not hold: nothing to check against the list, so refused.
    expect((await post('not-an-address')).status).toBe(403);
    expect(statusReplies(h, link)).toHaveLength(0);
    expect(refusals(h).map((entry) => entry.address)).toEqual(['198.51.100.9', '127.0.0.1', 'unreadable']);

    expect((await post('198.51.100.9, 203.0.113.7')).status).toBe(200);
    expect(statusReplies(h, link)).toHaveLength(1);
  });
});

describe('the thank-you page', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(); // PAYLINK_LOCALE=en
  });
  afterEach(async () => {
    await h.close();
  });

  it.each([
    ['?lang=fr', '', 'fr', 'Vous pouvez fermer cette page.'],
    ['?lang=en-US', 'fr-FR,fr;q=0.9', 'en', 'You can close this page.'],
    ['', '', 'en', 'You can close this page.'],
    ['?lang=de', '', 'en', 'You can close this page.'],
    // Without `lang`, the browser's language when paylink speaks it.
    ['', 'de-DE, fr;q=0.8, en;q=0.5', 'fr', 'Vous pouvez fermer cette page.'],
    ['?lang=de', 'fr-CA', 'fr', 'Vous pouvez fermer cette page.'],
  ])('/thanks%s asked by a browser in %j is in %s', async (query, acceptLanguage, lang, text) => {
    const response = await fetch(`${h.baseUrl}/thanks${query}`, { headers: { 'accept-language': acceptLanguage } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain(`<html lang="${lang}">`);
    expect(page).toContain(text);
  });

  it('answers HEAD without a body, and nothing but GET and HEAD', async () => {
    const head = await fetch(`${h.baseUrl}/thanks`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${h.baseUrl}/thanks`, { method: 'POST', body: 'status=SETTLED' })).status).toBe(404);
  });
});
