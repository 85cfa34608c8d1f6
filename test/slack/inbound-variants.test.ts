import { afterEach, describe, expect, it } from 'vitest';
import type { LinkRecord } from '../../src/ledger/ledger.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import {
  appHomeOpenedEvent,
  eventCallbackPayload,
  orgWideCommandFields,
  orgWideInteraction,
  type ShortcutMessage,
  sendEventCallback,
  shortcutMessages,
} from '../support/slack-requests.js';
import { ENTERPRISE, GRID_REP, SALES_CHANNEL, SALES_REP, type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

/**
 * Slack sends the same requests in shapes the default helpers do not: an org-wide install (team null, a W… user whose
 * team is another workspace), shortcuts on a reply, a broadcast reply, a bot's message, a file without text, commands
 * from a DM or a private channel the bot is not in, App Home opened again (with `view`) or retried by the Events API.
 * Each is driven through the real app: nothing crashes, and the ledger keeps the right user, channel and thread.
 */
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');
const links = async (): Promise<LinkRecord[]> =>
  (await h.paylink.ledger.db.selectFrom('links').selectAll().execute()) as LinkRecord[];
const problems = () => h.logs.filter((line) => /"level":(40|50)|"level":"(warn|error)"/.test(line));

describe('an org-wide install (Enterprise Grid)', () => {
  it('a command and its submission with team null create one link, stored under the W… rep who asked', async () => {
    h = await startHarness();
    const { view } = await h.openModal(orgWideCommandFields({ user_id: GRID_REP.id, user_name: GRID_REP.username }));
    const submitted = await h.submit(view, VALID_FORM, GRID_REP, orgWideInteraction);
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    await h.waitForViewUpdate(view.id, isCreatedView);

    const [link, ...more] = await links();
    expect(more).toHaveLength(0);
    expect(link).toMatchObject({
      user_id: GRID_REP.id,
      origin_channel: SALES_CHANNEL.id,
      origin_thread_ts: null,
      summary_channel: SALES_CHANNEL.id,
      state: 'created',
    });
    // `team` is null: what the ledger keeps as team_id is then the rep's own workspace (`user.team_id`), not
    // necessarily the one the command was typed in (the command's team_id, which the modal does not carry).
    expect(link?.team_id).toBe(GRID_REP.team_id);
    const summary = h.standin.messagesIn(SALES_CHANNEL.id)[0];
    expect(visibleText(summary)).toContain(`<@${GRID_REP.id}>`);
    expect(problems()).toEqual([]);
  });

  it('a message shortcut with team null opens the form bound to its thread', async () => {
    h = await startHarness();
    const { view } = await h.openModalFromMessage(
      { type: 'message', ts: '1700000001.000100', user: GRID_REP.id, text: 'Order 42' },
      { user: GRID_REP, orgWide: true },
    );
    await h.submit(view, VALID_FORM, GRID_REP, orgWideInteraction);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(await links()).toMatchObject([{ user_id: GRID_REP.id, origin_thread_ts: '1700000001.000100' }]);
  });
});

/**
 * A Slack Connect channel the sales team shares with a customer's organization: Slack lets its external members use
 * the host's apps there, and names them with their own workspace (`user.team_id`), not the one paylink is installed in
 * (`view.app_installed_team_id`).
 */
describe('a member of another organization, in a Slack Connect channel', () => {
  const CUSTOMER: SlackUser = { id: 'U0ACMEBUYER', username: 'buyer', name: 'buyer', team_id: 'T0ACMECORP' };

  it('is refused at the submission: no payment link made on the merchant’s account, nothing posted', async () => {
    h = await startHarness();
    const { view } = await h.openModal({ user_id: CUSTOMER.id, user_name: CUSTOMER.username });
    const submitted = await h.submit(view, VALID_FORM, CUSTOMER);
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((submitted.json as { view?: unknown }).view)).toContain(
      'paylink makes payment links for the members of the workspace it is installed in only',
    );
    expect(h.safedebit.requests).toHaveLength(0);
    expect(await links()).toEqual([]);
    expect(h.standin.callsTo('chat.postMessage')).toHaveLength(0);
    const [refused] = await h.waitForLog('access_refused');
    expect(refused).toMatchObject({ reason: 'other_organization', user: CUSTOMER.id, team: CUSTOMER.team_id });
  });

  // In an Enterprise Grid org, members of its other workspaces have their own team too: paylink cannot tell them from
  // outsiders by id, and lets them through.
  it('lets through a member of another workspace of the Enterprise Grid org paylink is installed in', async () => {
    h = await startHarness();
    const { view } = await h.openModal({ user_id: GRID_REP.id, user_name: GRID_REP.username });
    await h.submit(view, VALID_FORM, GRID_REP, (payload) => ({ ...payload, enterprise: { ...ENTERPRISE } }));
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(await links()).toMatchObject([{ user_id: GRID_REP.id, state: 'created' }]);
  });
});

describe.each<[string, ShortcutMessage, string]>([
  [
    'a reply in a thread',
    shortcutMessages.threadReply('1700000002.000200', '1700000002.000100', 'U0OTHER'),
    '1700000002.000100',
  ],
  [
    'a reply also sent to the channel',
    shortcutMessages.threadBroadcast('1700000003.000200', '1700000003.000100', 'U0OTHER'),
    '1700000003.000100',
  ],
  ['a bot’s message (no user)', shortcutMessages.botMessage('1700000004.000100'), '1700000004.000100'],
  ['a file shared without text', shortcutMessages.fileWithoutText('1700000005.000100', 'U0OTHER'), '1700000005.000100'],
])('the shortcut on %s', (_, message, thread) => {
  it('posts the summary and the link in that thread, the rep (not the message’s author) asking', async () => {
    h = await startHarness();
    const { view } = await h.openModalFromMessage(message);
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);

    const posts = h.standin.callsTo('chat.postMessage');
    expect(posts.map((call) => [call.args.channel, call.args.thread_ts])).toEqual([
      [SALES_CHANNEL.id, thread],
      [SALES_CHANNEL.id, thread],
    ]);
    expect(await links()).toMatchObject([
      {
        user_id: SALES_REP.id,
        team_id: TEAM_ID,
        origin_channel: SALES_CHANNEL.id,
        origin_thread_ts: thread,
        summary_channel: SALES_CHANNEL.id,
        thread_ts: thread,
      },
    ]);
    expect(problems()).toEqual([]);
  });
});

describe.each([
  ['a DM with someone else', 'D0OTHERDM', 'directmessage'],
  ['a private channel the bot is not in', 'G0PRIVATE', 'privategroup'],
])('/paylink from %s', (_, channelId, channelName) => {
  it('the summary goes to the rep’s DM with paylink, the link reaches the rep where they asked', async () => {
    h = await startHarness();
    const { view, responseUrl } = await h.openModal({ channel_id: channelId, channel_name: channelName });
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);

    const [link] = await links();
    expect(link).toMatchObject({ user_id: SALES_REP.id, origin_channel: channelId, origin_thread_ts: null });
    expect(link?.summary_channel).toMatch(/^D/);
    expect(link?.summary_channel).not.toBe(channelId);
    const note = await h.standin.waitForResponse((post) => post.url === responseUrl);
    expect(String((note.body as { text?: string }).text)).toContain('paypage?SDESSID=');
  });
});

describe('App Home over the Events API', () => {
  it('opened again (the event carries the view published before) is drawn again', async () => {
    h = await startHarness();
    const first = await sendEventCallback(
      h.baseUrl,
      SIGNING_SECRET,
      eventCallbackPayload(appHomeOpenedEvent(SALES_REP.id)),
    );
    expect(first.status).toBe(200);
    await h.standin.waitForCall('views.publish');
    const published = h.standin.callsTo('views.publish')[0]?.args.view as Record<string, unknown>;
    const again = eventCallbackPayload(
      appHomeOpenedEvent(SALES_REP.id, 'home', { ...published, id: 'V0HOME', hash: '1700000000.abc' }),
    );
    await sendEventCallback(h.baseUrl, SIGNING_SECRET, again);
    await h.standin.waitForCall('views.publish', () => h.standin.callsTo('views.publish').length >= 2);
    // A refusal of the Home (or Slack's warning about it) would be logged once Slack has answered, after this line.
    await h.waitForLog('home_published', 2);
    expect(problems()).toEqual([]);
  });

  it('the same event delivered again (X-Slack-Retry-Num, http_timeout) is answered 200 and draws the Home', async () => {
    h = await startHarness();
    const body = eventCallbackPayload(appHomeOpenedEvent(SALES_REP.id));
    const [first, retry] = await Promise.all([
      sendEventCallback(h.baseUrl, SIGNING_SECRET, body),
      sendEventCallback(h.baseUrl, SIGNING_SECRET, body, undefined, { num: 1, reason: 'http_timeout' }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await h.standin.waitForCall('views.publish');
    // A refusal of the Home (or Slack's warning about it) would be logged once Slack has answered, after this line.
    await h.waitForLog('home_published');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.standin.callsTo('views.publish').every((call) => call.args.user_id === SALES_REP.id)).toBe(true);
    expect(problems()).toEqual([]);
  });
});

describe('a body past 1 MiB on /slack/events', () => {
  it('is refused with 413 (Bolt reads 4 MB from anyone before checking a signature: this one was answered 401)', async () => {
    h = await startHarness();
    // Chunked, no declared length: the app learns the size only by reading, as from a sender who lies about it.
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 48)
          controller.close(); // 3 MiB
        else controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${h.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await h.waitForLog('request_too_large'))[0]).toMatchObject({
      level: 'warn',
      reason: '(limit: 1048576 bytes)',
    });
  });
});
