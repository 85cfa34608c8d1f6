import { afterEach, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

/**
 * A reference copied from an invoice PDF or an Outlook email often holds no-break spaces (U+00A0) where it shows
 * spaces. The form takes it and sends it as pasted; the summary shows "FAC 2026 031". The rep who then types
 * `/paylink status FAC 2026 031` (plain spaces, as anyone types) is told none of their links has that reference.
 * README: "the reference is matched whatever its case, accented letters included". The amount's and the phone's
 * rules already read a no-break space as a space; `/paylink 12 FAC 2026 031` pre-fills it with plain spaces.
 */
it('/paylink status finds a link whose reference was pasted with no-break spaces, typed with plain ones', async () => {
  h = await startHarness();
  await h.createLink({ ...VALID_FORM, payment_reference: 'FAC\u00a02026\u00a0031' });
  const responseUrl = h.standin.responseUrl();
  await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
    text: 'status FAC 2026 031',
    response_url: responseUrl,
    trigger_id: h.standin.issueTriggerId(),
  });
  const answer = await h.standin.waitForResponse((post) => post.url === responseUrl);
  const body = answer.body as { text: string; blocks?: unknown };
  expect(body.text).not.toContain('None of your links');
  expect(visibleText(body.blocks)).toContain('€1,250.50');
});
