import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

/**
 * The bot token revoked (the app reinstalled, an admin revoking it, the workspace's tokens rotated) after paylink
 * started: Slack refuses every views.open with `token_revoked`. The rep must not be told that Slack was slow and to
 * run the command again (it will fail again, forever), and the admin must find an error naming what to fix.
 */
describe('/paylink when Slack refuses views.open for the bot token', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(['token_revoked', 'invalid_auth', 'account_inactive'])(
    '%s: the rep is told to tell the admin, not that Slack was slow; the log is an error',
    async (refusal) => {
      h.standin.failNext('views.open', refusal);
      const responseUrl = h.standin.responseUrl();
      const result = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
        trigger_id: h.standin.issueTriggerId(),
        response_url: responseUrl,
      });
      expect(result.status).toBe(200);
      const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));

      const text = visibleText(answer.body);
      expect(text).not.toContain('took too long');
      expect(text).toMatch(/administrator/);
      const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'modal_open_failed');
      expect(line).toMatchObject({ level: 'error', error: refusal });
    },
  );
});

describe('/paylink when Slack rate limits views.open past the trigger’s 3 seconds', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('tells the rep at once that Slack is busy, rather than after waiting out a Retry-After the trigger cannot outlive', async () => {
    h = await startHarness();
    h.standin.failNext('views.open', { status: 429, retryAfterSeconds: 8 });
    const responseUrl = h.standin.responseUrl();
    const sentAt = Date.now();
    await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
      trigger_id: h.standin.issueTriggerId(),
      response_url: responseUrl,
    });
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(answer.at - sentAt).toBeLessThan(3_000);
    expect(visibleText(answer.body)).toBe(
      'Slack is busy and could not open the form. Please run `/paylink` again in a few seconds.',
    );
    expect(h.standin.callsTo('views.open')).toHaveLength(1);
  });
});
