import type { App } from '@slack/bolt';
import { SLASH_COMMAND } from '../../../constants.js';
import { messagesFor, sandboxed } from '../../../i18n/messages.js';
import { isHelpRequest, parseCommandText } from '../../command-text.js';
import { accessRefusal } from '../access.js';
import type { ListenerContext } from '../context.js';
import { openPaymentModal } from '../open-modal.js';

export function registerPaylinkCommand(app: App, ctx: ListenerContext): void {
  app.command(SLASH_COMMAND, async ({ command, ack }) => {
    const m = messagesFor(ctx.config.locale);
    const privately = (text: string) => ({
      response_type: 'ephemeral' as const,
      text: sandboxed(text, ctx.sandbox),
    });
    ctx.logger.info({ event: 'command_received', user: command.user_id, channel: command.channel_id });
    if (isHelpRequest(command.text ?? '')) {
      await ack(privately(m.help(SLASH_COMMAND)));
      return;
    }
    const refusal = accessRefusal(ctx, m, command.user_id, command.channel_id);
    if (refusal) {
      await ack(privately(refusal));
      return;
    }
    await ack();
    await openPaymentModal(
      ctx,
      command.trigger_id,
      { channel: command.channel_id, user: command.user_id, responseUrl: command.response_url },
      parseCommandText(command.text ?? ''),
    );
  });
}
