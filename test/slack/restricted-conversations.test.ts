import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import type { DisplayedView } from '../support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');

/**
 * Slack's chat.postMessage refuses a bot for good, whatever the retries, in a conversation whose posting rules leave it
 * out: an announcement (read-only) channel, a thread-only channel, a channel with threads turned off, a thread an admin
 * locked. A message shortcut works on messages there. As in a private channel the bot is not in, the rep should get
 * the summary and its thread in their DM with paylink (status updates follow there), not the bare link with no summary
 * anywhere, so no "Paid" ever reaches Slack.
 */
describe.each([
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'restricted_action_thread_locked',
  // chat.postMessage's reference: "This message type cannot have thread replies" (a shortcut used on a system message:
  // someone joined, the channel was renamed…).
  'cannot_reply_to_message',
])('where Slack refuses the bot with %s', (error) => {
  it('the summary and the link go to the rep by DM, and payment statuses follow there', async () => {
    h = await startHarness();
    const { view, responseUrl } = await h.openModalFromMessage({
      ts: '1699999999.000200',
      text: 'Deal ACME',
      user: 'U0OTHER',
    });
    h.standin.failNext('chat.postMessage', error, 1);
    await h.submit(view, VALID_FORM);
    const created = await h.waitForViewUpdate(view.id, isCreatedView);

    expect(h.standin.callsTo('conversations.open').map((call) => call.args.users)).toContain(SALES_REP.id);
    const dm = h.standin
      .callsTo('chat.postMessage')
      .map((call) => String(call.args.channel))
      .find((channel) => channel.startsWith('D'));
    expect(dm).toBeDefined();
    const inDm = h.standin.messagesIn(String(dm));
    expect(inDm.some((message) => visibleText(message).includes('F-2026-031'))).toBe(true);
    expect(inDm.some((message) => String(message.text).includes('paypage?SDESSID='))).toBe(true);
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
    expect(visibleText(created.args.view)).toContain('your direct messages with paylink');
    // Where it was asked, the rep reads why, without being told to invite a bot that is not the problem there.
    const note = await h.standin.waitForResponse((post) => post.url === responseUrl);
    expect(String((note.body as { text?: string }).text)).toMatch(
      /^I could not post in <#C\w+> \(I am not a member, or its posting rules leave me out\): here is the link instead, and its summary is in your direct messages with paylink\..*\nPayment link for \*€1,250\.50\* \(ref\. F-2026-031\): http\S+paypage\?SDESSID=\S+$/,
    );

    // SAFEDEBIT's status reaches the rep's DM thread.
    const sent = h.safedebit.requests.at(-1)?.body as { url_callback: string };
    expect(await h.notify(`${h.baseUrl}${new URL(sent.url_callback).pathname}`, 'SETTLED')).toBe(200);
    await h.standin.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === dm && /Paid/.test(String(call.args.text)),
    );
  });
});

describe('asked in a direct message between people, where no bot can post', () => {
  /** The note the rep gets with the link, and that it neither mentions `channel` nor says to invite the bot there. */
  async function noteOnDirectMessage(
    opened: Promise<{ view: DisplayedView; responseUrl: string }>,
    channel: string,
    paymentReference: string = VALID_FORM.payment_reference,
  ): Promise<string> {
    const { view, responseUrl } = await opened;
    await h.submit(view, { ...VALID_FORM, payment_reference: paymentReference });
    const note = await h.standin.waitForResponse((post) => post.url === responseUrl);
    const text = String((note.body as { text?: string }).text);
    expect(text).not.toContain(`<#${channel}>`);
    expect(text).not.toContain('invite @paylink');
    return text;
  }
  const betweenPeople =
    /^I cannot post in a direct message between people: here is the link instead, and its summary is in your direct messages with paylink\./;

  it('the rep reads that paylink cannot post in a DM, not a channel mention of it or to invite the bot there', async () => {
    h = await startHarness();
    const opened = h.openModal({ channel_id: 'D0PEOPLE', channel_name: 'directmessage' });
    h.standin.failNext('chat.postMessage', 'channel_not_found', 1);
    expect(await noteOnDirectMessage(opened, 'D0PEOPLE')).toMatch(betweenPeople);
  });

  // A group DM's id is a private channel's (`G…`), its name `mpdm-…`: Slack lets no app join one between people (the
  // stand-in refuses its posts as it does a private channel's the bot is not in).
  it('so does the rep asking in a group DM, by command or by the message shortcut', async () => {
    h = await startHarness();
    const byCommand = h.openModal({ channel_id: 'G0GROUPDM', channel_name: 'mpdm-sales.rep--alice--bob-1' });
    expect(await noteOnDirectMessage(byCommand, 'G0GROUPDM')).toMatch(betweenPeople);
    const byShortcut = h.openModalFromMessage(
      { ts: '1764150000.000100', text: 'Invoice F-2026-031' },
      { channel: { id: 'G0GROUPDM', name: 'mpdm-sales.rep--alice--bob-1' } },
    );
    expect(await noteOnDirectMessage(byShortcut, 'G0GROUPDM', 'F-2026-032')).toMatch(betweenPeople);
  });
});
