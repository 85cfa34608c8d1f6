import type { types } from '@slack/bolt';
import { cutToUnits } from '../../domain/text-cut.js';

/** Slack caps plain_text in titles and buttons; cut rather than have the whole view refused. */
export function plain(text: string, maxLength = 3000): types.PlainTextElement {
  return {
    type: 'plain_text',
    text: text.length > maxLength ? `${cutToUnits(text, maxLength - 1)}…` : text,
    emoji: true,
  };
}

export function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text };
}

/** A line of small print under a message's or a view's blocks. */
export function contextBlock(text: string): types.ContextBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}
