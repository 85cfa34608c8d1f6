import type { SlackActionMiddlewareArgs } from '@slack/bolt';

/** A URL button still sends block_actions; acknowledge it so Slack shows no error on the button. */
export async function openLinkAction({ ack }: Pick<SlackActionMiddlewareArgs, 'ack'>): Promise<void> {
  await ack();
}
