import type { SlackEventMiddlewareArgs } from '@slack/bolt';
import type { APP_HOME_OPENED_EVENT } from '../../../constants.js';
import type { ListenerContext } from '../context.js';

/**
 * The rep opened paylink's Home tab: drawn afresh from the ledger. Bolt acknowledges the event at once (Slack
 * delivers it again after 3 s otherwise); the drawing runs after, counted for a graceful shutdown. The Messages
 * tab sends the same event, and needs nothing.
 */
export function appHomeOpened(ctx: ListenerContext) {
  return async ({ event }: Pick<SlackEventMiddlewareArgs<typeof APP_HOME_OPENED_EVENT>, 'event'>): Promise<void> => {
    if (event.tab !== 'home') return;
    ctx.track('home', ctx.homeTabs.opened(event.user));
  };
}
