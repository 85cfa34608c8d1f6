import { afterEach, expect, it } from 'vitest';
import { movableClock } from '../support/movable-clock.js';
import { type Harness, SIGNING_SECRET, startHarness, visibleText } from '../support/paylink-harness.js';
import { createSandboxLink, NO_SAFEDEBIT } from '../support/sandbox-links.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

/**
 * The sandbox with SAFEDEBIT_LINK_DURATION and its unit declared: once paylink tells the rep a trial link "expired
 * unpaid", its payment page takes no payment, as SAFEDEBIT's stops taking them once link_duration has passed (it had
 * taken one, and the thread then said Paid).
 */

let running: Harness | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

it('a trial link paylink shows as expired unpaid can no longer be paid on its sandbox page', async () => {
  const clock = movableClock();
  const h = await startHarness({
    clock: clock.now,
    // No public URL: the page answers on paylink's own port, as `http://localhost:PORT`.
    env: {
      ...NO_SAFEDEBIT,
      PAYLINK_PUBLIC_URL: '',
      SAFEDEBIT_LINK_DURATION: '10',
      SAFEDEBIT_LINK_DURATION_UNIT: 'minutes',
    },
  });
  running = h;
  const { link, threadTs } = await createSandboxLink(h);

  clock.advance(15 * 60_000);
  // paylink tells the rep the link expired unpaid…
  const responseUrl = h.standin.responseUrl();
  await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'status F-2026-031', response_url: responseUrl });
  const status = visibleText((await h.standin.waitForResponse((post) => post.url === responseUrl)).body);
  expect(status).toContain('Expired unpaid');

  // …and the customer's page says so, and takes no payment.
  const page = await fetch(link);
  expect(page.status).toBe(410);
  expect(await page.text()).toContain('Payment link expired');
  const paid = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ decision: 'pay' }),
    redirect: 'manual',
  });
  expect(paid.status).toBe(410);
  const replies = h.standin.messagesIn(SALES_CHANNEL.id).filter((m) => m.thread_ts === threadTs);
  expect(replies.map((m) => String(m.text))).not.toContainEqual(expect.stringContaining('Paid'));
});
