import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VALID_FORM } from '../support/paylink-harness.js';
import { slashCommandPayload } from '../support/slack-requests.js';

const PING_TIMEOUT_MS = 1_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * A WebSocket is lost after 12 tries in a row given its URL that did not open it; a wait for the URL is not one. Slack
 * rate-limits apps.connections.open (429 + Retry-After), which Slack's client waits out, however long.
 */
describe('Socket Mode: a reconnection Slack rate-limits, then lets through', () => {
  it('reconnects and stays healthy, rather than being declared lost', async () => {
    h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) } });
    await h.standin.waitForSocketConnection();
    const opened = h.standin.socketConnections.length;

    h.standin.failNext('apps.connections.open', { status: 429, retryAfterSeconds: 3 }, 1);
    h.standin.dropSocketConnections();

    // WebClient waits the 3 s out and asks again: the WebSocket opens again about 4 s after the drop.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const reopened =
        h.standin.socketConnections.length > opened && h.standin.socketConnections.at(-1)?.closedAt === undefined;
      if (reopened) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(h.standin.socketConnections.length, 'the WebSocket opened again').toBeGreaterThan(opened);
    expect(h.logs.filter((line) => line.includes('"socket_mode_lost"'))).toEqual([]);
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  }, 30_000);
});

/**
 * Slack recycles every Socket Mode connection every few hours: `disconnect` (`refresh_requested`, or `warning` a little
 * before) on it, and the app is to open a new one at once. Slack's client closes the old one at once, then waited a
 * ping timeout before opening the next (5 s by default, up to a minute): meanwhile Slack had nowhere to send a rep's
 * /paylink or Submit, and refused them (dispatch_failed).
 */
describe.each(['refresh_requested', 'warning'] as const)(
  'Socket Mode: Slack recycling the connection (%s)',
  (reason) => {
    it('reconnects at once, and serves the rep’s /paylink that comes a moment later', async () => {
      h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: '5000' } });
      const harness = h;
      await harness.standin.waitForSocketConnection();
      const opened = harness.standin.socketConnections.length;

      const askedAt = Date.now();
      harness.standin.askToReconnect(reason);
      const reopened = () => harness.standin.socketConnections.slice(opened).find((c) => c.closedAt === undefined);
      await expect.poll(reopened, { timeout: 4_000, interval: 20 }).toBeDefined();
      expect(reopened()?.openedAt).toBeLessThan(askedAt + 1_000);
      expect(harness.standin.socketConnections.slice(0, opened).every((c) => c.closedAt !== undefined)).toBe(true);

      const { result } = await harness.overSocket.openModal();
      expect(result.payload).toEqual({});
      expect(harness.logs.filter((line) => line.includes('"socket_mode_lost"'))).toEqual([]);
    }, 20_000);
  },
);

describe('Socket Mode: Slack turning Socket Mode off for the app (disconnect, link_disabled)', () => {
  it('is no recycling: the next connection waits the ping timeout, not reopened at once in a loop', async () => {
    h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: '5000' } });
    const harness = h;
    await harness.standin.waitForSocketConnection();
    const opened = harness.standin.socketConnections.length;
    harness.standin.askToReconnect('link_disabled');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(harness.standin.socketConnections.slice(opened)).toEqual([]);
  }, 20_000);
});

/**
 * README, Operating it: "SIGTERM stops taking new requests". In Socket Mode, a SIGTERM that lands while Slack's socket
 * client is reconnecting after a drop (its apps.connections.open under way: a slow Slack, a rate limit waited out)
 * must not leave paylink opening a new WebSocket and taking envelopes while it drains its links.
 */
describe('Socket Mode: a stop during a reconnection', () => {
  it('opens no new WebSocket and takes no new envelope once stopping', async () => {
    h = await startHarness({
      socketMode: true,
      env: { SLACK_SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS), SAFEDEBIT_TIMEOUT_MS: '10000' },
    });
    const harness = h;
    await harness.standin.waitForSocketConnection();

    // A link in flight, SAFEDEBIT taking 5 s: the stop waits for it.
    harness.safedebit.setMode({ kind: 'slow', delayMs: 5_000 });
    const { view } = await harness.overSocket.openModal();
    const ack = await harness.overSocket.submit(view, VALID_FORM);
    expect(ack.payload).toMatchObject({ response_action: 'update' });

    // The WebSocket drops; Slack answers the new apps.connections.open slowly (1.5 s).
    harness.standin.setDelay('apps.connections.open', 1_500);
    const asksBefore = harness.standin.callsTo('apps.connections.open').length;
    harness.standin.dropSocketConnections();
    await harness.standin.waitForCall(
      'apps.connections.open',
      () => harness.standin.callsTo('apps.connections.open').length > asksBefore,
    );

    // SIGTERM while the URL is on its way.
    const stopAskedAt = Date.now();
    const stopped = harness.paylink.stop(8_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const openedWhileStopping = harness.standin.socketConnections.filter(
      (connection) => connection.openedAt >= stopAskedAt,
    );
    // A rep's /paylink delivered now: a stopping instance must not take it.
    const taken = await harness.standin
      .sendEnvelope('slash_commands', slashCommandPayload({ trigger_id: harness.standin.issueTriggerId() }), 1_000)
      .then(
        () => 'acked by the stopping instance',
        () => 'not taken',
      );
    await stopped;
    const stillOpenAfterStop = harness.standin.socketConnections.filter(
      (connection) => connection.closedAt === undefined,
    );

    expect({
      openedWhileStopping: openedWhileStopping.length,
      taken,
      stillOpenAfterStop: stillOpenAfterStop.length,
    }).toEqual({
      openedWhileStopping: 0,
      taken: 'not taken',
      stillOpenAfterStop: 0,
    });
  }, 30_000);
});

/**
 * README, Log events: "Errors, for an operator to look at"; only `socket_mode_lost` when Socket Mode cannot come back.
 * A connection dropped without a close frame (a NAT or load balancer timing it out, a network blip) is reopened within
 * a second: Slack's socket client had written two error lines with no `event` ("WebSocket error occurred: ",
 * "WebSocket error! SMWebsocketError"), and an alert on level=error paged someone for nothing to do.
 */
describe('Socket Mode: a WebSocket dropped, and reopened by itself', () => {
  it('writes no error line', async () => {
    h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) } });
    const harness = h;
    await harness.standin.waitForSocketConnection();
    const opened = harness.standin.socketConnections.length;
    const before = harness.logs.length;

    harness.standin.dropSocketConnections();
    const reopened = () => harness.standin.socketConnections.slice(opened).some((c) => c.closedAt === undefined);
    await expect.poll(reopened, { timeout: 15_000, interval: 50 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${harness.baseUrl}/healthz`)).status).toBe(200);
    expect(harness.logs.filter((line) => line.includes('"socket_mode_lost"'))).toEqual([]);

    const errors = harness.logs
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.level === 'error')
      .map(({ time: _time, ...entry }) => entry);
    expect(errors).toEqual([]);
    const dropped = harness.logs.slice(before).filter((line) => line.includes('"socket_mode_dropped"'));
    expect(dropped.length).toBeGreaterThan(0);
  }, 30_000);

  // Slack refusing the new connection's URL with an error its client tries again for ever (access_denied…): no
  // socket_mode_lost comes, and the client's error lines are all that tells the operator paylink is deaf.
  it('leaves Slack refusing the new URL at error level', async () => {
    h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) } });
    const harness = h;
    await harness.standin.waitForSocketConnection();
    const before = harness.logs.length;
    harness.standin.failNext('apps.connections.open', 'access_denied', 1000);
    harness.standin.dropSocketConnections();
    const refusedUrl = () =>
      harness.logs
        .slice(before)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.level === 'error' && String(entry.msg).startsWith('Failed to retrieve a new WSS URL'));
    await expect.poll(() => refusedUrl().length, { timeout: 8_000, interval: 50 }).toBeGreaterThan(0);
  }, 20_000);
});
