import type { App } from '@slack/bolt';
import { registerConsumerTypeAction } from './actions/consumer-type.js';
import { registerOpenLinkAction } from './actions/open-link.js';
import { registerPaylinkCommand } from './commands/paylink.js';
import type { ListenerContext } from './context.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerFromMessageShortcut } from './shortcuts/from-message.js';
import { registerPaymentSubmission } from './views/payment-submission.js';

/** Every listener, registered from one place, grouped by Slack surface. */
export function registerListeners(app: App, ctx: ListenerContext): void {
  registerPaylinkCommand(app, ctx);
  registerFromMessageShortcut(app, ctx);
  registerConsumerTypeAction(app, ctx);
  registerOpenLinkAction(app);
  registerPaymentSubmission(app, ctx);
  registerAppHomeOpened(app, ctx);
}
