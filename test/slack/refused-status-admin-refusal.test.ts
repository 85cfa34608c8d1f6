import { afterEach, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// SAFEDEBIT refused a request for a bad password (AUTH_002): the modal rightly told the rep, then, to tell the admin.
// The admin fixed SAFEDEBIT_PASSWORD and links are made again; asked later, `/paylink status F-AUTH-1` had said, in
// the present, that access *is* misconfigured and to tell the administrator (to an admin asking too).
it('does not tell the rep, in /paylink status, that SAFEDEBIT access is misconfigured once links are made again', async () => {
  const app = await startHarness();
  h = app;
  app.safedebit.setMode({ kind: 'refuse', code: 'AUTH_002' });
  const refused = await app.openModal();
  await app.submit(refused.view, { ...VALID_FORM, payment_reference: 'F-AUTH-1' });
  await app.waitForViewUpdate(refused.view.id, (shown) => visibleText(shown).includes('AUTH_002'));

  // Fixed: the next link is made.
  app.safedebit.setMode({ kind: 'normal' });
  await app.createLink();

  const responseUrl = app.standin.responseUrl();
  await sendSlashCommand(app.baseUrl, SIGNING_SECRET, {
    text: 'status F-AUTH-1',
    user_id: SALES_REP.id,
    user_name: SALES_REP.username,
    response_url: responseUrl,
  });
  const post = await app.standin.waitForResponse((candidate) => candidate.url === responseUrl);
  const answer = visibleText(post.body);
  const line = answer.split('\n').find((text) => text.includes('Refused by SAFEDEBIT'));
  expect(line).toBeDefined();
  // Was: ":no_entry: Refused by SAFEDEBIT: SAFEDEBIT access is misconfigured: no link was created, please tell the
  // app's administrator (AUTH_002)."
  expect(line).not.toMatch(/is misconfigured|please tell the app's administrator/);
});
