import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { createSafedebitClient } from '../../src/safedebit/client.js';
import { createSlackWebApi, type SlackWebApi } from '../../src/slack/web-api.js';
import { LOGIN, PASSWORD, validRequest } from '../safedebit/fixtures.js';
import { type LoopbackProxy, startLoopbackProxy } from '../support/loopback-proxy.js';
import { BOT_TOKEN, type Harness, startHarness, visibleText } from '../support/paylink-harness.js';
import { startSafedebitStandin } from '../support/safedebit-standin.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

/**
 * Through HTTP(S)_PROXY, a target the proxy cannot reach (its DNS failing, the host refusing or timing out) is reported
 * as a non-200 answer to CONNECT (Squid: 503, most proxies: 502/504), and a proxy may not answer CONNECT at all.
 * Either way nothing reached Slack or SAFEDEBIT, as with a direct ECONNREFUSED: the call is one that never connected
 * (safe to retry; a thread reply not marked as maybe posted), and a silent proxy is given up after the call's timeout.
 */

let h: Harness | undefined;
let proxy: LoopbackProxy | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await proxy?.close();
  proxy = undefined;
});

describe('Slack out of reach behind HTTP_PROXY (the proxy answers 502 to CONNECT)', () => {
  it('a payment reply Slack never received is posted once Slack is back, as without a proxy', async () => {
    proxy = await startLoopbackProxy();
    h = await startHarness({ env: { HTTP_PROXY: proxy.url } });
    const { callbackUrl } = await h.createLink();
    // The thread replies Slack holds that say the link was paid (the summary's own status line is not one).
    const paidReplies = () =>
      h?.standin
        .messagesIn(SALES_CHANNEL.id)
        .filter((m) => m.thread_ts !== undefined && m.ts !== m.thread_ts && visibleText(m).includes('Paid')) ?? [];

    // Slack out of reach for the proxy: SAFEDEBIT's notification cannot be shown, and is answered 503 to come again.
    proxy.refuseTunnels(Number.POSITIVE_INFINITY);
    proxy.cutTunnels();
    expect(await h.notify(callbackUrl, 'SETTLED')).toBe(503);
    expect(proxy.refused).toBeGreaterThan(0);
    expect(paidReplies()).toHaveLength(0);

    // Slack reachable again; SAFEDEBIT delivers the same notification again, as the 503 asked.
    proxy.refuseTunnels(0);
    expect(await h.notify(callbackUrl, 'SETTLED')).toBe(200);
    expect(paidReplies()).toHaveLength(1);
  });
});

describe('SAFEDEBIT out of reach for a moment behind HTTP_PROXY', () => {
  it('is asked a second time when the proxy could not open the tunnel, as after a direct name failure', async () => {
    proxy = await startLoopbackProxy();
    const standin = await startSafedebitStandin({ login: LOGIN, password: PASSWORD });
    const client = createSafedebitClient({
      baseUrl: standin.url,
      login: LOGIN,
      password: PASSWORD,
      timeoutMs: 2_000,
      userAgent: 'paylink-review',
      proxy: { httpProxy: proxy.url },
    });
    try {
      proxy.refuseTunnels(1);
      const outcome = await client.createPaymentLink(validRequest());
      expect(proxy.refused).toBe(1);
      // Nothing reached SAFEDEBIT on the first try: the second one is safe, and makes the link.
      expect(outcome).toMatchObject({ kind: 'link' });
      expect(standin.requests).toHaveLength(1);
    } finally {
      await client.close();
      await standin.close();
    }
  });
});

const TIMEOUT_MS = 500;

const silentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => 'info',
  setName() {},
} as unknown as Logger;

const silentSockets: Socket[] = [];
const servers: Server[] = [];
const clients: SlackWebApi[] = [];

afterEach(async () => {
  for (const socket of silentSockets.splice(0)) socket.destroy();
  await Promise.all(clients.splice(0).map((client) => client.close(true)));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** An HTTP server that takes connections and requests (CONNECT included) and never answers any. */
async function startSilentServer(): Promise<string> {
  const server = createServer(() => {});
  server.on('connection', (socket: Socket) => silentSockets.push(socket));
  server.on('connect', (_request, socket: Socket) => silentSockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function settleWithin(call: Promise<unknown>, ms: number): Promise<string> {
  const settled = call.then(
    () => 'answered',
    (error: { code?: string }) => `failed: ${error.code ?? 'unknown'}`,
  );
  return Promise.race([settled, new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);
}

function slackClient(apiUrl: string, proxy?: string): SlackWebApi {
  const client = createSlackWebApi({
    apiUrl,
    token: BOT_TOKEN,
    userAgent: 'paylink-review',
    logger: silentLogger,
    timeoutMs: TIMEOUT_MS,
    backoffMs: 10,
    ...(proxy ? { proxy: { httpProxy: proxy } } : {}),
  });
  clients.push(client);
  return client;
}

describe('a Slack call whose proxy never answers its CONNECT', () => {
  it('control: the same silence from Slack itself is given up after timeoutMs', async () => {
    const silent = await startSilentServer();
    const outcome = await settleWithin(
      slackClient(`${silent}/api/`).chat.postMessage({ channel: 'C1', text: 'hi' }),
      4_000,
    );
    expect(outcome).toBe('failed: UND_ERR_HEADERS_TIMEOUT');
  });

  it('is given up after timeoutMs too (each of its tries), not after undici’s 300 s default', async () => {
    const proxy = await startSilentServer();
    const outcome = await settleWithin(
      slackClient('http://127.0.0.1:9/api/', proxy).chat.postMessage({ channel: 'C1', text: 'hi' }),
      15_000,
    );
    expect(outcome).toBe('failed: PROXY_TUNNEL_NOT_OPENED');
  });
});
