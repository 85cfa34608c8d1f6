import { describe, expect, it } from 'vitest';
import {
  dateTimeShown,
  escapeMrkdwn,
  slackDateTime,
  slackTime,
  timeShown,
  withDateFallbacks,
} from '../../src/slack/mrkdwn.js';

/** 26 Nov 2026, 14:32:50 in Paris, 08:32:50 in New York. */
const PAID_AT = new Date('2026-11-26T13:32:50Z');

describe('escapeMrkdwn', () => {
  it('escapes Slack markup', () => {
    expect(escapeMrkdwn('<@U1> & <!channel>')).toBe('&lt;@U1&gt; &amp; &lt;!channel&gt;');
  });
});

describe("Slack's date token", () => {
  it('gives the date and time in whole seconds, for each viewer to read in their own zone', () => {
    expect(slackDateTime(PAID_AT, '26 Nov 2026, 14:32')).toBe(
      '<!date^1795699970^{date_short}, {time}|26 Nov 2026, 14:32>',
    );
    expect(slackDateTime(new Date('2026-11-26T13:32:50.999Z'), 'x')).toBe('<!date^1795699970^{date_short}, {time}|x>');
  });

  it('gives the time alone', () => {
    expect(slackTime(PAID_AT, '14:32')).toBe('<!date^1795699970^{time}|14:32>');
  });

  it('escapes its fallback, which a > would otherwise end early', () => {
    expect(slackTime(PAID_AT, 'a > b & <c>')).toBe('<!date^1795699970^{time}|a &gt; b &amp; &lt;c&gt;>');
  });

  it("falls back on the deployment's language and time zone", () => {
    expect(dateTimeShown(PAID_AT, 'en', 'Europe/Paris')).toBe(
      '<!date^1795699970^{date_short}, {time}|26 Nov 2026, 14:32>',
    );
    expect(dateTimeShown(PAID_AT, 'fr', 'America/New_York')).toBe(
      '<!date^1795699970^{date_short}, {time}|26 nov. 2026, 08:32>',
    );
    expect(timeShown(PAID_AT, 'fr', 'America/New_York')).toBe('<!date^1795699970^{time}|08:32>');
  });

  it('is written as its fallback where Slack does not render it, the rest of the text as it was', () => {
    const text = `Paid · ${slackDateTime(PAID_AT, '26 Nov 2026, 14:32')} · <@U1> &amp; ${slackTime(PAID_AT, 'a > b')}`;
    expect(withDateFallbacks(text)).toBe('Paid · 26 Nov 2026, 14:32 · <@U1> &amp; a &gt; b');
    expect(withDateFallbacks('<!channel> <https://example.com|x>')).toBe('<!channel> <https://example.com|x>');
  });
});
