import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CALLBACK_ROUTE_PREFIX, HEALTH_PATH, SLACK_EVENTS_PATH } from '../../src/constants.js';
import { type Harness, PUBLIC_URL, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * The app with SLACK_APP_TOKEN set, as a team without a public URL for Slack runs it: Slack's requests arrive over
 * the WebSocket the app opens (the standin plays Slack's side), while PORT still serves /healthz and the SAFEDEBIT
 * callbacks over HTTP.
 */

/** 26 Nov 2026, 14:32 in Paris: the time the status reply shows where Slack cannot show it in the viewer's zone. */
const NOW = new Date('2026-11-26T13:32:00Z');

let h: Harness;

const loggedEvent = (event: string) =>
  h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.event === event);

describe('the running app', () => {
  afterEach(async () => {
    await h.close();
  });

  it('connects with the app-level token, serves /healthz on PORT, and takes no Slack request over HTTP', async () => {
    h = await startHarness({ socketMode: true });

    const connection = await h.standin.waitForSocketConnection();
    // paylink's check of the app-level token at start, then Bolt's own call for the WebSocket it opened.
    expect(h.standin.callsTo('apps.connections.open')).toHaveLength(2);
    expect(h.standin.socketConnections).toEqual([connection]);
    expect(loggedEvent('started')).toMatchObject({ mode: 'socket', port: h.paylink.port });

    const health = await fetch(`${h.baseUrl}${HEALTH_PATH}`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, safedebit: 'live' });
    const overHttp = await fetch(`${h.baseUrl}${SLACK_EVENTS_PATH}`, { method: 'POST', body: 'payload=%7B%7D' });
    expect(overHttp.status).toBe(404);
  });

  it('acks /paylink over the socket at once and opens the modal pre-filled, with the trigger Slack issued', async () => {
    h = await startHarness({ socketMode: true });
    const triggerId = h.standin.issueTriggerId();

    const { result, view } = await h.overSocket.openModal({ text: '12,50 R-1', trigger_id: triggerId });

    expect(result.payload).toEqual({});
    expect(result.elapsedMs).toBeLessThan(3000);
    expect(h.standin.callsTo('views.open').map((call) => call.args.trigger_id)).toEqual([triggerId]);
    expect(view.blocks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ block_id: 'amount', element: expect.objectContaining({ initial_value: '12,50' }) }),
        expect.objectContaining({
          block_id: 'payment_reference',
          element: expect.objectContaining({ initial_value: 'R-1' }),
        }),
      ]),
    );
  });

  it('answers a bad amount in the ack, under the amount input, and creates nothing', async () => {
    h = await startHarness({ socketMode: true });
    const { view } = await h.overSocket.openModal();

    const ack = await h.overSocket.submit(view, { ...VALID_FORM, amount: '1,250' });

    expect(ack.payload).toMatchObject({ response_action: 'errors' });
    const { errors } = ack.payload as { errors: Record<string, string> };
    expect(Object.keys(errors)).toEqual(['amount']);
    expect(errors.amount).toMatch(/1,250\.00|1,25/);
    expect(h.safedebit.requests).toHaveLength(0);
    expect(h.standin.callsTo('chat.postMessage')).toHaveLength(0);
  });

  describe.each<{ secrets: string; env: Record<string, string> }>([
    { secrets: 'with the signing secret', env: {} },
    {
      secrets: 'without a signing secret, callbacks signed with PAYLINK_CALLBACK_SECRET',
      env: { SLACK_SIGNING_SECRET: '', PAYLINK_CALLBACK_SECRET: 'socket-mode-callback-secret-0123' },
    },
  ])('a valid submission over the socket, $secrets', ({ env }) => {
    it('creates the link, posts it in the thread, and takes SAFEDEBIT’s notification on PORT', async () => {
      h = await startHarness({ socketMode: true, env, clock: () => NOW });
      const { view } = await h.overSocket.openModal();

      const ack = await h.overSocket.submit(view, VALID_FORM);

      expect(ack.payload).toMatchObject({ response_action: 'update' });
      await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('paypage?SDESSID='));
      const [summary, linkReply] = h.standin.messagesIn(SALES_CHANNEL.id);
      expect(linkReply?.thread_ts).toBe(summary?.ts);
      expect(String(linkReply?.text)).toMatch(/paypage\?SDESSID=/);

      const sent = h.safedebit.requests[0]?.body as { url_callback: string };
      expect(sent.url_callback.startsWith(`${PUBLIC_URL}${CALLBACK_ROUTE_PREFIX}/`)).toBe(true);
      const notified = await fetch(`${h.baseUrl}${sent.url_callback.slice(PUBLIC_URL.length)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payment_status: 'SETTLED', pay_id: 'P-1' }),
      });
      expect(notified.status).toBe(200);
      const statusReply = await h.standin.waitForCall(
        'chat.postMessage',
        (call) => call.args.thread_ts === summary?.ts && call.args.text !== linkReply?.text,
      );
      expect(statusReply.args.text).toBe(
        `:white_check_mark: Paid · €1,250.50 · <!date^1795699920^{time}|14:32> · <@${SALES_REP.id}>`,
      );
    });
  });
});

describe('stopping', () => {
  afterEach(async () => {
    await h.close(); // stopping again is harmless
  });

  it('says goodbye to Slack on the socket and closes PORT', async () => {
    h = await startHarness({ socketMode: true });
    const connection = await h.standin.waitForSocketConnection();

    await h.paylink.stop(0);

    await expect(fetch(`${h.baseUrl}${HEALTH_PATH}`)).rejects.toThrow();
    await vi.waitFor(() => expect(connection.closedAt).toBeDefined());
    expect(connection.closeCode).toBe(1000);
  });
});

describe('starting on a taken PORT', () => {
  it.each([true, false])(
    'fails with one line naming PORT, instead of crashing the process (Socket Mode: %s)',
    async (socketMode) => {
      const blocker = createServer().listen(0);
      await once(blocker, 'listening');
      const { port } = blocker.address() as AddressInfo;
      try {
        await expect(startHarness({ socketMode, env: { PORT: String(port) } })).rejects.toThrow(
          `PORT ${port} is in use by another process (EADDRINUSE): stop it, or choose another PORT`,
        );
      } finally {
        blocker.close();
      }
    },
  );
});
