import { afterEach, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// A rep asking `/paylink status <reference>` about a request later saw "Refused by SAFEDEBIT (EXIST_001)": a SAFEDEBIT
// error code they cannot read. The modal said "This customer reference is already in use at SAFEDEBIT"; the answer
// should say why in words too (the code may follow, for support).
it('says in words why SAFEDEBIT refused a request, in /paylink status (PAYLINK_LOCALE=en)', async () => {
  const app = await startHarness();
  h = app;
  const { view } = await app.openModal();
  // SAFEDEBIT refuses the customer reference (EXIST_001): the modal says so in words, under that field.
  app.safedebit.setMode({ kind: 'refuse', code: 'EXIST_001' });
  await app.submit(view, VALID_FORM);
  await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('customer reference is already in use'));

  const responseUrl = app.standin.responseUrl();
  await sendSlashCommand(app.baseUrl, SIGNING_SECRET, {
    text: `status ${VALID_FORM.payment_reference}`,
    user_id: SALES_REP.id,
    user_name: SALES_REP.username,
    response_url: responseUrl,
  });
  const post = await app.standin.waitForResponse((candidate) => candidate.url === responseUrl);
  const answer = visibleText(post.body);
  const line = answer.split('\n').find((text) => text.includes('Refused by SAFEDEBIT'));
  expect(line).toBeDefined();
  expect(line).toMatch(/customer reference/i);
});
