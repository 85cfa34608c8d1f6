import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/paylink-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * README, Log events: "Errors, for an operator to look at"; only `socket_mode_lost` when Socket Mode cannot come back.
 * A connection dropped without a close frame (a NAT or load balancer timing it out, a network blip) is reopened within
 * a second: Slack's socket client had written two error lines with no `event` ("WebSocket error occurred: ",
 * "WebSocket error! SMWebsocketError"), and an alert on level=error paged someone for nothing to do.
 */
describe('Socket Mode: a WebSocket dropped, and reopened by itself', () => {
  it('writes no error line', async () => {
    h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: '1000' } });
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
    h = await startHarness({ socketMode: true, env: { SLACK_SOCKET_PING_TIMEOUT_MS: '1000' } });
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
