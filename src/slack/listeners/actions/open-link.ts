import type { App } from '@slack/bolt';
import { OPEN_LINK_ACTION, OPEN_THREAD_ACTION } from '../../../constants.js';

/** A URL button still sends block_actions; acknowledge it so Slack shows no error on the button. */
export function registerOpenLinkAction(app: App): void {
  for (const action of [OPEN_LINK_ACTION, OPEN_THREAD_ACTION]) {
    app.action(action, async ({ ack }) => {
      await ack();
    });
  }
}
