import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SlackApiStandin, startSlackApiStandin } from './slack-api-standin.js';
import { slackJson } from './slack-json.js';
import {
  appHomeOpenedEvent,
  blockActionsPayload,
  messageShortcutPayload,
  sendEvent,
  sendInteraction,
  sendSlashCommand,
  signSlackRequest,
  stateValuesFor,
  viewSubmissionPayload,
} from './slack-requests.js';

const BOT_TOKEN = 'xoxb-test-standin';
const SIGNING_SECRET = 'standin-test-signing-secret';

const MODAL = {
  type: 'modal',
  callback_id: 'paylink_form',
  title: { type: 'plain_text', text: 'Payment link' },
  submit: { type: 'plain_text', text: 'Create' },
  blocks: [
    {
      type: 'input',
      block_id: 'amount',
      label: { type: 'plain_text', text: 'Amount' },
      element: { type: 'number_input', action_id: 'value', is_decimal_allowed: true },
    },
    {
      type: 'input',
      block_id: 'email',
      label: { type: 'plain_text', text: 'Email' },
      element: { type: 'email_text_input', action_id: 'value' },
    },
    {
      type: 'input',
      block_id: 'reference',
      label: { type: 'plain_text', text: 'Reference' },
      element: { type: 'plain_text_input', action_id: 'value', initial_value: 'INV-1' },
    },
    {
      type: 'input',
      block_id: 'channels',
      label: { type: 'plain_text', text: 'Send by' },
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'SMS' }, value: 'sms' },
          {
            text: { type: 'plain_text', text: 'E-mail' },
            value: 'email',
            description: { type: 'plain_text', text: 'x' },
          },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'language',
      label: { type: 'plain_text', text: 'Language' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'Français' }, value: 'fr' },
          { text: { type: 'plain_text', text: 'English' }, value: 'en' },
        ],
      },
    },
    { type: 'section', block_id: 'note', text: { type: 'mrkdwn', text: 'Not an input' } },
  ],
};

function webClient(standin: SlackApiStandin, options: { rejectRateLimitedCalls?: boolean } = {}) {
  return new webApi.WebClient(BOT_TOKEN, {
    slackApiUrl: standin.apiUrl,
    retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 },
    logLevel: webApi.LogLevel.ERROR,
    ...options,
  });
}

/** Calls a method and returns Slack's answer whether ok or not (the client throws on `ok: false`). */
async function answerOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    return (await call) as Record<string, unknown>;
  } catch (error) {
    return (error as { data: Record<string, unknown> }).data;
  }
}

describe('Slack Web API standin', () => {
  let standin: SlackApiStandin;
  beforeEach(async () => {
    standin = await startSlackApiStandin({
      channels: {
        G0PRIVATE: { kind: 'private', botIsMember: false },
        G0JOINED: { kind: 'private', botIsMember: true },
        D0OTHERS: { kind: 'im', botIsMember: false },
      },
    });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await standin.close();
  });

  it('serves the Web API under a base URL ending with /api/ and records form-encoded calls with parsed JSON args', async () => {
    expect(standin.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const client = webClient(standin);

    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT' });
    await client.chat.postMessage({ channel: 'C0SALES', text: 'hello', blocks: [{ type: 'divider' }] });

    const post = await standin.waitForCall('chat.postMessage');
    expect(post.args).toEqual({ channel: 'C0SALES', text: 'hello', blocks: [{ type: 'divider' }] });
    expect(standin.calls.map((call) => call.method)).toEqual(['auth.test', 'chat.postMessage']);
  });

  it('accepts JSON bodies and refuses calls without a bot token', async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`${standin.apiUrl}auth.test`, { method: 'POST', headers, body: '{}' }).then((response) => response.json());

    await expect(
      send({ 'Content-Type': 'application/json', Authorization: `Bearer ${BOT_TOKEN}` }),
    ).resolves.toMatchObject({ ok: true });
    await expect(send({ 'Content-Type': 'application/json' })).resolves.toEqual({ ok: false, error: 'not_authed' });
    await expect(send({ 'Content-Type': 'application/json', Authorization: 'Bearer xoxp-user' })).resolves.toEqual({
      ok: false,
      error: 'invalid_auth',
    });
  });

  describe('trigger ids', () => {
    it('open a modal once, then answer exchanged_trigger_id', async () => {
      const client = webClient(standin);
      const triggerId = standin.issueTriggerId();

      const opened = await client.views.open({ trigger_id: triggerId, view: MODAL as never });
      expect(opened.view).toMatchObject({ callback_id: 'paylink_form', state: { values: {} } });
      expect(opened.view?.id).toMatch(/^V/);
      expect(standin.displayedViews()).toEqual([opened.view]);

      await expect(answerOf(client.views.open({ trigger_id: triggerId, view: MODAL as never }))).resolves.toMatchObject(
        {
          error: 'exchanged_trigger_id',
        },
      );
    });

    it('expire after 3 seconds', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const triggerId = standin.issueTriggerId();
      vi.setSystemTime(Date.now() + 3_001);

      await expect(
        answerOf(webClient(standin).views.open({ trigger_id: triggerId, view: MODAL as never })),
      ).resolves.toMatchObject({ error: 'expired_trigger_id' });
    });

    it('must have been issued by Slack', async () => {
      await expect(
        answerOf(webClient(standin).views.open({ trigger_id: '1.2.unknown', view: MODAL as never })),
      ).resolves.toMatchObject({ error: 'invalid_trigger_id' });
    });
  });

  it('updates a held view by view_id or external_id, checking the hash', async () => {
    const client = webClient(standin);
    const opened = await client.views.open({
      trigger_id: standin.issueTriggerId(),
      view: { ...MODAL, external_id: 'paylink-1' } as never,
    });
    const id = opened.view?.id as string;
    const updated = { ...MODAL, title: { type: 'plain_text', text: 'Creating…' } } as never;

    const byId = await client.views.update({ view_id: id, hash: opened.view?.hash as string, view: updated });
    expect(byId.view).toMatchObject({ id, title: { text: 'Creating…' } });
    await expect(client.views.update({ external_id: 'paylink-1', view: updated })).resolves.toMatchObject({ ok: true });

    const staleHash = client.views.update({ view_id: id, hash: opened.view?.hash as string, view: updated });
    await expect(answerOf(staleHash)).resolves.toMatchObject({ error: 'hash_conflict' });
    await expect(answerOf(client.views.update({ view_id: 'V404', view: updated }))).resolves.toMatchObject({
      error: 'not_found',
    });
  });

  describe('conversation access', () => {
    const post = (channel: string) => answerOf(webClient(standin).chat.postMessage({ channel, text: 'link' }));

    it('lets the bot post to public channels, joined or not, and to private ones it is in', async () => {
      await expect(post('C0SALES')).resolves.toMatchObject({ ok: true, channel: 'C0SALES' });
      await expect(post('G0JOINED')).resolves.toMatchObject({ ok: true });
    });

    it('answers channel_not_found for private channels and DMs the bot is not in', async () => {
      await expect(post('G0PRIVATE')).resolves.toMatchObject({ ok: false, error: 'channel_not_found' });
      await expect(post('D0OTHERS')).resolves.toMatchObject({ ok: false, error: 'channel_not_found' });
    });

    it('opens a DM the bot can then post to', async () => {
      const client = webClient(standin);
      const opened = await client.conversations.open({ users: 'U0REP' });
      const dm = opened.channel?.id as string;

      expect(dm).toMatch(/^D/);
      await expect(post(dm)).resolves.toMatchObject({ ok: true });
      await expect(client.conversations.open({ users: 'U0REP' })).resolves.toMatchObject({ channel: { id: dm } });
    });
  });

  it('gives messages unique increasing ts, threads replies, and updates, links and ephemerals them', async () => {
    const client = webClient(standin);
    const parent = await client.chat.postMessage({ channel: 'C0SALES', text: 'Payment link for INV-1' });
    const reply = await client.chat.postMessage({ channel: 'C0SALES', text: 'https://pay', thread_ts: parent.ts });

    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    expect(reply.message).toMatchObject({ thread_ts: parent.ts, bot_id: 'B0BOT' });
    expect((await standin.waitForCall('chat.postMessage', (call) => call.args.thread_ts === parent.ts)).args.text).toBe(
      'https://pay',
    );

    const edited = await client.chat.update({ channel: 'C0SALES', ts: reply.ts as string, text: 'Paid' });
    expect(edited.message).toMatchObject({ text: 'Paid', thread_ts: parent.ts });
    await expect(
      answerOf(client.chat.update({ channel: 'C0SALES', ts: '1.000001', text: 'x' })),
    ).resolves.toMatchObject({ error: 'message_not_found' });

    const link = await client.chat.getPermalink({ channel: 'C0SALES', message_ts: reply.ts as string });
    expect(link.permalink).toContain(`/archives/C0SALES/p${reply.ts?.replace('.', '')}?thread_ts=${parent.ts}`);
    const ephemeral = await client.chat.postEphemeral({ channel: 'C0SALES', user: 'U0REP', text: 'Only you' });
    expect(ephemeral.message_ts).toMatch(/^\d{10}\.\d{6}$/);
  });

  describe('fault injection', () => {
    it('answers the next calls with the given error, then recovers', async () => {
      standin.failNext('chat.postMessage', 'fatal_error', 2);
      const post = () => answerOf(webClient(standin).chat.postMessage({ channel: 'C0SALES', text: 'x' }));

      await expect(post()).resolves.toMatchObject({ ok: false, error: 'fatal_error' });
      await expect(post()).resolves.toMatchObject({ ok: false, error: 'fatal_error' });
      await expect(post()).resolves.toMatchObject({ ok: true });
    });

    it('answers with the error only the calls it is told apply, leaving the others be', async () => {
      standin.failNext('chat.postMessage', 'msg_too_long', 1, (args) => args.thread_ts !== undefined);
      const client = webClient(standin);
      const parent = await client.chat.postMessage({ channel: 'C0SALES', text: 'parent' });
      const reply = () => answerOf(client.chat.postMessage({ channel: 'C0SALES', text: 'x', thread_ts: parent.ts }));

      expect(parent.ok).toBe(true);
      await expect(reply()).resolves.toMatchObject({ ok: false, error: 'msg_too_long' });
      await expect(reply()).resolves.toMatchObject({ ok: true });
    });

    it('rate limits with HTTP 429 and Retry-After, which the Slack client honours', async () => {
      standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
      const raw = await fetch(`${standin.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${BOT_TOKEN}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'channel=C0SALES&text=x',
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toBe('1');
      await expect(raw.json()).resolves.toEqual({ ok: false, error: 'ratelimited' });

      standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
      const rejecting = webClient(standin, { rejectRateLimitedCalls: true });
      await expect(rejecting.chat.postMessage({ channel: 'C0SALES', text: 'x' })).rejects.toMatchObject({
        code: webApi.ErrorCode.RateLimitedError,
        retryAfter: 1,
      });

      standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
      const startedAt = Date.now();
      await expect(webClient(standin).chat.postMessage({ channel: 'C0SALES', text: 'x' })).resolves.toMatchObject({
        ok: true,
      });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
    });

    it("adds Slack's warnings to a method's answers, refusals included, until removed", async () => {
      const post = () =>
        fetch(`${standin.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${BOT_TOKEN}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ channel: 'C0SALES', text: 'x' }),
        }).then((response) => response.json() as Promise<Record<string, unknown>>);
      const metadata = { warnings: ['missing_charset', 'superfluous_charset'], messages: ['[WARN] no charset'] };
      standin.setResponseMetadata('chat.postMessage', metadata);

      await expect(post()).resolves.toMatchObject({
        ok: true,
        warning: 'missing_charset,superfluous_charset',
        response_metadata: metadata,
      });
      standin.failNext('chat.postMessage', 'fatal_error');
      await expect(post()).resolves.toMatchObject({ ok: false, error: 'fatal_error', response_metadata: metadata });
      standin.setResponseMetadata('chat.postMessage', undefined);
      const plain = await post();
      expect(plain).not.toHaveProperty('warning');
      expect(plain).not.toHaveProperty('response_metadata');
    });

    it('delays answers', async () => {
      standin.setDelay('views.open', 300);
      const startedAt = Date.now();
      await webClient(standin).views.open({ trigger_id: standin.issueTriggerId(), view: MODAL as never });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    });
  });

  describe('external file upload', () => {
    it("serves it as WebClient's files.uploadV2 runs it: the bytes kept, the file shared in the channel", async () => {
      const content = '\uFEFFa;b\r\n"=x";1,5\r\n';
      const uploaded = await webClient(standin).files.uploadV2({
        channel_id: 'C0SALES',
        filename: 'export.csv',
        title: 'Export',
        initial_comment: 'Here it is',
        content,
      });
      expect(uploaded.ok).toBe(true);
      const [file] = standin.uploadedFiles();
      expect(file).toMatchObject({ filename: 'export.csv', title: 'Export', channels: ['C0SALES'] });
      expect(file?.bytes?.toString('utf8')).toBe(content);
      expect(file?.declaredLength).toBe(Buffer.byteLength(content));
      expect(standin.messagesIn('C0SALES')).toEqual([
        expect.objectContaining({
          text: 'Here it is',
          files: [expect.objectContaining({ id: file?.id, title: 'Export' })],
        }),
      ]);
    });

    it('answers invalid_arguments to a JSON body on files.getUploadURLExternal, as live Slack does', async () => {
      const send = (contentType: string, body: string) =>
        fetch(`${standin.apiUrl}files.getUploadURLExternal`, {
          method: 'POST',
          headers: { 'Content-Type': contentType, Authorization: `Bearer ${BOT_TOKEN}` },
          body,
        }).then((response) => response.json());
      await expect(
        send('application/json; charset=utf-8', JSON.stringify({ filename: 'a.csv', length: 3 })),
      ).resolves.toEqual({ ok: false, error: 'invalid_arguments' });
      await expect(send('application/x-www-form-urlencoded', 'filename=a.csv&length=3')).resolves.toMatchObject({
        ok: true,
        file_id: expect.stringMatching(/^F/),
        upload_url: expect.stringContaining('/upload/'),
      });
      await expect(send('application/x-www-form-urlencoded', 'filename=a.csv')).resolves.toMatchObject({
        error: 'invalid_arguments',
      });
      await expect(send('application/x-www-form-urlencoded', 'filename=a.csv&length=0')).resolves.toMatchObject({
        error: 'missing_argument',
      });
    });

    it('refuses to complete a file whose bytes never came, or to share it where the bot may not post', async () => {
      const client = webClient(standin);
      const { file_id: fileId, upload_url: uploadUrl } = await client.files.getUploadURLExternal({
        filename: 'a.csv',
        length: 3,
      });
      const complete = (channel: string) =>
        answerOf(client.files.completeUploadExternal({ files: [{ id: String(fileId) }], channel_id: channel }));
      await expect(complete('C0SALES')).resolves.toMatchObject({ ok: false, error: 'file_not_found' });
      expect((await fetch(String(uploadUrl), { method: 'POST', body: 'abc' })).status).toBe(200);
      await expect(complete('D0OTHERS')).resolves.toMatchObject({ ok: false, error: 'channel_not_found' });
      await expect(complete('C0SALES')).resolves.toMatchObject({ ok: true, files: [{ id: fileId, title: 'a.csv' }] });
      expect((await fetch(`${standin.apiUrl.replace('/api/', '/upload/')}F0NEVER`, { method: 'POST' })).status).toBe(
        404,
      );
    });
  });

  it("publishes each user's Home tab, and refuses what Slack would", async () => {
    const client = webClient(standin);
    const home = { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }] };
    const published = await client.views.publish({ user_id: 'U0REP', view: home as never });
    expect(standin.homeView('U0REP')).toMatchObject({ ...home, id: published.view?.id });
    expect(standin.homeView('U0OTHER')).toBeUndefined();
    expect(standin.displayedViews()).toEqual([]);
    const again = await client.views.publish({ user_id: 'U0REP', view: home as never, hash: published.view?.hash });
    expect(again.view?.id).toBe(published.view?.id);
    await expect(
      answerOf(client.views.publish({ user_id: 'U0REP', view: home as never, hash: published.view?.hash })),
    ).resolves.toMatchObject({ error: 'hash_conflict' });
    const tooMany = { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) };
    for (const view of [{ ...home, type: 'modal' }, tooMany]) {
      await expect(answerOf(client.views.publish({ user_id: 'U0REP', view: view as never }))).resolves.toMatchObject({
        error: 'invalid_arguments',
      });
    }
  });

  it('waits for calls still to come, and says what it saw when they do not', async () => {
    const awaited = standin.waitForCall('chat.postMessage', (call) => call.args.channel === 'C0LATER');
    await webClient(standin).chat.postMessage({ channel: 'C0LATER', text: 'x' });
    await expect(awaited).resolves.toMatchObject({ args: { channel: 'C0LATER' } });

    await expect(standin.waitForCall('views.open', undefined, 50)).rejects.toThrow(
      /No matching views.open call; calls so far: chat.postMessage/,
    );
  });

  it('records JSON posted to the response_urls it issues', async () => {
    const url = standin.responseUrl();
    const awaited = standin.waitForResponse((post) => post.url === url);
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Link created', response_type: 'ephemeral' }),
    });

    expect(answer.status).toBe(200);
    await expect(answer.json()).resolves.toEqual({ ok: true });
    await expect(awaited).resolves.toMatchObject({ body: { text: 'Link created' } });
    expect((await fetch(`${url}x`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  describe('refuses what real Slack refuses', () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

    it('chat.update with text and no blocks drops the blocks; with attachments alone it keeps the blocks', async () => {
      const client = webClient(standin);
      const attachments = [{ color: '#9e9e9e', fallback: 'Awaiting', text: 'Awaiting' }];
      const posted = await client.chat.postMessage({
        channel: 'C0SALES',
        text: 'Summary',
        blocks: [section('*Summary*')],
        attachments,
      });
      const ts = posted.ts as string;
      const paid = [{ color: '#2eb67d', fallback: 'Paid', text: 'Paid' }];
      await client.chat.update({ channel: 'C0SALES', ts, attachments: paid });
      expect(standin.messagesIn('C0SALES').at(-1)).toMatchObject({ blocks: [section('*Summary*')], attachments: paid });
      await client.chat.update({ channel: 'C0SALES', ts, text: 'Summary — Paid', attachments: paid });
      const rewritten = standin.messagesIn('C0SALES').at(-1);
      expect(rewritten).toMatchObject({ text: 'Summary — Paid', attachments: paid });
      expect(rewritten?.blocks).toBeUndefined();
      await expect(
        answerOf(client.chat.update({ channel: 'C0SALES', ts, text: 'x'.repeat(4001) })),
      ).resolves.toMatchObject({ error: 'msg_too_long' });
    });

    it('answers invalid_blocks for an unknown block type or one past its limits, invalid_thread_ts for a bad ts', async () => {
      const post = (args: Record<string, unknown>) =>
        answerOf(webClient(standin).chat.postMessage({ channel: 'C0SALES', text: 'x', ...args } as never));
      await expect(post({ blocks: [{ type: 'sectoin', text: { type: 'mrkdwn', text: 'x' } }] })).resolves.toMatchObject(
        { error: 'invalid_blocks' },
      );
      await expect(post({ blocks: [section('x'.repeat(3001))] })).resolves.toMatchObject({ error: 'invalid_blocks' });
      await expect(
        post({ blocks: [{ type: 'image', image_url: 'https://x/y.png', alt_text: 'y' }] }),
      ).resolves.toMatchObject({ ok: true });
      await expect(post({ thread_ts: 'not-a-ts' })).resolves.toMatchObject({ error: 'invalid_thread_ts' });
    });

    it('answers invalid_arguments for a view past its limits', async () => {
      const client = webClient(standin);
      const longTitle = { ...MODAL, title: { type: 'plain_text', text: 'A title longer than 24 chars' } };
      await expect(
        answerOf(client.views.open({ trigger_id: standin.issueTriggerId(), view: longTitle as never })),
      ).resolves.toMatchObject({ error: 'invalid_arguments' });
      const { submit: _submit, ...noSubmit } = MODAL;
      await expect(
        answerOf(client.views.open({ trigger_id: standin.issueTriggerId(), view: noSubmit as never })),
      ).resolves.toMatchObject({ error: 'invalid_arguments' });
      const home = { type: 'home', blocks: [section('x'), { type: 'sectoin' }] };
      await expect(answerOf(client.views.publish({ user_id: 'U0REP', view: home as never }))).resolves.toMatchObject({
        error: 'invalid_arguments',
      });
    });

    it('refuses a DM it never opened, and conversations.open of anything but a person', async () => {
      const client = webClient(standin);
      await expect(answerOf(client.chat.postMessage({ channel: 'D0NEVEROPENED', text: 'x' }))).resolves.toMatchObject({
        error: 'channel_not_found',
      });
      await expect(answerOf(client.conversations.open({ users: 'C0SALES' }))).resolves.toMatchObject({
        error: 'user_not_found',
      });
      await expect(answerOf(client.conversations.open({ users: 'U0BOT' }))).resolves.toMatchObject({
        error: 'cannot_dm_bot',
      });
    });

    it('takes a response_url 5 times, then answers 404', async () => {
      const url = standin.responseUrl();
      const respond = () =>
        fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"x"}' });
      for (let use = 1; use <= 5; use++) expect((await respond()).status).toBe(200);
      const sixth = await respond();
      expect(sixth.status).toBe(404);
      await expect(sixth.json()).resolves.toMatchObject({ error: 'used_url' });
    });
  });
});

describe('JSON as Slack writes it', () => {
  it('escapes every character past ASCII, and parses back to the same value', () => {
    const value = { label: 'Amount (€)', name: 'Zoë Ł.', emoji: '😀', plain: 'a"b\\c' };
    const written = slackJson(value);

    expect(written).toBe(
      String.raw`{"label":"Amount (\u20ac)","name":"Zo\u00eb \u0141.","emoji":"\ud83d\ude00","plain":"a\"b\\c"}`,
    );
    expect(JSON.parse(written)).toEqual(value);
  });

  it("is how the stand-in answers Slack's Web API calls", async () => {
    const standin = await startSlackApiStandin();
    try {
      const response = await fetch(`${standin.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${BOT_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'C0SALES', text: 'Lien de 120,00 € créé' }),
      });
      const raw = await response.text();
      expect(raw).toContain(String.raw`Lien de 120,00 \u20ac cr\u00e9\u00e9`);
      expect(JSON.parse(raw)).toMatchObject({ ok: true, message: { text: 'Lien de 120,00 € créé' } });
    } finally {
      await standin.close();
    }
  });
});

describe('Slack request signing', () => {
  it("reproduces the example from Slack's 'Verifying requests from Slack' guide", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    expect(signSlackRequest(body, '8f742231b10e8888abcd99yyyzzz85a5', 1531420618)).toMatchObject({
      'X-Slack-Request-Timestamp': '1531420618',
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  it('signs what Bolt verifies, with the current time by default', () => {
    const body = 'payload=%7B%7D';
    const headers = signSlackRequest(body, SIGNING_SECRET);
    const independent = createHmac('sha256', SIGNING_SECRET)
      .update(`v0:${headers['X-Slack-Request-Timestamp']}:${body}`)
      .digest('hex');

    expect(headers['X-Slack-Signature']).toBe(`v0=${independent}`);
    expect(Math.abs(Number(headers['X-Slack-Request-Timestamp']) - Date.now() / 1000)).toBeLessThan(2);
    expect(() =>
      verifySlackRequest({
        signingSecret: SIGNING_SECRET,
        body,
        headers: {
          'x-slack-signature': headers['X-Slack-Signature'] as string,
          'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']),
        },
      }),
    ).not.toThrow();
  });
});

/** A minimal Bolt app proves the helpers' requests are what Bolt expects from Slack. */
describe('requests to a Bolt app', () => {
  let standin: SlackApiStandin;
  let app: App;
  let appUrl: string;
  const received: unknown[] = [];

  beforeEach(async () => {
    standin = await startSlackApiStandin();
    app = new App({
      token: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      clientOptions: { slackApiUrl: standin.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    app.command('/paylink', async ({ ack, body, client }) => {
      await client.views.open({ trigger_id: body.trigger_id, view: MODAL as never });
      await ack();
      received.push(body);
    });
    app.shortcut('paylink_from_message', async ({ ack, body }) => {
      await ack();
      received.push(body);
    });
    app.action('pick', async ({ ack, body }) => {
      await ack();
      received.push(body);
    });
    app.event('app_home_opened', async ({ event }) => {
      received.push(event);
    });
    app.view('paylink_form', async ({ ack, view }) => {
      received.push(view);
      await ack({ response_action: 'errors', errors: { amount: 'Too much' } });
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    received.length = 0;
    await app.stop();
    await standin.close();
  });

  it('delivers a slash command whose trigger id opens the modal', async () => {
    const triggerId = standin.issueTriggerId();
    const result = await sendSlashCommand(appUrl, SIGNING_SECRET, { text: '120 INV-1', trigger_id: triggerId });

    expect(result).toMatchObject({ status: 200 });
    expect(result.elapsedMs).toBeLessThan(3_000);
    expect(received[0]).toMatchObject({
      command: '/paylink',
      text: '120 INV-1',
      user_id: 'U0REP',
      channel_id: 'C0SALES',
    });
    expect((await standin.waitForCall('views.open')).args.trigger_id).toBe(triggerId);
    expect(standin.displayedViews()).toHaveLength(1);
  });

  it('is refused with a forged signature or a stale timestamp', async () => {
    await expect(sendSlashCommand(appUrl, SIGNING_SECRET, {}, { signature: 'v0=forged' })).resolves.toMatchObject({
      status: 401,
    });
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    await expect(
      sendSlashCommand(appUrl, SIGNING_SECRET, {}, { timestampSeconds: sixMinutesAgo }),
    ).resolves.toMatchObject({ status: 401 });
    expect(received).toEqual([]);
  });

  it('delivers a message shortcut with the message and its thread', async () => {
    const payload = messageShortcutPayload({
      trigger_id: standin.issueTriggerId(),
      response_url: standin.responseUrl(),
      message: { ts: '1700000100.000100', thread_ts: '1700000000.000100', text: 'Invoice INV-7', user: 'U0CLIENT' },
    });
    await expect(sendInteraction(appUrl, SIGNING_SECRET, payload)).resolves.toMatchObject({ status: 200 });

    expect(received[0]).toMatchObject({
      type: 'message_action',
      callback_id: 'paylink_from_message',
      channel: { id: 'C0SALES' },
      message_ts: '1700000100.000100',
      message: { thread_ts: '1700000000.000100', text: 'Invoice INV-7' },
    });
  });

  it('delivers a block action from a modal', async () => {
    const view = { id: 'V0MODAL', ...MODAL };
    const payload = blockActionsPayload({
      view,
      actions: [{ type: 'button', action_id: 'pick', block_id: 'note', value: 'x' }],
      stateValues: stateValuesFor(view, { amount: '12.5' }),
    });
    await expect(sendInteraction(appUrl, SIGNING_SECRET, payload)).resolves.toMatchObject({ status: 200 });

    expect(received[0]).toMatchObject({
      container: { type: 'view', view_id: 'V0MODAL' },
      actions: [{ action_id: 'pick', value: 'x' }],
      view: { state: { values: { amount: { value: { value: '12.5' } } } } },
    });
  });

  it('delivers an event as JSON, signed; a forged one is refused', async () => {
    const result = await sendEvent(appUrl, SIGNING_SECRET, appHomeOpenedEvent('U0REP'));
    expect(result.status).toBe(200);
    await expect
      .poll(() => received)
      .toEqual([expect.objectContaining({ type: 'app_home_opened', user: 'U0REP', tab: 'home' })]);
    const forged = await sendEvent(appUrl, SIGNING_SECRET, appHomeOpenedEvent('U0REP'), { signature: 'v0=forged' });
    expect(forged.status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it('delivers a view submission with its state and returns the ack body', async () => {
    const values = stateValuesFor(MODAL, { amount: '120.50', channels: ['email'], language: 'en' });
    const payload = viewSubmissionPayload({
      view: { ...MODAL, id: 'V0MODAL', private_metadata: '{"channel":"C0SALES"}', state: { values } },
    });
    const result = await sendInteraction(appUrl, SIGNING_SECRET, payload);

    expect(result).toMatchObject({ status: 200, json: { response_action: 'errors', errors: { amount: 'Too much' } } });
    expect(received[0]).toMatchObject({
      id: 'V0MODAL',
      callback_id: 'paylink_form',
      private_metadata: '{"channel":"C0SALES"}',
    });
  });
});

describe('stateValuesFor', () => {
  it('shapes each input by element type, with initial or empty values for untouched blocks', () => {
    expect(stateValuesFor(MODAL, { amount: '120.50', channels: ['email', 'sms'], language: 'fr' })).toEqual({
      amount: { value: { type: 'number_input', value: '120.50' } },
      email: { value: { type: 'email_text_input', value: null } },
      reference: { value: { type: 'plain_text_input', value: 'INV-1' } },
      channels: {
        value: {
          type: 'checkboxes',
          selected_options: [
            { text: { type: 'plain_text', text: 'E-mail' }, value: 'email' },
            { text: { type: 'plain_text', text: 'SMS' }, value: 'sms' },
          ],
        },
      },
      language: {
        value: {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'Français' }, value: 'fr' },
        },
      },
    });
    expect(stateValuesFor(MODAL)).toMatchObject({
      channels: { value: { selected_options: [] } },
      language: { value: { selected_option: null } },
    });
  });

  it('refuses inputs Slack could not submit', () => {
    expect(() => stateValuesFor(MODAL, { note: 'x' })).toThrow(/no input block with block_id note/);
    expect(() => stateValuesFor(MODAL, { language: 'de' })).toThrow(/offers no option "de"/);
    expect(() => stateValuesFor(MODAL, { amount: ['1', '2'] })).toThrow(/takes one value/);
  });
});
