import { afterEach, describe, expect, it } from 'vitest';
import { monthKey, monthOf } from '../../src/domain/month.js';
import { clockFrom, MID_MONTH } from '../support/movable-clock.js';
import { type Harness, SIGNING_SECRET, startHarness, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

const ADMIN: SlackUser = { id: 'U0FINANCE', username: 'finance', name: 'finance', team_id: TEAM_ID };

/**
 * The app installed without files:write (set up before the scope was in the manifest, or the scope trimmed when
 * installing): Slack answers `missing_scope` to the upload at the first `/paylink export`. Retrying cannot help, so
 * the admin must not be told to try again in a moment, but what to fix.
 */
describe('/paylink export when the app lacks files:write', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('says the app must be given the permission, not to try again', async () => {
    h = await startHarness({ clock: clockFrom(MID_MONTH), env: { PAYLINK_ADMINS: ADMIN.id } });
    await h.createLink();
    h.standin.failNext('files.getUploadURLExternal', 'missing_scope');
    const responseUrl = h.standin.responseUrl();
    await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
      text: `export ${monthKey(monthOf(MID_MONTH, 'Europe/Paris'))}`,
      user_id: ADMIN.id,
      user_name: ADMIN.username,
      response_url: responseUrl,
    });
    const post = await h.standin.waitForResponse(
      (candidate) => candidate.url === responseUrl && !visibleText(candidate.body).includes('Preparing'),
    );
    const answer = visibleText(post.body);

    expect(answer).not.toContain('Try again in a moment');
    expect(answer).toContain('files:write');
  });
});
