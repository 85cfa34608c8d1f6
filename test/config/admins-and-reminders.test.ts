import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseDuration } from '../../src/domain/duration.js';

const MINIMAL = { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'signing-secret-value' };

function configOf(env: Record<string, string>) {
  const result = loadConfig({ ...MINIMAL, ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

function problemsOf(env: Record<string, string>): string[] {
  const result = loadConfig({ ...MINIMAL, ...env });
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('PAYLINK_ADMINS', () => {
  it('is nobody by default, and a comma-separated list of Slack user ids otherwise', () => {
    expect(configOf({}).admins).toEqual([]);
    expect(configOf({ PAYLINK_ADMINS: ' U0FIN, U0BOSS ,' }).admins).toEqual(['U0FIN', 'U0BOSS']);
  });

  it('refuses what is not a Slack id, in one line without the value', () => {
    const problems = problemsOf({ PAYLINK_ADMINS: 'U0FIN, finance@example.com' });
    expect(problems).toEqual([
      "PAYLINK_ADMINS: expected comma-separated Slack user IDs (U… or W…) such as U012ABCDEF, from a profile's ⋮ menu → Copy member ID",
    ]);
  });
});

describe('PAYLINK_ALLOWED_USERS and PAYLINK_ALLOWED_CHANNELS', () => {
  it('take user ids (Grid ones too) and channel ids (public, private, DM)', () => {
    const config = configOf({
      PAYLINK_ALLOWED_USERS: 'U0REP, W0GRIDREP',
      PAYLINK_ALLOWED_CHANNELS: 'C0SALES,G0PRIV, D0DM',
    });
    expect([config.allowedUsers, config.allowedChannels]).toEqual([
      ['U0REP', 'W0GRIDREP'],
      ['C0SALES', 'G0PRIV', 'D0DM'],
    ]);
  });

  it("stop the start when one holds the other's ids, which would refuse every rep everywhere, and say which ids it takes", () => {
    // An admin's first week: the channel written by its name, a rep's id pasted in the channels and a channel's in the users.
    expect(problemsOf({ PAYLINK_ALLOWED_CHANNELS: '#sales' })).toEqual([
      "PAYLINK_ALLOWED_CHANNELS: expected comma-separated Slack channel IDs (C…, G… or D…) such as C012ABCDEF, from the bottom of a channel's details",
    ]);
    expect(problemsOf({ PAYLINK_ALLOWED_CHANNELS: 'C0SALES, U0REP', PAYLINK_ALLOWED_USERS: 'C0SALES' })).toEqual([
      "PAYLINK_ALLOWED_USERS: expected comma-separated Slack user IDs (U… or W…) such as U012ABCDEF, from a profile's ⋮ menu → Copy member ID",
      "PAYLINK_ALLOWED_CHANNELS: expected comma-separated Slack channel IDs (C…, G… or D…) such as C012ABCDEF, from the bottom of a channel's details",
    ]);
  });
});

describe('PAYLINK_REMIND_AFTER', () => {
  it('is off when unset or empty', () => {
    expect(configOf({}).remindAfterMs).toBeUndefined();
    expect(configOf({ PAYLINK_REMIND_AFTER: '  ' }).remindAfterMs).toBeUndefined();
  });

  it.each([
    ['72h', 72 * 3_600_000],
    ['30m', 30 * 60_000],
    ['10s', 10_000],
    ['3d', 3 * 86_400_000],
    [' 48 H ', 48 * 3_600_000],
  ])('reads %j', (text, ms) => {
    expect(configOf({ PAYLINK_REMIND_AFTER: text }).remindAfterMs).toBe(ms);
  });

  it.each(['72', 'h', '1.5h', '72 hours', '-3h', '3w', '0s', '366d'])('refuses %j in one readable line', (text) => {
    const problems = problemsOf({ PAYLINK_REMIND_AFTER: text });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PAYLINK_REMIND_AFTER: expected a duration such as 72h, 30m, 10s or 3d/);
  });

  it.each(['1M', '3 M'])('refuses %j, a month to many admins, rather than remind after minutes', (text) => {
    const problems = problemsOf({ PAYLINK_REMIND_AFTER: text });
    expect(problems).toEqual([
      'PAYLINK_REMIND_AFTER: expected a duration such as 72h, 30m, 10s or 3d (M is ambiguous: 30m for minutes, 30d for a month)',
    ]);
  });
});

describe('parseDuration', () => {
  it('is undefined for anything but a whole number and a unit', () => {
    expect(parseDuration('12x')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration('1d')).toBe(86_400_000);
  });
});
