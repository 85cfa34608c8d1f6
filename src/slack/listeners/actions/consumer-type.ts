import type { BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { slackErrorCode } from '../../errors.js';
import { formInputFromState } from '../../form-state.js';
import { buildPaymentModal, notesOfForm } from '../../views/payment-modal.js';
import type { ListenerContext } from '../context.js';

/** Individual ↔ company: re-render with or without the company fields, keeping everything typed and shown. */
export function consumerTypeAction(ctx: ListenerContext) {
  return async ({ ack, body }: Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body'>): Promise<void> => {
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
          // The form given back after a refusal keeps saying why.
          ...notesOfForm(view.blocks),
        }),
      });
    } catch (error) {
      // hash_conflict: the rep changed the view meanwhile; the next change re-renders it.
      ctx.logger.warn({ event: 'views_update_failed', step: 'consumer_type', error: slackErrorCode(error) });
    }
  };
}
