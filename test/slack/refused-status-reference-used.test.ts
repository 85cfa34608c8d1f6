import { afterEach, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// A try that got no answer from SAFEDEBIT, which made the link all the same; the rep tries again and SAFEDEBIT says
// EXIST_005. The modal tells the rep not to make a second link (src/flow/reference-used.ts: "The catalog's 'enter a
// new one' would then make a second link for the same payment"). `/paylink status` of that reference must not then
// tell the rep the opposite on the refused try's line.
it('does not tell the rep to enter a new payment reference in /paylink status when a try of it holds the link', async () => {
  const app = await startHarness({ env: { SAFEDEBIT_TIMEOUT_MS: '500' } });
  h = app;
  app.safedebit.setMode({ kind: 'hang' });
  const first = await app.openModal();
  await app.submit(first.view, VALID_FORM);
  await app.waitForViewUpdate(first.view.id, (shown) => visibleText(shown).includes('no link to show'));

  app.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
  const retry = await app.openModal();
  await app.submit(retry.view, VALID_FORM);
  const update = await app.waitForViewUpdate(retry.view.id, (shown) => visibleText(shown).includes('EXIST_005'));
  // The modal says it right.
  expect(visibleText(update.args.view)).toContain('do not make a second one');
  expect(visibleText(update.args.view)).not.toContain('enter a new one');

  const responseUrl = app.standin.responseUrl();
  await sendSlashCommand(app.baseUrl, SIGNING_SECRET, {
    text: `status ${VALID_FORM.payment_reference}`,
    user_id: SALES_REP.id,
    user_name: SALES_REP.username,
    response_url: responseUrl,
  });
  const post = await app.standin.waitForResponse((candidate) => candidate.url === responseUrl);
  const answer = visibleText(post.body);
  const refusedLine = answer.split('\n').find((line) => line.includes('Refused by SAFEDEBIT'));
  expect(refusedLine).toBeDefined();
  // Was: ":no_entry: Refused by SAFEDEBIT: This payment reference has already been used: enter a new one (EXIST_005)."
  expect(refusedLine).not.toContain('enter a new one');
});
