import { afterEach, describe, expect, it } from 'vitest';
import { monthKey, monthOf } from '../../src/domain/month.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import {
  type Harness,
  PUBLIC_URL,
  SIGNING_SECRET,
  startHarness,
  VALID_FORM,
  visibleText,
} from '../support/paylink-harness.js';
import { createSandboxLink, NO_SAFEDEBIT } from '../support/sandbox-links.js';
import type { SlackApiCall } from '../support/slack-api-standin.js';
import { appHomeOpenedEvent, sendEvent, sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP, type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

let running: Harness | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('without SAFEDEBIT credentials (development)', () => {
  it('runs the whole flow against the built-in sandbox, and every message and log line says SANDBOX', async () => {
    const h = await startHarness({ env: { ...NO_SAFEDEBIT } });
    running = h;
    expect(await (await fetch(`${h.baseUrl}/healthz`)).json()).toMatchObject({ safedebit: 'SANDBOX' });

    const help = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'help' });
    expect(visibleText(help.json)).toMatch(/^\[SANDBOX\]/);

    const { view } = await h.openModal();
    expect(visibleText(view.title)).toContain('SANDBOX');
    await h.submit(view, VALID_FORM);
    const created = await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('/sandbox/pay/'));
    expect(visibleText(created.args.view)).toContain('SANDBOX');

    expect(h.safedebit.requests).toHaveLength(0); // the test's own sandbox is not the one used
    const [summary, reply] = h.standin.messagesIn(SALES_CHANNEL.id);
    expect(String(summary?.text)).toMatch(/^\[SANDBOX\]/);
    expect(String(reply?.text)).toMatch(/^\[SANDBOX\]/);
    // On paylink's own port, under its public URL: wherever paylink is reachable, so is the sandbox.
    const link = String(reply?.text).match(/https?:\/\/[^\s|>]+/)?.[0] ?? '';
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/sandbox/pay/[0-9a-f]{32}$`));
    const page = await fetch(`${h.baseUrl}${new URL(link).pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SANDBOX');

    expect(h.logs.length).toBeGreaterThan(5);
    for (const line of h.logs) expect(JSON.parse(line)).toMatchObject({ safedebit: 'SANDBOX' });
  });

  it.each([
    ['http://192.0.2.1:3000', true],
    ['http://localhost:3000', false],
    [PUBLIC_URL, false],
  ])('warns at start when PAYLINK_PUBLIC_URL=%s makes sandbox links unacceptable: %s', async (publicUrl, warns) => {
    running = await startHarness({ env: { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: publicUrl } });
    const warned = running.logs.some((line) => line.includes('"sandbox_links_refused"'));
    expect(warned).toBe(warns);
  });

  it('is refused in production: no sandbox there', async () => {
    await expect(startHarness({ env: { ...NO_SAFEDEBIT, NODE_ENV: 'production' } })).rejects.toThrow(
      'SAFEDEBIT_API_URL: required in production',
    );
  });
});

function threadReplies(h: Harness, threadTs: string) {
  return h.standin.messagesIn(SALES_CHANNEL.id).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
}

function statusLine(h: Harness, summaryTs: string): string {
  return visibleText(h.standin.messagesIn(SALES_CHANNEL.id).find((m) => m.ts === summaryTs)?.attachments);
}

function press(link: string, decision: 'pay' | 'refuse'): Promise<Response> {
  return fetch(link, { method: 'POST', body: new URLSearchParams({ decision }), redirect: 'manual' });
}

describe.each(ENGINES)('the sandbox closes the loop (ledger on %s)', (engine) => {
  // No public URL: links and callbacks go to http://localhost:<the port the system picked>.
  const start = async (env: Record<string, string> = {}) => {
    running = await startHarness({ engine, env: { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: '', ...env } });
    return running;
  };

  it('link → page → pay → 303 to the thank-you page, and the thread says Paid', async () => {
    const h = await start();
    const { link, threadTs, summaryTs } = await createSandboxLink(h);
    const base = `http://localhost:${h.paylink.port}`;
    expect(link).toMatch(new RegExp(`^${base}/sandbox/pay/[0-9a-f]{32}$`));

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('SANDBOX');
    expect(html).toContain('<dd>€1,250.50</dd>');
    expect(html).toContain('<dd>F-2026-031</dd>');
    expect(html).toContain('<dd>Jean Dupont · CUST-42</dd>');
    expect(html).toContain('<form method="post"><button name="decision" value="pay">Pay</button>');
    expect(html).not.toContain('<script');
    expect(threadReplies(h, threadTs)).toHaveLength(1); // the link itself

    const started = performance.now();
    const paid = await press(link, 'pay');
    expect(paid.status).toBe(303);
    // The notification reached paylink, and paylink Slack, before the browser was sent on.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(paid.headers.get('location')).toBe(`${base}/thanks?lang=en`);
    const replies = threadReplies(h, threadTs);
    expect(replies).toHaveLength(2);
    expect(String(replies[1]?.text)).toMatch(/^\[SANDBOX\] :white_check_mark: Paid · €1,250\.50 · /);
    expect(statusLine(h, summaryTs)).toContain('Paid');
    const summary = h.standin.messagesIn(SALES_CHANNEL.id).find((m) => m.ts === summaryTs);
    expect(String(summary?.text)).toMatch(/^\[SANDBOX\] .* — :white_check_mark: Paid/);
    expect(statusLine(h, summaryTs)).not.toContain('Awaiting payment');
    const thanks = await fetch(String(paid.headers.get('location')));
    expect(await thanks.text()).toContain('You can close this page.');

    // Pressed again (back button, double click): nothing more is sent; the page says what was chosen.
    expect((await press(link, 'refuse')).status).toBe(303);
    expect(threadReplies(h, threadTs)).toHaveLength(2);
    const after = await (await fetch(link)).text();
    expect(after).toContain('This payment was made.');
    expect(after).not.toContain('<form');
    const sent = h.logs.map((line) => JSON.parse(line)).find((e) => e.event === 'sandbox_notification_sent');
    expect(sent).toMatchObject({ status: 'SETTLED', http_status: 200, payment_reference: 'F-2026-031' });
  });

  it('refuse → the thread says Rejected', async () => {
    const h = await start();
    const { link, threadTs, summaryTs } = await createSandboxLink(h);
    const refused = await press(link, 'refuse');
    expect(refused.status).toBe(303);
    expect(String(threadReplies(h, threadTs)[1]?.text)).toMatch(/^\[SANDBOX\] :x: Rejected · €1,250\.50 · /);
    expect(statusLine(h, summaryTs)).toContain('Rejected');
    expect(await (await fetch(link)).text()).toContain('This payment was refused.');
  });

  it('in French: the page, the amount and the thank-you page', async () => {
    const h = await start({ PAYLINK_LOCALE: 'fr' });
    const { link } = await createSandboxLink(h);
    const html = await (await fetch(link)).text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toMatch(/<dd>1\s250,50\s€<\/dd>/u);
    expect(html).toContain('value="refuse">Refuser</button>');
    const paid = await press(link, 'pay');
    expect(paid.headers.get('location')).toMatch(/\/thanks\?lang=fr$/);
  });

  it('a notification paylink refuses is shown on the page, and pressing again delivers it', async () => {
    const h = await start({ PAYLINK_CALLBACK_ALLOWED_IPS: '203.0.113.7' });
    const { link, threadTs } = await createSandboxLink(h);
    const refused = await press(link, 'pay');
    expect(refused.status).toBe(502);
    const page = await refused.text();
    expect(page).toContain('The sandbox could not notify paylink (paylink answered HTTP 403)');
    expect(page).toContain('<form method="post">');
    expect(threadReplies(h, threadTs)).toHaveLength(1);
    const logged = h.logs.map((line) => JSON.parse(line)).find((e) => e.event === 'sandbox_notification_refused');
    expect(logged).toMatchObject({ level: 'warn', http_status: 403 });
  });

  it('a payment paylink kept while Slack failed (503): the page and the thread end up saying the same', async () => {
    const h = await start();
    const { link, summaryTs } = await createSandboxLink(h);
    h.standin.failNext('chat.postMessage', 'internal_error', 1);
    const unconfirmed = await press(link, 'pay');
    expect(unconfirmed.status).toBe(502);
    expect(await unconfirmed.text()).toContain('paylink did not confirm it took the notification');
    // The customer, not told nothing was recorded, has only Pay to press again.
    expect((await press(link, 'refuse')).status).toBe(303);
    expect(await (await fetch(link)).text()).toContain('This payment was made.');
    await expect.poll(() => statusLine(h, summaryTs)).toContain('Paid');
  });

  it('in Socket Mode too: the sandbox is on PORT, where the callbacks are', async () => {
    running = await startHarness({ engine, socketMode: true, env: { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: '' } });
    const h = running;
    const { view } = await h.overSocket.openModal();
    await h.overSocket.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('/sandbox/pay/'));
    const reply = h.standin.messagesIn(SALES_CHANNEL.id).findLast((m) => String(m.text).includes('/sandbox/pay/'));
    const link = String(reply?.text).match(/https?:\/\/[^\s|>]+/)?.[0] ?? '';
    expect(link.startsWith(`http://localhost:${h.paylink.port}/sandbox/pay/`)).toBe(true);
    expect((await press(link, 'pay')).status).toBe(303);
    expect(threadReplies(h, String(reply?.thread_ts)).map((m) => String(m.text))).toEqual([
      expect.stringContaining('/sandbox/pay/'),
      expect.stringMatching(/^\[SANDBOX\] :white_check_mark: Paid · /),
    ]);
  });

  it('an unknown payment page is a 404 that says why', async () => {
    const h = await start();
    const response = await fetch(`${h.baseUrl}/sandbox/pay/0123456789abcdef0123456789abcdef`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('paylink has restarted since it was made');
  });

  it.each([
    ['SANDBOX-EXIST-1', 'link_refused', { code: 'EXIST_005' }],
    ['SANDBOX-REFUSE-1', 'link_refused', {}],
    ['sandbox-slow-1', 'link_outage', { reason: 'timeout' }],
    ['SANDBOX-HTML500', 'link_outage', { reason: 'http_status', detail: expect.stringContaining('HTTP 500') }],
  ])('the test reference %s takes its path through paylink’s client', async (reference, event, fields) => {
    const h = await start({ SAFEDEBIT_TIMEOUT_MS: '500' });
    const { view } = await h.openModal();
    await h.submit(view, { ...VALID_FORM, payment_reference: reference });
    await expect
      .poll(() => h.logs.map((line) => JSON.parse(line)).find((e) => e.event === event), { timeout: 3000 })
      .toMatchObject({ payment_reference: reference, ...fields });
  });
});

describe.each(ENGINES)('trial links, once paylink goes live on the same ledger (%s)', (engine) => {
  const harnesses = testHarnesses(engine);
  const ADMIN: SlackUser = { id: 'U0FINANCE', username: 'finance', name: 'finance', team_id: TEAM_ID };

  /** `/paylink <text>` as `user`: what paylink answers at the command's response_url. */
  async function paylink(h: Harness, text: string, user: SlackUser = SALES_REP): Promise<string> {
    const responseUrl = h.standin.responseUrl();
    await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
      text,
      user_id: user.id,
      user_name: user.username,
      response_url: responseUrl,
    });
    return visibleText((await h.standin.waitForResponse((post) => post.url === responseUrl)).body);
  }

  it('are not listed, counted, exported or reminded by the live instance; the sandbox still shows them', async () => {
    const clock = movableClock();
    // The month the links are made in, exported after the clock has moved on to remind them (maybe into the next).
    const month = monthKey(monthOf(clock.now(), 'Europe/Paris'));
    // The admin tries the sandbox, as "Setting up the Slack app" invites: one link paid, one left unpaid.
    const sandboxEnv = { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: '', PAYLINK_REMIND_AFTER: '72h' };
    const trial = await harnesses.start({ clock: clock.now, env: sandboxEnv });
    const { link } = await createSandboxLink(trial, { ...VALID_FORM, payment_reference: 'TEST-PAID' });
    expect((await press(link, 'pay')).status).toBe(303);
    await createSandboxLink(trial, { ...VALID_FORM, payment_reference: 'TEST-UNPAID' });
    await harnesses.stop(trial);

    // SAFEDEBIT's credentials filled in, paylink restarted on the same ledger.
    const liveEnv = { PAYLINK_ADMINS: ADMIN.id, PAYLINK_REMIND_AFTER: '72h' };
    const live = await harnesses.start({ clock: clock.now, reminderPeriodMs: 30, env: liveEnv });
    await live.createLink({ ...VALID_FORM, payment_reference: 'F-REAL' });
    await sendEvent(live.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id));
    const home = visibleText((await live.standin.waitForCall('views.publish')).args.view);
    expect(home).toMatch(/\*Awaiting payment\*\n1 link · €1,250\.50\n\*Paid in \w+ \d{4}\*\nno links/);
    expect(home).not.toContain('TEST-');
    expect(await paylink(live, 'list')).not.toContain('TEST-');
    expect(await paylink(live, 'status TEST-PAID')).toContain('None of your links has the reference');
    expect(await paylink(live, `export ${month}`, ADMIN)).toContain('(1 link)');
    const csv = live.standin.uploadedFiles()[0]?.bytes?.toString('utf8') ?? '';
    expect(csv).toContain('F-REAL');
    expect(csv).not.toContain('TEST-');

    clock.advance(73 * 3_600_000);
    const isReminder = (call: SlackApiCall) => String(call.args.text).includes('still awaiting payment');
    await expect.poll(() => live.standin.callsTo('chat.postMessage').filter(isReminder).length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reminders = live.standin.callsTo('chat.postMessage').filter(isReminder);
    expect(reminders.map((call) => String(call.args.text))).toEqual([expect.stringContaining('F-REAL')]);
    await harnesses.stop(live);

    // Back to the sandbox (credentials removed): its own links only.
    const again = await harnesses.start({ clock: clock.now, env: { ...sandboxEnv, PAYLINK_ADMINS: ADMIN.id } });
    const list = await paylink(again, 'list');
    expect(list).toContain('TEST-PAID');
    expect(list).toContain('TEST-UNPAID');
    expect(list).not.toContain('F-REAL');
    // Its export says it is a trial in the file's name and title, which go wherever the file is passed on.
    await paylink(again, `export ${month}`, ADMIN);
    const trialFile = again.standin.uploadedFiles()[0];
    expect(trialFile?.filename).toMatch(/^paylink-sandbox-\d{4}-\d{2}\.csv$/);
    expect(trialFile?.title).toMatch(/^\[SANDBOX\] paylink · links of /);
    expect(trialFile?.bytes?.toString('utf8')).toContain('TEST-PAID');
  }, 30_000);

  /** Presses `decision` on a trial link's page, which only the sandbox instance `trial` serves. */
  function pressOn(trial: Harness, link: string, decision: 'pay' | 'refuse') {
    return press(`http://localhost:${trial.paylink.port}${new URL(link).pathname}`, decision);
  }

  it("are still marked [SANDBOX] in their thread and status line when the live instance gets the sandbox's status", async () => {
    // Going live one instance at a time: the live one is behind the public URL the sandbox calls back.
    const live = await harnesses.start({});
    const trial = await harnesses.start({
      env: { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: `http://localhost:${live.paylink.port}` },
    });
    const { link, threadTs } = await createSandboxLink(trial);
    expect((await pressOn(trial, link, 'pay')).status).toBe(303);

    const reply = live.standin.callsTo('chat.postMessage').find((call) => call.args.thread_ts === threadTs);
    const statusLineUpdate = live.standin.callsTo('chat.update')[0];
    expect({ reply: String(reply?.args.text), statusLine: String(statusLineUpdate?.args.text) }).toEqual({
      reply: expect.stringMatching(/^\[SANDBOX\] :white_check_mark: Paid/),
      statusLine: expect.stringMatching(/^\[SANDBOX\] /),
    });
  });

  it("are still marked [SANDBOX] when the live instance's status round posts a reply Slack did not take", async () => {
    const trial = await harnesses.start({ env: { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: '' } });
    const { link, threadTs } = await createSandboxLink(trial);
    trial.standin.failNext('chat.postMessage', 'internal_error', 10);
    await pressOn(trial, link, 'pay');
    await harnesses.stop(trial);

    // SAFEDEBIT's credentials filled in: the live instance's status round finds the reply never posted.
    const live = await harnesses.start({ statusRoundPeriodMs: 50 });
    const replies = () => live.standin.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === threadTs);
    await expect.poll(() => replies().length).toBeGreaterThan(0);
    expect(String(replies()[0]?.args.text)).toMatch(/^\[SANDBOX\] :white_check_mark: Paid/);
  });
});
