import type { MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { messagesFor, sandboxed } from '../../../i18n/messages.js';
import { isGroupDirectMessageName } from '../../channel-ids.js';
import { respondQuietly } from '../../delivery.js';
import { accessRefusal } from '../access.js';
import type { ListenerContext } from '../context.js';
import { openPaymentModal } from '../open-modal.js';

/** "Create payment link" on a message: the link goes into that message's thread (slash commands can't). */
export function fromMessageShortcut(ctx: ListenerContext) {
  return async ({
    shortcut,
    ack,
  }: Pick<SlackShortcutMiddlewareArgs<MessageShortcut>, 'shortcut' | 'ack'>): Promise<void> => {
    await ack();
    const m = messagesFor(ctx.config.locale);
    const channel = shortcut.channel.id;
    const user = shortcut.user.id;
    ctx.logger.info({ event: 'shortcut_received', user, channel });
    const refusal = accessRefusal(ctx, m, user, channel);
    if (refusal) {
      await respondQuietly(ctx, shortcut.response_url, { text: sandboxed(refusal, ctx.sandbox) });
      return;
    }
    const threadTs = shortcut.message.thread_ts ?? shortcut.message.ts;
    await openPaymentModal(
      ctx,
      shortcut.trigger_id,
      {
        channel,
        user,
        threadTs,
        responseUrl: shortcut.response_url,
        ...(isGroupDirectMessageName(shortcut.channel.name) ? { groupDm: true } : {}),
      },
      {},
    );
  };
}
