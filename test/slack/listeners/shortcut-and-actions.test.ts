import { afterEach, describe, expect, it } from 'vitest';
import { CONSUMER_TYPE_ACTION } from '../../../src/constants.js';
import { consumerTypeAction } from '../../../src/slack/listeners/actions/consumer-type.js';
import { acknowledgeUrlButton } from '../../../src/slack/listeners/actions/url-button.js';
import { fromMessageShortcut } from '../../../src/slack/listeners/shortcuts/from-message.js';
import { decodeModalOrigin, encodeModalOrigin } from '../../../src/slack/metadata.js';
import { buildPaymentModal } from '../../../src/slack/views/payment-modal.js';
import { fakeAck, type ListenerTestContext, listenerContext } from '../../support/listener-context.js';
import { blockActionsPayload, messageShortcutPayload, stateValuesFor } from '../../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

type ShortcutArgs = Parameters<ReturnType<typeof fromMessageShortcut>>[0];
type ActionArgs = Parameters<ReturnType<typeof consumerTypeAction>>[0];

function shortcutOn(message: { ts: string; thread_ts?: string }) {
  const shortcut = messageShortcutPayload({
    trigger_id: '1111.2222.trigger',
    message: { type: 'message', user: SALES_REP.id, text: 'Invoice F-2026-031', ...message },
    channel: SALES_CHANNEL,
    response_url: 'https://hooks.slack.test/actions/T0001/1/shortcut',
  });
  const ack = fakeAck();
  return { ack, args: { ack, shortcut } as unknown as ShortcutArgs };
}

describe('the message shortcut', () => {
  it('acknowledges, then opens the form bound to the message’s thread', async () => {
    t = await listenerContext();
    const { ack, args } = shortcutOn({ ts: '1700000000.000200', thread_ts: '1700000000.000100' });
    await fromMessageShortcut(t.ctx)(args);
    expect(ack.acks).toEqual([undefined]);
    const [open] = t.slack.callsTo('views.open');
    expect(open?.args.trigger_id).toBe('1111.2222.trigger');
    const view = open?.args.view as { private_metadata: string };
    expect(decodeModalOrigin(view.private_metadata)).toMatchObject({
      channel: SALES_CHANNEL.id,
      user: SALES_REP.id,
      threadTs: '1700000000.000100',
    });
  });

  it('a message outside a thread starts one under that message', async () => {
    t = await listenerContext();
    const { args } = shortcutOn({ ts: '1700000000.000200' });
    await fromMessageShortcut(t.ctx)(args);
    const view = t.slack.callsTo('views.open')[0]?.args.view as { private_metadata: string };
    expect(decodeModalOrigin(view.private_metadata)?.threadTs).toBe('1700000000.000200');
  });

  it('tells a rep who may not create links, privately, and opens nothing', async () => {
    t = await listenerContext({ PAYLINK_ALLOWED_CHANNELS: 'C0ELSEWHERE' });
    const { args } = shortcutOn({ ts: '1700000000.000200' });
    await fromMessageShortcut(t.ctx)(args);
    expect(t.slack.callsTo('views.open')).toHaveLength(0);
    expect(t.slack.callsTo('respond')).toMatchObject([
      { args: { text: expect.stringContaining('cannot be created') } },
    ]);
  });

  it('an expired trigger: the rep is told to try again', async () => {
    t = await listenerContext();
    t.slack.refuseNext('views.open', 'expired_trigger_id');
    const { args } = shortcutOn({ ts: '1700000000.000200' });
    await fromMessageShortcut(t.ctx)(args);
    expect(t.slack.callsTo('respond')).toMatchObject([{ args: { text: expect.stringContaining('took too long') } }]);
    // Asked from a message: again by the shortcut, the command not running in a thread.
    const [told] = t.slack.callsTo('respond');
    expect(String(told?.args.text)).toContain('run the *Create payment link* shortcut');
    expect(String(told?.args.text)).not.toContain('command');
  });
});

describe('the customer type switch', () => {
  function switchTo(choice: 'individual' | 'company', typed: Record<string, string>) {
    const modal = buildPaymentModal({
      locale: 'en',
      sandbox: false,
      privateMetadata: encodeModalOrigin({ channel: SALES_CHANNEL.id, user: SALES_REP.id }),
      paymentTypes: ['now'],
      values: {},
    });
    const view = { ...modal, id: 'V0MODAL', hash: 'h-1' };
    const body = blockActionsPayload({
      view,
      stateValues: stateValuesFor(modal as { blocks?: readonly unknown[] }, { ...typed, consumer_type: choice }),
      actions: [{ type: 'radio_buttons', action_id: CONSUMER_TYPE_ACTION, block_id: 'consumer_type' }],
    });
    const ack = fakeAck();
    return { ack, args: { ack, body } as unknown as ActionArgs };
  }

  it('re-renders the form with the company fields, keeping what was typed, against the view’s hash', async () => {
    t = await listenerContext();
    const { ack, args } = switchTo('company', { amount: '12,50', consumer_email: 'a@b.fr' });
    await consumerTypeAction(t.ctx)(args);
    expect(ack.acks).toEqual([undefined]);
    const [update] = t.slack.callsTo('views.update');
    expect(update?.args).toMatchObject({ view_id: 'V0MODAL', hash: 'h-1' });
    const json = JSON.stringify(update?.args.view);
    expect(json).toContain('"block_id":"social_reference"');
    expect(json).toContain('12,50');
    expect(json).toContain('a@b.fr');
  });

  it('a hash conflict (another click’s redraw came first) is only logged', async () => {
    t = await listenerContext();
    t.slack.refuseNext('views.update', 'hash_conflict');
    const { args } = switchTo('company', {});
    await consumerTypeAction(t.ctx)(args);
    expect(t.logs.some((line) => line.includes('"views_update_failed"') && line.includes('hash_conflict'))).toBe(true);
  });
});

describe('the link button', () => {
  it('is acknowledged, so Slack shows no error on it', async () => {
    const ack = fakeAck();
    await acknowledgeUrlButton({ ack } as unknown as Parameters<typeof acknowledgeUrlButton>[0]);
    expect(ack.acks).toEqual([undefined]);
  });
});
