import { afterEach, describe, expect, it } from 'vitest';
import { type AppProcess, type ProcessWorld, startAppProcess, startProcessWorld } from '../support/app-process.js';
import { APP_TOKEN } from '../support/paylink-harness.js';

let world: ProcessWorld | undefined;
let app: AppProcess | undefined;
afterEach(async () => {
  await world?.close([app]);
  world = undefined;
  app = undefined;
});

/**
 * Slack's socket client waits this before it opens a new connection after a drop, and this times the failures in a
 * row before it asks for its URL again: the shortest SLACK_SOCKET_PING_TIMEOUT_MS, where the default would be 5 s.
 */
const PING_TIMEOUT_MS = 1_000;

/** paylink in Socket Mode, as the README sets it up, once its WebSocket is open. */
async function startConnected(): Promise<AppProcess> {
  world = await startProcessWorld();
  app = await startAppProcess({
    ...world.env,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS),
  });
  await world.standin.waitForSocketConnection();
  return app;
}

/**
 * Waits up to `timeoutMs` for `running` to exit, and what it wrote to be read: its exit code ('still running' past
 * that) and the events it logged.
 */
async function exitOf(running: AppProcess, timeoutMs: number) {
  const exitCode = await Promise.race([
    running.closed.then(() => running.child.exitCode),
    new Promise<'still running'>((resolve) => setTimeout(resolve, timeoutMs, 'still running')),
  ]);
  const events = running
    .output()
    .split('\n')
    .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []));
  return { exitCode, events, lost: events.find((event) => event.event === 'socket_mode_lost') };
}

describe('Socket Mode, as the README sets it up (PORT still public for SAFEDEBIT callbacks and the sandbox)', () => {
  it('stops cleanly, saying why, when Slack refuses to open its WebSocket again after a drop', async () => {
    const running = await startConnected();

    // The connection drops (a network failure), and Slack refuses the new one: the app-level token was revoked.
    world?.standin.failNext('apps.connections.open', 'invalid_auth', 10);
    world?.standin.dropSocketConnections();
    // Slack's socket client waits its ping timeout before it opens a new connection.
    const { exitCode, events, lost } = await exitOf(running, 15_000);

    expect(lost, running.output().slice(-800)).toMatchObject({
      level: 'error',
      error: 'invalid_auth',
      msg: expect.stringContaining('SLACK_APP_TOKEN'),
    });
    // A clean stop (links in flight given their grace), not an unhandled rejection.
    expect(events.map((event) => event.event)).toContain('stopped');
    expect(exitCode).toBe(1);
    // After the ping timeout paylink set, not the client's default of 5 s.
    const droppedAt = world?.standin.socketConnections[0]?.closedAt ?? Number.NaN;
    const askedAgainAt = world?.standin.callsTo('apps.connections.open').at(-1)?.at ?? Number.NaN;
    expect(askedAgainAt - droppedAt).toBeGreaterThanOrEqual(PING_TIMEOUT_MS - 100);
    expect(askedAgainAt - droppedAt).toBeLessThan(5_000);
  }, 20_000);

  it('stops cleanly too when Slack first fails to answer the reconnection, then refuses it', async () => {
    const running = await startConnected();

    // A passing failure first (one Slack's client retries itself: retrieveWSSURL's own delayReconnectAttempt), then
    // the refusal: the client's retry of retrieveWSSURL rejects on its own, outside the start() paylink wraps.
    world?.standin.failNext('apps.connections.open', 'internal_error', 1);
    world?.standin.failNext('apps.connections.open', 'invalid_auth', 10);
    world?.standin.dropSocketConnections();
    // The ping timeout before the new connection, then twice that before the client asks for its URL again.
    const { exitCode, events, lost } = await exitOf(running, 25_000);

    expect(lost, running.output().slice(-800)).toMatchObject({ level: 'error', error: 'invalid_auth' });
    expect(events.map((event) => event.event)).toContain('stopped');
    expect(exitCode).toBe(1);
  }, 30_000);

  it.each(['token_revoked', 'missing_scope'])(
    'stops too when Slack refuses the reconnection with %s, which its client would ask again for ever',
    async (refusal) => {
      const running = await startConnected();

      // The app-level token revoked, or regenerated without connections:write: Slack's socket client takes neither
      // for a refusal for good (its list is not_authed, invalid_auth, account_inactive…) and asks again, 1, 2, 3 ping
      // timeouts later, for ever, while /healthz says all is well and no command reaches paylink.
      world?.standin.failNext('apps.connections.open', refusal, 50);
      world?.standin.dropSocketConnections();
      const { exitCode, lost } = await exitOf(running, 20_000);

      expect(exitCode, running.output().slice(-800)).toBe(1);
      expect(lost).toMatchObject({ error: refusal });
    },
    30_000,
  );

  it('answers an undecodable callback path with 400 and keeps running, as in HTTP mode', async () => {
    const running = await startConnected();

    const answer = await fetch(`${running.baseUrl}/cb/%E0%A4%A`).then(
      (response) => response.status,
      () => 'connection lost' as const,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(running.child.exitCode, running.output().slice(-600)).toBeNull();
    const health = await fetch(`${running.baseUrl}/healthz`).then(
      (r) => r.status,
      () => 'down' as const,
    );
    expect(health).toBe(200);
    expect(answer).toBe(400);
  });
});
