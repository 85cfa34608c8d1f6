import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { ENGINES } from '../support/databases.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendInteraction, sendSignedRequest, viewSubmissionPayload } from '../support/slack-requests.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');
const linkPosts = () =>
  h.standin.messagesIn(SALES_CHANNEL.id).filter((message) => String(message.text).includes('paypage?SDESSID='));

describe('Slack faults', () => {
  it('rate limited on posting: the link is posted once, late rather than lost', async () => {
    h = await startHarness();
    h.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 2);
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(linkPosts()).toHaveLength(1);
    expect(h.safedebit.requests).toHaveLength(1);
    const attempts = h.standin.callsTo('chat.postMessage');
    expect(attempts.length).toBe(4); // two refused, the status message, the link
  });

  it('rate limited when posting the link itself: still exactly one link in the thread', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.standin.waitForCall('chat.postMessage');
    h.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 1);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(linkPosts()).toHaveLength(1);
  });

  // Away from its summary, a link says which payment it is for: a rep who made two at once must not mix them up.
  const PRIVATE_LINK = /^Payment link for \*€1,250\.50\* \(ref\. F-2026-031\): http:\S+paypage\?SDESSID=\S+$/;

  it('views.update failing: the outcome still reaches the rep by message, saying which payment the link is for', async () => {
    h = await startHarness();
    const { view, responseUrl } = await h.openModal();
    h.standin.failNext('views.update', 'not_found', 1);
    await h.submit(view, VALID_FORM);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(visibleText(answer.body)).toMatch(PRIVATE_LINK);
    expect(linkPosts()).toHaveLength(1);
  });

  it('the link refused in the summary’s thread: it reaches the rep privately, saying which payment it is for', async () => {
    h = await startHarness();
    const { view, responseUrl } = await h.openModal();
    // The summary is posted; the link's reply in its thread is refused.
    h.standin.failNext('chat.postMessage', 'internal_error', 10, (args) => args.thread_ts !== undefined);
    await h.submit(view, VALID_FORM);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(visibleText(answer.body)).toMatch(PRIVATE_LINK);
  });

  // The rep closed the modal while SAFEDEBIT was slow: the form is gone with it, and must not be said kept.
  it.each([
    [
      'en',
      '(ref. F-2026-031): :warning: SAFEDEBIT did not answer properly: *no link to show*. Running `/paylink` again with this same payment reference is safe',
    ],
    [
      'fr',
      "(réf. F-2026-031)\u00A0: :warning: SAFEDEBIT n'a pas répondu correctement\u00A0: *aucun lien à afficher*. Vous pouvez relancer `/paylink` sans risque avec cette même référence de paiement",
    ],
  ] as const)(
    'views.update failing after an outage (%s): the rep is told no link was made, and that /paylink again is safe',
    async (locale, told) => {
      h = await startHarness({ env: { PAYLINK_LOCALE: locale, SAFEDEBIT_TIMEOUT_MS: '500' } });
      h.safedebit.setMode({ kind: 'hang' });
      const { view, responseUrl } = await h.openModal();
      h.standin.failNext('views.update', 'not_found', 1);
      await h.submit(view, VALID_FORM);
      const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
      const text = visibleText(answer.body);
      expect(text).toContain(told);
      expect(text).not.toMatch(/form is kept|saisie est conservée/);
      expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
    },
  );

  it('views.update failing after a refusal: the rep is told which link SAFEDEBIT refused, and why', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view, responseUrl } = await h.openModal();
    h.standin.failNext('views.update', 'not_found', 1);
    await h.submit(view, VALID_FORM);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    const text = visibleText(answer.body);
    expect(text).toContain('Payment link for *€1,250.50* (ref. F-2026-031)');
    expect(text).toContain('SAFEDEBIT refused the link');
    expect(text).toContain('EXIST_005');
  });

  it('Slack refusing the summary: the link was made, so the rep gets it in the modal and privately', async () => {
    h = await startHarness();
    const { view, responseUrl } = await h.openModal();
    h.standin.failNext('chat.postMessage', 'internal_error', 10);
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(view.id, isCreatedView);
    expect(visibleText(update.args.view)).toContain('could not be posted');
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(visibleText(answer.body)).toMatch(PRIVATE_LINK);
    expect(h.safedebit.requests).toHaveLength(1);
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
  });
});

describe('the ledger out of reach', () => {
  it('SAFEDEBIT is not called, nothing is posted, and the rep gets the form back as typed', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    await h.paylink.ledger.close();
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('could not record'));
    expect(visibleText(update.args.view)).toContain('no link was created');
    expect(JSON.stringify(update.args.view)).toContain(VALID_FORM.payment_reference);
    expect(h.safedebit.requests).toHaveLength(0);
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
    expect(h.logs.some((line) => line.includes('"ledger_write_failed"'))).toBe(true);
  });

  it('with the modal closed meanwhile: the rep is told which request was not recorded, and to run /paylink again', async () => {
    h = await startHarness();
    const { view, responseUrl } = await h.openModal();
    await h.paylink.ledger.close();
    h.standin.failNext('views.update', 'not_found', 1);
    await h.submit(view, VALID_FORM);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    const text = visibleText(answer.body);
    expect(text).toContain(
      '(ref. F-2026-031): :warning: paylink could not record the request: *no link was created*. Run `/paylink` again in a moment.',
    );
    expect(text).not.toContain('form is kept');
    expect(h.safedebit.requests).toHaveLength(0);
  });
  it("for SAFEDEBIT's answer only: the link is posted all the same, and recorded with its summary", async () => {
    h = await startHarness();
    const { ledger } = h.paylink;
    ledger.recordOutcome = () =>
      Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(linkPosts()).toHaveLength(1);
    expect(h.logs.some((line) => line.includes('"ledger_write_failed"') && line.includes('"outcome"'))).toBe(true);
    const [row] = await ledger.db.selectFrom('links').selectAll().execute();
    expect(row).toMatchObject({ state: 'created', summary_channel: SALES_CHANNEL.id });
    expect(row?.link).toContain('paypage?SDESSID=');
  });

  const locked = () => Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
  /** The ledger's `method` refuses its first `times` calls, then works again. */
  function refuseFirst(ledger: Ledger, method: 'recordOutcome' | 'recordSummary', times: number): void {
    const original = ledger[method].bind(ledger) as (...args: unknown[]) => Promise<unknown>;
    let refused = 0;
    ledger[method] = ((...args: unknown[]) => (refused++ < times ? locked() : original(...args))) as never;
  }
  const onlyRow = async () => (await h.paylink.ledger.db.selectFrom('links').selectAll().execute())[0];
  const logged = (event: string) => h.logs.filter((line) => line.includes(`"event":"${event}"`));

  it.each(ENGINES)(
    'for both writes after the answer, for a moment, on %s: the rep gets the link at once, the ledger gets it when back',
    async (engine) => {
      h = await startHarness({ engine, ledgerRetryDelaysMs: [300, 300] });
      refuseFirst(h.paylink.ledger, 'recordOutcome', Number.POSITIVE_INFINITY);
      refuseFirst(h.paylink.ledger, 'recordSummary', 2);
      const { view } = await h.openModal();
      await h.submit(view, VALID_FORM);
      await h.waitForViewUpdate(view.id, isCreatedView);
      expect(linkPosts()).toHaveLength(1);
      // The modal did not wait for the ledger: the retries come after it.
      expect(await onlyRow()).toMatchObject({ state: 'requested', link: null });
      await expect.poll(async () => (await onlyRow())?.state, { timeout: 3000 }).toBe('created');
      // Logged once the write's answer is back, which the ledger's other connections may see committed before.
      await h.waitForLog((entry) => entry.event === 'ledger_write_retried' && entry.step === 'summary');
      const row = await onlyRow();
      expect(row).toMatchObject({ summary_channel: SALES_CHANNEL.id });
      expect(row?.link).toContain('paypage?SDESSID=');
      expect(logged('ledger_write_retried').join()).toContain('"step":"summary","link"');
      expect(logged('ledger_write_retried').join()).toContain('"attempt":3');
      expect(linkPosts()).toHaveLength(1);
    },
  );

  it('a notification that came while the summary could not be recorded is shown once it is', async () => {
    h = await startHarness({ ledgerRetryDelaysMs: [500] });
    refuseFirst(h.paylink.ledger, 'recordSummary', 1);
    const { callbackUrl } = await h.createLink();
    expect(await h.notify(callbackUrl, 'SETTLED')).toBe(200);
    const settledReplies = () =>
      h.standin.messagesIn(SALES_CHANNEL.id).filter((message) => visibleText(message).includes('Paid'));
    expect(settledReplies()).toHaveLength(0);
    await expect.poll(() => settledReplies().length, { timeout: 3000 }).toBeGreaterThan(0);
    expect((await onlyRow())?.payment_status).toBe('SETTLED');
  });

  it('for a refusal, for a moment: the form comes back at once, the refusal is recorded when the ledger is back', async () => {
    h = await startHarness({ ledgerRetryDelaysMs: [200] });
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    refuseFirst(h.paylink.ledger, 'recordOutcome', 1);
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, (v) => JSON.stringify(v).includes(VALID_FORM.payment_reference));
    await expect.poll(async () => (await onlyRow())?.state, { timeout: 3000 }).toBe('refused');
    expect(await onlyRow()).toMatchObject({ state_detail: 'EXIST_005' });
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
  });

  it("gone for longer than the retries: the link is still the rep's, and the lost write is logged as abandoned", async () => {
    h = await startHarness({ ledgerRetryDelaysMs: [20, 20] });
    refuseFirst(h.paylink.ledger, 'recordOutcome', Number.POSITIVE_INFINITY);
    refuseFirst(h.paylink.ledger, 'recordSummary', Number.POSITIVE_INFINITY);
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    // SAFEDEBIT's answer, tried again beside the Slack calls, and the summary's place.
    await expect.poll(() => logged('ledger_write_abandoned').length, { timeout: 3000 }).toBe(2);
    const abandoned = logged('ledger_write_abandoned').join();
    expect(abandoned).toContain('"step":"outcome"');
    expect(abandoned).toContain('"step":"summary"');
    expect(logged('ledger_write_abandoned').every((line) => line.includes('"attempts":3'))).toBe(true);
    expect(logged('ledger_write_retried')).toHaveLength(0);
    expect(linkPosts()).toHaveLength(1);
    expect((await onlyRow())?.state).toBe('requested');
  });
});

describe('SAFEDEBIT slow', () => {
  it('an answer slower than Slack allows for an ack, within the timeout: acknowledged at once, the link arrives late', async () => {
    h = await startHarness({ env: { SAFEDEBIT_TIMEOUT_MS: '5000' } });
    const delayMs = 1000;
    h.safedebit.setMode({ kind: 'slow', delayMs });
    const { view } = await h.openModal();
    const submittedAt = Date.now();
    const submitted = await h.submit(view, VALID_FORM);
    expect(submitted.elapsedMs).toBeLessThan(delayMs / 2);
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(await health.json()).toMatchObject({ in_flight: 1 });
    const created = await h.waitForViewUpdate(view.id, isCreatedView, 5000);
    expect(created.at - submittedAt).toBeGreaterThanOrEqual(delayMs - 50);
    expect(linkPosts()).toHaveLength(1);
  });
});

describe('malformed but correctly signed requests', () => {
  const cases: Array<[string, string]> = [
    ['a payload that is not JSON', new URLSearchParams({ payload: '{not json' }).toString()],
    ['a body with no payload', 'foo=bar'],
    ['a JSON body of the wrong kind', JSON.stringify([1, 2, 3])],
    [
      'a view_submission without a view',
      new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission' }) }).toString(),
    ],
    [
      'a view_submission for an unknown callback_id',
      new URLSearchParams({
        payload: JSON.stringify(viewSubmissionPayload({ view: { callback_id: 'nope', state: { values: {} } } })),
      }).toString(),
    ],
    [
      'a view_submission with values of the wrong type',
      new URLSearchParams({
        payload: JSON.stringify(
          viewSubmissionPayload({
            view: {
              callback_id: 'paylink_modal',
              private_metadata: JSON.stringify({ channel: 'C0SALES', user: 'U0REP' }),
              state: { values: { amount: { value: 42 }, delivery: { value: { selected_options: 'sms' } } } as never },
            },
          }),
        ),
      }).toString(),
    ],
    [
      'a view_submission with forged private_metadata',
      new URLSearchParams({
        payload: JSON.stringify(
          viewSubmissionPayload({
            view: { callback_id: 'paylink_modal', private_metadata: '{"channel":1}', state: { values: {} } },
          }),
        ),
      }).toString(),
    ],
  ];
  it.each(cases)('%s: 4xx or a harmless 200, never 5xx, nothing created', async (_name, rawBody) => {
    h = await startHarness();
    const result = await sendSignedRequest(h.baseUrl, SIGNING_SECRET, rawBody);
    expect(result.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.safedebit.requests).toHaveLength(0);
    expect(h.standin.callsTo('chat.postMessage')).toHaveLength(0);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('a block action for a view that does not exist is acknowledged and ignored', async () => {
    h = await startHarness();
    const result = await sendInteraction(h.baseUrl, SIGNING_SECRET, {
      type: 'block_actions',
      user: { id: 'U0REP' },
      actions: [{ action_id: 'consumer_type_select', block_id: 'consumer_type', type: 'radio_buttons' }],
    });
    expect(result.status).toBeLessThan(500);
  });
});

describe('malformed URLs', () => {
  it('a path that cannot be decoded is a 400, not a 500', async () => {
    h = await startHarness();
    const response = await fetch(`${h.baseUrl}/cb/%E0%A4%A`);
    expect(response.status).toBe(400);
  });

  // fetch normalises such request targets away: they are sent over a raw socket.
  it.each(['//', '//a:b@/cb/x'])(
    'a target that is no URL (%s) is a 400 and a warning, not a 500 and an error',
    async (target) => {
      h = await startHarness();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(h.paylink.port, '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => {
          received += chunk.toString();
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
        socket.write(`GET ${target} HTTP/1.1\r\nHost: paylink.example.com\r\nConnection: close\r\n\r\n`);
      });
      expect(answer).toBe('HTTP/1.1 400 Bad Request');
      const levels = h.logs.map((line) => JSON.parse(line) as { level: string; event?: string });
      expect(levels.filter((entry) => entry.level === 'error')).toEqual([]);
      expect(levels.some((entry) => entry.event === 'malformed_request')).toBe(true);
    },
  );
});

/** A message in a deal's thread, where the rep opens the form with the shortcut. */
const DEAL_IN_THREAD = { ts: '1699999999.000200', thread_ts: '1699999990.000100', text: 'Deal ACME', user: 'U0OTHER' };

// Slack runs no slash command in a thread: a rep told to run /paylink would get the link at the top of the channel.
describe('the form gone, asked for from a message with the shortcut', () => {
  it.each([
    ['an outage', 'no link to show', 'Running the *Create payment link* shortcut'],
    ['the ledger out of reach', 'no link was created', 'Run the *Create payment link* shortcut'],
  ] as const)('after %s, the rep is told to use the shortcut again, not /paylink', async (fault, outcome, advice) => {
    h = await startHarness({ env: { PAYLINK_LOCALE: 'en', SAFEDEBIT_TIMEOUT_MS: '500' } });
    h.safedebit.setMode({ kind: 'hang' });
    const { view, responseUrl } = await h.openModalFromMessage(DEAL_IN_THREAD);
    if (fault === 'the ledger out of reach') await h.paylink.ledger.close();
    h.standin.failNext('views.update', 'not_found', 1);
    await h.submit(view, VALID_FORM);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    const text = visibleText(answer.body);
    expect(text).toContain(outcome);
    expect(text).toContain(advice);
    expect(text).not.toContain('/paylink');
  });

  it('after a refusal the rep can fix, the rep is told to fix it and use the shortcut again', async () => {
    h = await startHarness({ env: { PAYLINK_LOCALE: 'en' } });
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_001' });
    const { view, responseUrl } = await h.openModalFromMessage(DEAL_IN_THREAD);
    h.standin.failNext('views.update', 'not_found', 1);
    await h.submit(view, VALID_FORM);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    const text = visibleText(answer.body);
    expect(text).toContain('(EXIST_001)');
    expect(text).toContain('Fix that, then run the *Create payment link* shortcut');
    expect(text).not.toContain('/paylink');
  });
});

// The form went with the modal: "enter another one" alone leaves the rep nowhere to enter it.
describe('a refusal, the modal closed while the link was being created', () => {
  it.each([
    ['one the rep can fix', 'EXIST_001', true],
    ['one for the admin', 'AUTH_002', false],
  ] as const)(
    '%s: the private notice says to run /paylink again once fixed only when the rep can',
    async (_, code, fixable) => {
      h = await startHarness({ env: { PAYLINK_LOCALE: 'en' } });
      h.safedebit.setMode({ kind: 'refuse', code });
      const { view, responseUrl } = await h.openModal();
      h.standin.failNext('views.update', 'not_found', 1);
      await h.submit(view, VALID_FORM);
      const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
      const text = visibleText(answer.body);
      expect(text).toContain('SAFEDEBIT refused the link');
      expect(text.includes('Fix that, then run `/paylink` again.')).toBe(fixable);
    },
  );
});
