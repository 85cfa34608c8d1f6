import type { PaymentFormInput } from '../../domain/payment-form.js';
import { askAgainAs, messagesFor, sandboxed } from '../../i18n/messages.js';
import { respondQuietly } from '../delivery.js';
import { slackErrorCode, slackRefusesApp } from '../errors.js';
import { encodeModalOrigin, type ModalOrigin } from '../metadata.js';
import { buildPaymentModal, type PaymentModalData } from '../views/payment-modal.js';
import { SlackHttpError } from '../web-api.js';
import type { ListenerContext } from './context.js';

/**
 * Opens the payment modal. Called right after the ack, before any other I/O: the trigger_id dies after
 * 3 seconds. When Slack refuses it anyway (expired, already used), the rep is told to try again, shortly when Slack
 * was rate limiting or failing; when Slack refuses paylink itself, to tell the admin, who finds an error in the log.
 */
export async function openPaymentModal(
  ctx: ListenerContext,
  triggerId: string,
  origin: ModalOrigin,
  values: Partial<PaymentFormInput>,
  hints?: PaymentModalData['hints'],
): Promise<void> {
  const view = buildPaymentModal({
    locale: ctx.config.locale,
    sandbox: ctx.sandbox,
    privateMetadata: encodeModalOrigin(origin),
    paymentTypes: ctx.config.paymentTypes,
    values,
    ...(hints ? { hints } : {}),
  });
  try {
    await ctx.slack.views.open({ trigger_id: triggerId, view });
    ctx.logger.info({ event: 'modal_opened', user: origin.user, channel: origin.channel });
  } catch (error) {
    const code = slackErrorCode(error);
    const forGood = slackRefusesApp(code);
    ctx.logger[forGood ? 'error' : 'warn']({
      event: 'modal_open_failed',
      error: code,
      user: origin.user,
      ...(forGood
        ? {
            msg: 'Slack refused SLACK_BOT_TOKEN or a scope it needs: reinstall the app from manifest.yml, then copy its Bot User OAuth Token again',
          }
        : {}),
    });
    if (origin.responseUrl) {
      const m = messagesFor(ctx.config.locale);
      const askAgain = askAgainAs(ctx.config.locale, origin.threadTs !== undefined);
      // Slack rate limiting or failing, past what the trigger could wait: not a slow open.
      const busy = error instanceof SlackHttpError && (error.statusCode === 429 || error.statusCode >= 500);
      const said = busy ? m.slackBusy(askAgain) : m.triggerExpired(askAgain);
      const text = sandboxed(forGood ? m.slackRefusedApp : said, ctx.sandbox);
      await respondQuietly(ctx, origin.responseUrl, { text });
    }
  }
}
