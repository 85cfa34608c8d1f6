import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type AppProcess, runUntilExit, startAppProcess } from '../support/app-process.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET } from '../support/paylink-harness.js';

/**
 * Slack's side of Socket Mode, reduced to what this test needs: auth.test and apps.connections.open always answer
 * (the Web API is reachable), and the WebSocket endpoint accepts upgrades until `refuseUpgrades` (Slack's socket
 * servers out of reach from here while its Web API is not: a firewall letting slack.com through but not
 * wss-primary.slack.com, a proxy refusing the upgrade, an outage of Slack's socket servers).
 */
async function startSlackSide() {
  let refusing = false;
  const sockets = new Set<WebSocket>();
  let upgradesRefused = 0;
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const port = (server.address() as AddressInfo).port;
    if (req.url?.includes('apps.connections.open')) {
      res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${port}/link?ticket=t` }));
    } else {
      res.end(
        JSON.stringify({ ok: true, user_id: 'UBOT', team_id: 'T0TEAM', bot_id: 'BBOT', url: 'https://x.slack.com/' }),
      );
    }
  });
  server.on('upgrade', (req, socket, head) => {
    if (refusing) {
      upgradesRefused += 1;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => undefined);
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    connected: () => sockets.size,
    upgradesRefused: () => upgradesRefused,
    drop() {
      for (const ws of sockets) ws.terminate();
    },
    refuse() {
      refusing = true;
    },
    dropAndRefuse() {
      this.refuse();
      this.drop();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Socket Mode: Slack cannot be heard any more', () => {
  let slack: Awaited<ReturnType<typeof startSlackSide>> | undefined;
  let app: AppProcess | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    app?.kill();
    await slack?.close();
    await database?.drop();
    slack = app = database = undefined;
  });

  /** The app's environment in Socket Mode against Slack's side; its socket client tries again 1 s after a failure. */
  async function socketModeEnv() {
    const side = await startSlackSide();
    slack = side;
    database = await freshDatabase('sqlite');
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: side.apiUrl,
      SLACK_SOCKET_PING_TIMEOUT_MS: '1000',
      DATABASE_URL: database.url,
    };
    return { slack: side, env };
  }

  /** The app in Socket Mode, connected to Slack's side. */
  async function startConnected() {
    const { slack: side, env } = await socketModeEnv();
    return { slack: side, app: await startAppProcess(env) };
  }

  it('does not start, saying why in one line, when its WebSocket never opens though the Web API answers', async () => {
    const { slack: side, env } = await socketModeEnv();
    side.refuse();
    const { code, stderr } = await runUntilExit(env);
    expect(code).toBe(1);
    expect(side.upgradesRefused()).toBe(12);
    expect(stderr).toContain(
      "paylink could not start: Slack's WebSocket did not open in 12 tries, though Slack's Web API gave its URL: let this host open wss:// connections to Slack's socket servers",
    );
  }, 60_000);

  it('stops, saying so, when its WebSocket cannot be opened again though the Web API answers', async () => {
    ({ slack, app } = await startConnected());
    expect(slack.connected()).toBe(1);
    const exited = new Promise<number | null>((resolve) => app?.child.once('exit', (code) => resolve(code)));

    slack.dropAndRefuse();
    // README, Operating it: logs socket_mode_lost, answers /healthz with 503, stops as for a SIGTERM, exits with 1.
    expect(await exited).toBe(1);
    expect(slack.upgradesRefused()).toBeGreaterThan(3);
    const lost = app
      .output()
      .split('\n')
      .filter((line) => line.includes('"socket_mode_lost"'));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain('"error":"websocket_not_reopened"');
  }, 60_000);

  it('(control) stays up when its WebSocket opens again after a drop', async () => {
    ({ slack, app } = await startConnected());
    // Three drops, each followed by a WebSocket that opens: Slack refreshing its connections, as it does.
    for (let drop = 0; drop < 3; drop += 1) {
      slack.drop();
      await expect.poll(() => slack?.connected(), { timeout: 10_000 }).toBe(1);
    }
    expect(app.child.exitCode).toBeNull();
    expect(app.output()).not.toContain('"socket_mode_lost"');
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  }, 60_000);
});
