import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import { SLASH_COMMAND } from '../../../constants.js';
import { formatAmount } from '../../../domain/amount.js';
import { monthBounds, monthKey, monthOf, previousMonth } from '../../../domain/month.js';
import { exportMonth } from '../../../flow/export-month.js';
import { answerList, answerStatus, isAdmin, monthName } from '../../../flow/link-reports.js';
import { linkReportTexts } from '../../../i18n/link-reports.js';
import { messagesFor, sandboxed } from '../../../i18n/messages.js';
import { isGroupDirectMessageName } from '../../channel-ids.js';
import { type PaylinkCommand, parsePaylinkCommand } from '../../command-text.js';
import { codeSpan } from '../../messages/link-messages.js';
import { accessRefusal } from '../access.js';
import type { ListenerContext } from '../context.js';
import { openPaymentModal } from '../open-modal.js';

/**
 * `/paylink`: the form (pre-filled from the text), or a private answer about the ledger: `list`, `status`,
 * `export` (admins). The reports are acknowledged at once and answered through the command's response_url,
 * so that Slack's 3 seconds never wait on the ledger or on Slack.
 */
export function paylinkCommand(ctx: ListenerContext) {
  return async ({ command, ack }: Pick<SlackCommandMiddlewareArgs, 'command' | 'ack'>): Promise<void> => {
    const m = messagesFor(ctx.config.locale);
    const t = linkReportTexts(ctx.config.locale);
    const privately = (text: string) => ({
      response_type: 'ephemeral' as const,
      text: sandboxed(text, ctx.sandbox),
    });
    const request = parsePaylinkCommand(command.text ?? '');
    ctx.logger.info({
      event: 'command_received',
      user: command.user_id,
      channel: command.channel_id,
      request: request.kind,
    });
    const asker = { user: command.user_id, responseUrl: command.response_url };
    // With no admin, asking one is no answer: who can name some is.
    const notAdmin = t.exportNotAdmin[ctx.config.admins.length > 0 ? 'ask_admin' : 'no_admin'];
    /** Admins only; anyone else is refused (logged). */
    const mayExport = () => {
      if (isAdmin(ctx, command.user_id)) return true;
      ctx.logger.warn({ event: 'access_refused', reason: 'not_admin', user: command.user_id, report: 'export' });
      return false;
    };
    switch (request.kind) {
      case 'help':
        await ack(privately(m.help(SLASH_COMMAND)));
        return;
      case 'usage':
        // How to write the month is of no use to someone the export is refused to.
        await ack(privately(request.of === 'export' && !mayExport() ? notAdmin : usage(ctx, request.of)));
        return;
      case 'mistyped':
        await ack(
          privately(
            request.of === 'export' && !mayExport()
              ? notAdmin
              : t.didYouMean(codeSpan(`${SLASH_COMMAND} ${request.meant}`)),
          ),
        );
        return;
      case 'list':
        await ack();
        ctx.track('answers', answerList(ctx, asker, request.only));
        return;
      case 'status':
        await ack();
        ctx.track('answers', answerStatus(ctx, asker, request.reference));
        return;
      case 'export':
        if (!mayExport()) {
          await ack(privately(notAdmin));
          return;
        }
        await ack(privately(t.exportPreparing(monthName(ctx, monthBounds(request.month, ctx.timeZone).from))));
        ctx.track('answers', exportMonth(ctx, asker, request.month));
        return;
      case 'form':
        break;
    }
    const refusal = accessRefusal(ctx, m, command.user_id, command.channel_id);
    if (refusal) {
      await ack(privately(refusal));
      return;
    }
    await ack();
    const { groupedAmountCents, ...values } = request.prefill;
    await openPaymentModal(
      ctx,
      command.trigger_id,
      {
        channel: command.channel_id,
        user: command.user_id,
        responseUrl: command.response_url,
        ...(isGroupDirectMessageName(command.channel_name) ? { groupDm: true } : {}),
      },
      values,
      groupedAmountCents === undefined
        ? undefined
        : { amount: m.amountReadGrouped(formatAmount(groupedAmountCents, ctx.config.locale)) },
    );
  };
}

/** How to write a report's request: last month is the export's example, as the one finance most often wants. */
function usage(ctx: ListenerContext, of: Extract<PaylinkCommand, { kind: 'usage' }>['of']): string {
  const t = linkReportTexts(ctx.config.locale);
  if (of === 'list') return t.listUsage(SLASH_COMMAND);
  if (of === 'status') return t.statusUsage(SLASH_COMMAND);
  return t.exportUsage(SLASH_COMMAND, monthKey(previousMonth(monthOf(ctx.clock(), ctx.timeZone))));
}
