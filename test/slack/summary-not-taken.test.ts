import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

/**
 * When Slack does not take a link's summary (a rate limit past the client's tries; a 504 that may have posted it), the
 * rep gets the bare link privately, and no summary place is ever recorded: there will be no thread for its statuses.
 * A paid or failed status then reaches the rep in their DM, once, as one whose thread closed does.
 */
const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');
const isSummaryPost = (args: Record<string, unknown>) => args.channel === SALES_CHANNEL.id && !args.thread_ts;

function callbackUrlOf(h: Harness): string {
  const sent = h.safedebit.requests.at(-1)?.body as { url_callback: string };
  return `${h.baseUrl}${new URL(sent.url_callback).pathname}`;
}

describe.each(ENGINES)('a link whose summary Slack did not take (%s)', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const directMessages = () =>
    (h?.standin.callsTo('chat.postMessage') ?? [])
      .filter((call) => String(call.args.channel).startsWith('D'))
      .map((call) => String(call.args.text));

  it.each([
    ['rate-limited past the client’s tries', { status: 429, retryAfterSeconds: 1 }, 5],
    ['answered 504, which it may have posted', { status: 504, carriedOut: true }, 1],
  ] as const)(
    '%s: a payment reaches the rep in their DM, once; a pending status does not',
    async (_, failure, times) => {
      h = await startHarness({ engine });
      h.standin.failNext('chat.postMessage', failure, times, isSummaryPost);
      const { view } = await h.openModal();
      await h.submit(view, VALID_FORM);
      await h.waitForViewUpdate(view.id, isCreatedView, 15_000);
      const before = directMessages().length;

      const callbackUrl = callbackUrlOf(h);
      expect(await h.notify(callbackUrl, 'WAITING')).toBe(200);
      expect(await h.notify(callbackUrl, 'SETTLED')).toBe(200);
      expect(await h.notify(callbackUrl, 'SETTLED')).toBe(200);

      expect(directMessages().slice(before)).toEqual([
        expect.stringMatching(
          /^:white_check_mark: Paid · €1,250\.50 · .+\nPayment link ref\. F-2026-031: Slack did not take its summary in <#C0SALES> \(the link was given to you privately\)/,
        ),
      ]);
      const [row] = await h.paylink.ledger.db.selectFrom('links').selectAll().execute();
      expect(row).toMatchObject({ payment_status: 'SETTLED', summary_ts: null, undelivered_to_rep: 0 });
    },
    30_000,
  );

  it('a payment reported while Slack was putting the summary off reaches the rep in their DM once the flow gives up', async () => {
    h = await startHarness({ engine });
    h.standin.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 5, isSummaryPost);
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.standin.waitForCall('chat.postMessage', (call) => isSummaryPost(call.args));
    const before = directMessages().length;
    // Kept for a summary not posted yet.
    expect(await h.notify(callbackUrlOf(h), 'SETTLED')).toBe(200);
    expect(directMessages().slice(before)).toEqual([]);

    await h.waitForViewUpdate(view.id, isCreatedView, 15_000);
    await expect
      .poll(() =>
        directMessages()
          .slice(before)
          .filter((text) => text.startsWith(':white_check_mark: Paid')),
      )
      .toHaveLength(1);
  }, 30_000);
});
