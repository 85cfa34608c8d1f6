import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it('escapes Slack markup', () => {
    expect(escapeMrkdwn('<@U1> & <!channel>')).toBe('&lt;@U1&gt; &amp; &lt;!channel&gt;');
  });
});
