import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackTransport, type SlackTransport } from '../../src/slack/transport.js';
import { type SlackApiStandin, startSlackApiStandin } from '../support/slack-api-standin.js';

/**
 * The installed WebClient, driven through paylink's transport: what WebClient reads of an answer (status,
 * headers, body) and what it does above `fetch` (retries, Retry-After, timeouts, error types) must behave as
 * they do through the global fetch.
 */
const { ErrorCode, LogLevel, WebClient } = webApi;

describe('Slack Web API calls through the undici transport', () => {
  let standin: SlackApiStandin;
  let transport: SlackTransport;
  /** Answers every request as `answer` says; for what the stand-in does not do (an HTML 502, a hang). */
  let oddServer: Server;
  let oddUrl: string;
  let answer: (res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    standin = await startSlackApiStandin();
    oddServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res));
    });
    await new Promise<void>((resolve) => oddServer.listen(0, '127.0.0.1', resolve));
    oddUrl = `http://127.0.0.1:${(oddServer.address() as AddressInfo).port}/api/`;
  });
  afterEach(async () => {
    await transport?.close();
  });
  afterAll(async () => {
    oddServer.closeAllConnections();
    await new Promise((resolve) => oddServer.close(resolve));
    await standin.close();
  });

  function client(apiUrl: string, options: { retries?: number; timeout?: number } = {}): webApi.WebClient {
    transport = createSlackTransport();
    return new WebClient('xoxb-test-transport', {
      slackApiUrl: apiUrl,
      fetch: transport.fetch,
      logLevel: LogLevel.ERROR,
      timeout: options.timeout ?? 0,
      retryConfig: { retries: options.retries ?? 0, minTimeout: 10, maxTimeout: 20 },
    });
  }

  it('sends the arguments Slack receives and returns its answer', async () => {
    const slack = client(standin.apiUrl);
    const posted = await slack.chat.postMessage({
      channel: 'C0TRANSPORT',
      text: 'Lien de paiement — 12,50 €',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*12,50 €*' } }],
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d+\.\d+$/);
    const call = standin.callsTo('chat.postMessage').at(-1);
    expect(call?.args).toMatchObject({
      channel: 'C0TRANSPORT',
      text: 'Lien de paiement — 12,50 €',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*12,50 €*' } }],
    });
    expect(standin.messagesIn('C0TRANSPORT').at(-1)?.ts).toBe(posted.ts);
  });

  it("turns Slack's refusal into WebClient's platform error", async () => {
    standin.failNext('chat.postMessage', 'channel_not_found');
    await expect(client(standin.apiUrl).chat.postMessage({ channel: 'C0GONE', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'channel_not_found' },
    });
  });

  it('waits out Retry-After on HTTP 429 and sends the call again', async () => {
    standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const before = standin.callsTo('chat.postMessage').length;
    const startedAt = Date.now();
    const posted = await client(standin.apiUrl, { retries: 2 }).chat.postMessage({ channel: 'C0LIMIT', text: 'x' });
    expect(posted.ok).toBe(true);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(standin.callsTo('chat.postMessage').length - before).toBe(2);
    expect(standin.messagesIn('C0LIMIT')).toHaveLength(1);
  });

  it('reports an HTTP error with its status, headers and body', async () => {
    answer = (res) =>
      res.writeHead(502, { 'content-type': 'text/html', 'x-upstream': 'down' }).end('<h1>Bad gateway</h1>');
    await expect(client(oddUrl).chat.postMessage({ channel: 'C0', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 502,
      headers: expect.objectContaining({ 'content-type': 'text/html', 'x-upstream': 'down' }),
      body: '<h1>Bad gateway</h1>',
    });
  });

  it("gives up on a hung call at WebClient's timeout", async () => {
    answer = () => undefined; // never answers
    const startedAt = Date.now();
    await expect(client(oddUrl, { timeout: 300 }).chat.postMessage({ channel: 'C0', text: 'x' })).rejects.toMatchObject(
      {
        code: ErrorCode.RequestError,
      },
    );
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });

  it('reads a body as bytes too, and leaves what WebClient does not send to the global fetch', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"é":1}');
    transport = createSlackTransport();
    const buffered = await transport.fetch(`${oddUrl}api.test`, { method: 'POST', body: 'a=1' });
    expect(new TextDecoder().decode(await buffered.arrayBuffer())).toBe('{"ok":true,"é":1}');
    expect(buffered.headers.get('Content-Type')).toBe('application/json');
    const viaFetch = await transport.fetch(`${oddUrl}api.test`, { method: 'GET' });
    expect(viaFetch).toBeInstanceOf(Response);
    expect(await viaFetch.json()).toEqual({ ok: true, é: 1 });
  });
});
