import { afterEach, expect, it } from 'vitest';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// A code SAFEDEBIT's annex does not list: the form had come back with ":no_entry: SAFEDEBIT refused the link: SAFEDEBIT
// refused the request: quote this code to support (PAY_042)." The rep read the same news twice in one sentence.
it('says once that SAFEDEBIT refused, above a form refused with an unlisted code (PAYLINK_LOCALE=en)', async () => {
  const app = await startHarness();
  h = app;
  app.safedebit.setMode({ kind: 'refuse', code: 'PAY_042' });
  const { view } = await app.openModal();
  await app.submit(view, VALID_FORM);
  const update = await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('PAY_042'));
  const blocks = (update.args as { view: { blocks: { block_id?: string; text?: { text: string } }[] } }).view.blocks;
  const banner = blocks.find((block) => block.text?.text.includes('PAY_042'))?.text?.text ?? '';
  expect(banner).toContain('PAY_042');
  expect(banner.match(/SAFEDEBIT refused/g)).toHaveLength(1);
});
