import { describe, expect, it } from 'vitest';
import {
  dateTimeShown,
  escapeMrkdwn,
  notificationText,
  slackDateTime,
  slackTime,
  timeShown,
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
    expect(notificationText(text)).toBe('Paid · 26 Nov 2026, 14:32 · <@U1> &amp; a &gt; b');
    expect(notificationText('<!channel> <@U1>')).toBe('<!channel> <@U1>');
  });

  // Push and desktop notifications, and screen readers, read a message's `text` as written: `*€1,250.50*`, `<https://…>`.
  it('is written plain for a notification: no bold, italic, strike or code marks, links as their label or address', () => {
    const text = `:alarm_clock: Still awaiting, since ${slackDateTime(PAID_AT, '26 Nov 2026, 14:32')}: *€1,250.50* · F_2026_031 · _A&amp;B_`;
    expect(notificationText(text)).toBe(
      ':alarm_clock: Still awaiting, since 26 Nov 2026, 14:32: €1,250.50 · F_2026_031 · A&amp;B',
    );
    expect(
      notificationText(
        'run `/paylink status F-1` or see ~old~ <https://pay.example/p?x=1> and <https://a.example|this>',
      ),
    ).toBe('run /paylink status F-1 or see old https://pay.example/p?x=1 and this');
    // What is no mark stays: a lone star, a mention, a reference with underscores or stars inside it.
    expect(notificationText('5 * 3 · <@U1> · PO*2026*7 · snake_case_name')).toBe(
      '5 * 3 · <@U1> · PO*2026*7 · snake_case_name',
    );
  });
});
