import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/paylink-harness.js';

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
