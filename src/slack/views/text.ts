import type { types } from '@slack/bolt';

/** Slack caps plain_text in titles and buttons; cut rather than have the whole view refused. */
export function plain(text: string, maxLength = 3000): types.PlainTextElement {
  return { type: 'plain_text', text: text.length > maxLength ? `${within(text, maxLength - 1)}…` : text, emoji: true };
}

/**
 * `text`'s first `maxLength` UTF-16 units (never fewer than the characters Slack counts), the last emoji left out
 * rather than cut in half: half of one is no text, and Slack would refuse the whole view.
 */
export function within(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const last = text.charCodeAt(maxLength - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength);
}

export function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text };
}

/** A line of small print under a message's or a view's blocks. */
export function contextBlock(text: string): types.ContextBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}
