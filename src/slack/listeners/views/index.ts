import type { App, ViewSubmitAction } from '@slack/bolt';
import { PAYMENT_MODAL_ID } from '../../../constants.js';
import type { ListenerContext } from '../context.js';
import { paymentSubmission } from './payment-submission.js';

export function registerViews(app: App, ctx: ListenerContext): void {
  app.view<ViewSubmitAction>(PAYMENT_MODAL_ID, paymentSubmission(ctx));
}
