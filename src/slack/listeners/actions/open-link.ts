import type { App } from '@slack/bolt';
import { OPEN_LINK_ACTION } from '../../../constants.js';

/** A URL button still sends block_actions; acknowledge it so Slack shows no error on the button. */
export function registerOpenLinkAction(app: App): void {
  app.action(OPEN_LINK_ACTION, async ({ ack }) => {
    await ack();
  });
}
