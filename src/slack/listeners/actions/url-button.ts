import type { SlackActionMiddlewareArgs } from '@slack/bolt';

/**
 * A URL button (the link in the modal, a link's thread in App Home and lists) still sends block_actions; acknowledge
 * it so Slack shows no error on the button.
 */
export async function acknowledgeUrlButton({ ack }: Pick<SlackActionMiddlewareArgs, 'ack'>): Promise<void> {
  await ack();
}
