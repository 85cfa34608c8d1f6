import type { App, BlockAction } from '@slack/bolt';
import { CONSUMER_TYPE_ACTION } from '../../../constants.js';
import { slackErrorCode } from '../../errors.js';
import { formInputFromState } from '../../form-state.js';
import { buildPaymentModal } from '../../views/payment-modal.js';
import type { ListenerContext } from '../context.js';

/** Individual ↔ company: re-render with or without the company fields, keeping everything typed. */
export function registerConsumerTypeAction(app: App, ctx: ListenerContext): void {
  app.action<BlockAction>(CONSUMER_TYPE_ACTION, async ({ ack, body }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    try {
      await ctx.slack.views.update({
        view_id: view.id,
        hash: view.hash,
        view: buildPaymentModal({
          locale: ctx.config.locale,
          sandbox: ctx.sandbox,
          privateMetadata: view.private_metadata,
          paymentTypes: ctx.config.paymentTypes,
          values: formInputFromState(view.state),
        }),
      });
    } catch (error) {
      // hash_conflict: the rep changed the view meanwhile; the next change re-renders it.
      ctx.logger.warn({ event: 'views_update_failed', step: 'consumer_type', error: slackErrorCode(error) });
    }
  });
}
