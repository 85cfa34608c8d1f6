import { afterEach, describe, expect, it } from 'vitest';
import { newLink } from '../support/link-records.js';
import { type Harness, startHarness } from '../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

let app: Harness | undefined;
afterEach(async () => {
  await app?.close();
});

const events = (h: Harness, from: number) =>
  h.logs.slice(from).map((line) => JSON.parse(line) as { level: string; event?: string; link?: string });

describe('an interrupted link whose DM Slack puts off round after round (rate limited, out of reach)', () => {
  it('is logged link_interrupted once, not again at every round that tries its DM', async () => {
    app = await startHarness({ interruptedLinksPeriodMs: 20 });
    const h = app;
    const from = h.logs.length;
    // Put off at 25 rounds in a row, then taken.
    h.standin.failNext('conversations.open', { status: 429, retryAfterSeconds: 120 }, 25);
    const id = await h.paylink.ledger.claimSubmission(
      newLink({
        createdAt: new Date(Date.now() - 10 * 60_000),
        userId: SALES_REP.id,
        originChannel: SALES_CHANNEL.id,
        paymentReference: 'F-OLD-1',
      }),
    );
    const seen = (event: string) => events(h, from).filter((line) => line.event === event).length;
    await expect.poll(() => seen('interrupted_notice_sent'), { timeout: 10_000 }).toBe(1);
    expect(seen('interrupted_notice_postponed')).toBe(25);

    // One link interrupted: finance and ops counting link_interrupted lines count one.
    expect(events(h, from).filter((line) => line.event === 'link_interrupted' && line.link === id)).toHaveLength(1);
  });
});
