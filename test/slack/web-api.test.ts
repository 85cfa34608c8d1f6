import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/logger.js';
import { slackErrorCode } from '../../src/slack/errors.js';
import {
  createSlackWebApi,
  SlackApiError,
  SlackHttpError,
  type SlackWebApi,
  slackMayHaveActed,
} from '../../src/slack/web-api.js';
import { freePort } from '../support/free-port.js';
import { type SlackApiStandin, startSlackApiStandin } from '../support/slack-api-standin.js';

const TOKEN = 'xoxb-test-web-api';

/** A loopback server answering each request with the next of `answers` (the last one repeats). */
async function scriptedSlack(...answers: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[Math.min(received.length, answers.length) - 1];
      answer?.(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const okJson = (body: object) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ ok: true, ...body }));
const httpStatus = (status: number) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>Slack is having trouble</h1>');

/** A 200 whose body starts with `start`, then gets `more` every 50 ms, within any timeout between chunks, for ever. */
const answerNeverEnding =
  (contentType: string, start: string, more: string) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType }).write(start);
    const drip = setInterval(() => res.write(more), 50);
    res.on('close', () => clearInterval(drip));
  };

describe("paylink's Slack Web API client", () => {
  let standin: SlackApiStandin;
  let slack: SlackWebApi | undefined;
  let logLines: Record<string, unknown>[];

  function client(apiUrl: string, options: { timeoutMs?: number; backoffMs?: number } = {}): SlackWebApi {
    logLines = [];
    const logger = createJsonLogger({
      level: 'debug',
      secrets: [TOKEN],
      write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>),
    });
    slack = createSlackWebApi({ apiUrl, token: TOKEN, userAgent: 'paylink-test', logger, backoffMs: 5, ...options });
    return slack;
  }

  beforeAll(async () => {
    // The admin's DM with the bot, as conversations.open gives it: Slack refuses a DM the bot is not in.
    standin = await startSlackApiStandin({ channels: { D0ADMIN: { kind: 'im', botIsMember: true } } });
  });
  afterEach(async () => {
    await slack?.close();
    slack = undefined;
  });
  afterAll(() => standin.close());

  it('sends the arguments as JSON with the bot token, and returns what Slack answers', async () => {
    const api = client(standin.apiUrl);
    const posted = await api.chat.postMessage({
      channel: 'C0WEBAPI',
      text: 'Lien de paiement — 12,50 €',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*12,50 €*' } }],
    });
    expect(posted).toMatchObject({ ok: true, channel: 'C0WEBAPI', ts: expect.stringMatching(/^\d+\.\d+$/) });
    expect(standin.callsTo('chat.postMessage').at(-1)?.args).toEqual({
      channel: 'C0WEBAPI',
      text: 'Lien de paiement — 12,50 €',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*12,50 €*' } }],
    });
    expect(standin.messagesIn('C0WEBAPI')).toHaveLength(1);

    const scripted = await scriptedSlack(okJson({ channel: { id: 'D0REP' } }));
    try {
      await client(scripted.apiUrl).conversations.open({ users: 'U0REP' });
      expect(scripted.received[0]).toMatchObject({
        path: '/api/conversations.open',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'paylink-test',
        },
        body: '{"users":"U0REP"}',
      });
    } finally {
      await scripted.close();
    }
  });

  it('asks a Socket Mode URL with the app-level token in the Authorization header, in place of the bot token', async () => {
    const scripted = await scriptedSlack(okJson({ url: 'wss://wss-primary.slack.com/link/?ticket=1' }));
    try {
      const answer = await client(scripted.apiUrl).apps.connections.open({ token: 'xapp-1-web-api' });
      expect(answer).toEqual({ ok: true, url: 'wss://wss-primary.slack.com/link/?ticket=1' });
      expect(scripted.received).toEqual([
        {
          path: '/api/apps.connections.open',
          headers: expect.objectContaining({ authorization: 'Bearer xapp-1-web-api' }),
          body: '{}',
        },
      ]);
    } finally {
      await scripted.close();
    }
  });

  it("form-encodes the file upload methods (Slack reads no JSON there) and runs Slack's three-step upload", async () => {
    const api = client(standin.apiUrl);
    const bytes = new TextEncoder().encode('\uFEFFcreated_at;amount\r\n2026-11-27T06:28:51+01:00;1250,50\r\n');
    const { upload_url: uploadUrl, file_id: fileId } = await api.files.getUploadURLExternal({
      filename: 'paylink-2026-11.csv',
      length: bytes.length,
    });
    const asked = standin.callsTo('files.getUploadURLExternal').at(-1);
    expect(asked?.args).toEqual({ filename: 'paylink-2026-11.csv', length: String(bytes.length) });
    await api.files.upload(String(uploadUrl), bytes);
    await api.files.completeUploadExternal({
      files: [{ id: String(fileId), title: 'paylink 2026-11' }],
      channel_id: 'D0ADMIN',
      initial_comment: 'The export',
    });
    expect(standin.callsTo('files.completeUploadExternal').at(-1)?.args).toEqual({
      files: [{ id: fileId, title: 'paylink 2026-11' }],
      channel_id: 'D0ADMIN',
      initial_comment: 'The export',
    });
    const file = standin.uploadedFiles().find((held) => held.id === fileId);
    expect(file).toMatchObject({ declaredLength: bytes.length, title: 'paylink 2026-11', channels: ['D0ADMIN'] });
    expect(new Uint8Array(file?.bytes ?? [])).toEqual(bytes);
    expect(standin.messagesIn('D0ADMIN')).toEqual([
      expect.objectContaining({ text: 'The export', files: [expect.objectContaining({ id: fileId })] }),
    ]);

    const scripted = await scriptedSlack(okJson({ upload_url: 'http://127.0.0.1:9/u', file_id: 'F1' }));
    try {
      await client(scripted.apiUrl).files.getUploadURLExternal({ filename: 'a b.csv', length: 12 });
      expect(scripted.received[0]).toMatchObject({
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'filename=a+b.csv&length=12',
      });
    } finally {
      await scripted.close();
    }
  });

  it('sends the bytes of an upload again after an HTTP 5xx, and reports any other status', async () => {
    const flaky = await scriptedSlack(httpStatus(503), (_req, res) => res.writeHead(200).end('OK - 3'));
    try {
      await client(flaky.apiUrl).files.upload(`${flaky.apiUrl}upload`, new Uint8Array([1, 2, 3]));
      expect(flaky.received).toHaveLength(2);
      expect(flaky.received[1]?.headers['content-type']).toBe('application/octet-stream');
    } finally {
      await flaky.close();
    }
    const refusing = await scriptedSlack(httpStatus(413));
    try {
      const failed = client(refusing.apiUrl).files.upload(`${refusing.apiUrl}upload`, new Uint8Array([1]));
      await expect(failed).rejects.toMatchObject({ name: 'SlackHttpError', statusCode: 413 });
      expect(refusing.received).toHaveLength(1);
    } finally {
      await refusing.close();
    }
  });

  it("publishes a Home tab and asks a message's permalink", async () => {
    const api = client(standin.apiUrl);
    const view = {
      type: 'home' as const,
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Hi' } }],
    };
    await api.views.publish({ user_id: 'U0HOME', view });
    expect(standin.homeView('U0HOME')).toMatchObject(view);
    const posted = await api.chat.postMessage({ channel: 'C0PERMA', text: 'summary' });
    const { permalink } = await api.chat.getPermalink({ channel: 'C0PERMA', message_ts: String(posted.ts) });
    expect(permalink).toMatch(/^https:\/\/paylink-test\.slack\.com\/archives\/C0PERMA\/p\d+$/);
  });

  it("throws Slack's refusal with its error name, and does not send it again", async () => {
    standin.failNext('views.open', 'expired_trigger_id');
    const before = standin.callsTo('views.open').length;
    const refused = client(standin.apiUrl).views.open({
      trigger_id: standin.issueTriggerId(),
      view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
    });
    await expect(refused).rejects.toBeInstanceOf(SlackApiError);
    expect(slackErrorCode(await refused.catch((error: unknown) => error))).toBe('expired_trigger_id');
    expect(standin.callsTo('views.open').length - before).toBe(1);
  });

  it('waits out Retry-After on HTTP 429, then posts once', async () => {
    standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const before = standin.callsTo('chat.postMessage').length;
    const startedAt = Date.now();
    await client(standin.apiUrl).chat.postMessage({ channel: 'C0LIMITED', text: 'late, not lost' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(standin.callsTo('chat.postMessage').length - before).toBe(2);
    expect(standin.messagesIn('C0LIMITED')).toHaveLength(1);
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 'warn', event: 'slack_rate_limited', method: 'chat.postMessage' }),
    );
  });

  it('sends views.open again only while its trigger_id can still work (3 s): 1 s waited out, 3 s not', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'x' }, blocks: [] };
    standin.failNext('views.open', { status: 429, retryAfterSeconds: 1 });
    await client(standin.apiUrl).views.open({ trigger_id: standin.issueTriggerId(), view });
    standin.failNext('views.open', { status: 429, retryAfterSeconds: 3 });
    const startedAt = Date.now();
    const before = standin.callsTo('views.open').length;
    await expect(
      client(standin.apiUrl).views.open({ trigger_id: standin.issueTriggerId(), view }),
    ).rejects.toMatchObject({ name: 'SlackHttpError', statusCode: 429 });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(standin.callsTo('views.open').length - before).toBe(1);
  });

  it('gives up at once when Slack asks to wait more than a minute', async () => {
    standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 600 });
    const startedAt = Date.now();
    await expect(client(standin.apiUrl).chat.postMessage({ channel: 'C0', text: 'x' })).rejects.toMatchObject({
      name: 'SlackHttpError',
      statusCode: 429,
    });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('sends a call again after an HTTP 5xx, and reports the status once the attempts are spent', async () => {
    // 500 (Slack's internal_error page) as well as 503: every 5xx.
    const flaky = await scriptedSlack(httpStatus(500), httpStatus(503), okJson({ ts: '1.2' }));
    try {
      await expect(client(flaky.apiUrl).chat.update({ channel: 'C0', ts: '1.2', text: 'x' })).resolves.toMatchObject({
        ok: true,
      });
      expect(flaky.received).toHaveLength(3);
    } finally {
      await flaky.close();
    }
    const down = await scriptedSlack(httpStatus(502));
    try {
      const startedAt = Date.now();
      const failed = client(down.apiUrl, { backoffMs: 50 }).chat.update({ channel: 'C0', ts: '1.2', text: 'x' });
      await expect(failed).rejects.toBeInstanceOf(SlackHttpError);
      await expect(failed).rejects.toMatchObject({ statusCode: 502 });
      expect(down.received).toHaveLength(5);
      // The backoff doubles between attempts (50, 100, 200, 400 ms), so that the attempts outlast a short outage.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(740);
    } finally {
      await down.close();
    }
  });

  it('never sends a call again after a 504, the gateway timing out on Slack behind it, which may have done it', async () => {
    const timedOut = await scriptedSlack(httpStatus(504), okJson({ ts: '1.2' }));
    try {
      const failed = client(timedOut.apiUrl, { backoffMs: 50 }).chat.postMessage({ channel: 'C0', text: 'x' });
      await expect(failed).rejects.toMatchObject({ name: 'SlackHttpError', statusCode: 504 });
      expect(timedOut.received).toHaveLength(1);
      expect(slackMayHaveActed(await failed.catch((error: unknown) => error))).toBe(true);
      // Any other 5xx says Slack failed, nothing done.
      expect(slackMayHaveActed(new SlackHttpError('chat.postMessage', 502, 'HTTP 502'))).toBe(false);
    } finally {
      await timedOut.close();
    }
  });

  it('gives up on a call Slack rate-limits at every attempt, once the attempts are spent', async () => {
    const limited = await scriptedSlack((_req, res) =>
      res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"ok":false}'),
    );
    try {
      const failed = client(limited.apiUrl).chat.postMessage({ channel: 'C0', text: 'x' });
      await expect(failed).rejects.toMatchObject({ name: 'SlackHttpError', statusCode: 429 });
      expect(limited.received).toHaveLength(5);
    } finally {
      await limited.close();
    }
  });

  it('connects again when Slack refused the connection, since nothing was sent', async () => {
    const port = await freePort();
    const api = client(`http://127.0.0.1:${port}/api/`, { backoffMs: 150 });
    const call = api.conversations.open({ users: 'U0REP' });
    // Slack's address refuses the first attempt, then answers.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => okJson({ channel: { id: 'D0REP' } })(req, res));
    });
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expect(call).resolves.toMatchObject({ channel: { id: 'D0REP' } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a refused connection by its code once the attempts are spent', async () => {
    const port = await freePort();
    const failed = client(`http://127.0.0.1:${port}/api/`).chat.postMessage({ channel: 'C0', text: 'x' });
    expect(slackErrorCode(await failed.catch((error: unknown) => error))).toBe('ECONNREFUSED');
  });

  it('does not send a call again once Slack may have carried it out: a timeout, a connection cut mid-answer', async () => {
    const hung = await scriptedSlack(() => undefined);
    try {
      const startedAt = Date.now();
      const timedOut = client(hung.apiUrl, { timeoutMs: 200 }).chat.postMessage({ channel: 'C0', text: 'x' });
      expect(slackErrorCode(await timedOut.catch((error: unknown) => error))).toBe('UND_ERR_HEADERS_TIMEOUT');
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      expect(hung.received).toHaveLength(1);
    } finally {
      await hung.close();
    }
    const cut = await scriptedSlack((req) => req.socket.destroy());
    try {
      await expect(client(cut.apiUrl).chat.postMessage({ channel: 'C0', text: 'x' })).rejects.toThrow();
      expect(cut.received).toHaveLength(1);
    } finally {
      await cut.close();
    }
  });

  it('gives up an answer whose body never ends (each chunk within the timeout), not sent again', async () => {
    const dripping = await scriptedSlack(answerNeverEnding('application/json; charset=utf-8', '{"ok":true,', ' '));
    try {
      const startedAt = Date.now();
      const failed = client(dripping.apiUrl, { timeoutMs: 300 }).chat.postMessage({ channel: 'C0', text: 'x' });
      const error = await Promise.race([failed.catch((caught: unknown) => caught), sleep(3_000, 'still waiting')]);
      expect(slackErrorCode(error)).toBe('paylink_answer_timeout');
      expect(slackMayHaveActed(error)).toBe(true);
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      expect(dripping.received).toHaveLength(1);
    } finally {
      await dripping.close();
    }
  });

  it('takes a response_url post as delivered on its 200, though the answer’s body never ends', async () => {
    const dripping = await scriptedSlack(answerNeverEnding('text/plain', 'o', 'k'));
    try {
      const posted = client(dripping.apiUrl, { timeoutMs: 300 }).respond(`${dripping.apiUrl}response`, { text: 'x' });
      expect(await Promise.race([posted.then(() => 'delivered'), sleep(3_000, 'still waiting')])).toBe('delivered');
      expect(dripping.received).toHaveLength(1);
    } finally {
      await dripping.close();
    }
  });

  describe("Slack's warnings", () => {
    const slackSays = () =>
      logLines
        .filter((line) => line.event === 'slack_warning' || line.event === 'slack_error_message')
        .map(({ level, event, method, warning, message }) => ({ level, event, method, warning, message }));
    afterEach(() => {
      for (const method of ['chat.postMessage', 'chat.update']) standin.setResponseMetadata(method, undefined);
    });

    it('logs each warning and message once per method, with the method, from refusals too', async () => {
      standin.setResponseMetadata('chat.postMessage', {
        warnings: ['missing_charset'],
        messages: [
          "[WARN] A Content-Type HTTP header was presented but did not declare a charset, such as a 'utf-8'",
          '[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0]',
        ],
      });
      standin.setResponseMetadata('chat.update', { warnings: ['missing_charset'] });
      const api = client(standin.apiUrl);
      const posted = await api.chat.postMessage({ channel: 'C0WARN', text: 'first' });
      await api.chat.postMessage({ channel: 'C0WARN', text: 'second' });
      standin.failNext('chat.postMessage', 'invalid_blocks');
      await expect(api.chat.postMessage({ channel: 'C0WARN', text: 'refused' })).rejects.toBeInstanceOf(SlackApiError);
      await api.chat.update({ channel: 'C0WARN', ts: String(posted.ts), text: 'edited' });

      const postMessage = { method: 'chat.postMessage', warning: undefined, message: undefined };
      expect(slackSays()).toEqual([
        { ...postMessage, level: 'warn', event: 'slack_warning', warning: 'missing_charset' },
        {
          ...postMessage,
          level: 'warn',
          event: 'slack_warning',
          message: "A Content-Type HTTP header was presented but did not declare a charset, such as a 'utf-8'",
        },
        {
          ...postMessage,
          level: 'error',
          event: 'slack_error_message',
          message: 'failed to match all allowed schemas [json-pointer:/blocks/0]',
        },
        { ...postMessage, method: 'chat.update', level: 'warn', event: 'slack_warning', warning: 'missing_charset' },
      ]);
    });

    it('remembers a bounded number of them: past 200, the oldest is logged again if it comes back', async () => {
      const api = client(standin.apiUrl);
      const postWarned = async (...warnings: string[]) => {
        standin.setResponseMetadata('chat.postMessage', { warnings });
        await api.chat.postMessage({ channel: 'C0WARN', text: 'x' });
      };
      await postWarned(...Array.from({ length: 200 }, (_, index) => `warning_${index}`));
      await postWarned('warning_0', 'warning_199');
      expect(slackSays()).toHaveLength(200);
      await postWarned('warning_200', 'warning_0', 'warning_2');
      expect(
        slackSays()
          .slice(200)
          .map((line) => line.warning),
      ).toEqual(['warning_200', 'warning_0']);
    });
  });

  it('reports an answer that is not JSON', async () => {
    const odd = await scriptedSlack((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    try {
      await expect(
        client(odd.apiUrl).views.update({
          view_id: 'V0',
          view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
        }),
      ).rejects.toMatchObject({
        name: 'SlackHttpError',
        statusCode: 200,
      });
    } finally {
      await odd.close();
    }
  });
});
