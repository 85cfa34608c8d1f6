import { afterEach, describe, expect, it } from 'vitest';
import { acceptPaymentNotification } from '../../src/flow/payment-notification.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { ENGINES } from '../support/databases.js';
import { testLedgers } from '../support/ledgers.js';
import { newLink } from '../support/link-records.js';
import { fakeSlack, type ListenerTestContext, listenerContext } from '../support/listener-context.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

/** Resolves once opened, or after `ms` at the latest: an interleaving a fixed paylink never reaches is not waited for. */
function gate(ms = 1_000) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, ms);
  });
  return { open, opened };
}

describe.each(ENGINES)('the summary status line, two instances at once (ledger on %s)', (engine) => {
  const ledgers = testLedgers(engine);

  it('ends on the furthest-along status, whichever order Slack applies their rewrites in', async () => {
    t = await listenerContext();
    const [ledgerA, ledgerB] = [await ledgers.open(), await ledgers.open()];
    const id = String(await ledgerA.claimSubmission(newLink({ createdAt: t.ctx.clock() })));
    await ledgerA.recordOutcome(id, { state: 'created', link: 'https://pay.example/paypage?SDESSID=1' });
    const place = { channel: 'C0SALES', ts: '1700000000.000100', threadTs: '1700000000.000100' };
    await ledgerA.recordSummary(id, place, null, 'https://pay.example/paypage?SDESSID=1');

    // One summary in Slack: it shows the last rewrite Slack applied, whichever instance sent it.
    let shown = '';
    const instance = (
      ledger: Ledger,
      hooks: { beforeApply?: () => Promise<void>; afterApply?: () => Promise<void> },
    ) => {
      const slack = fakeSlack();
      const { update } = slack.chat;
      slack.chat.update = async (args) => {
        await hooks.beforeApply?.();
        shown = JSON.stringify(args);
        await hooks.afterApply?.();
        return update(args);
      };
      return { ...t.ctx, ledger, slack };
    };
    // B handles CREATED and A SETTLED. Without a claim on the line, this order left Slack on CREATED for good: Slack
    // applies A's rewrite, then B's; B records CREATED, A records SETTLED, and only then does B read the link again.
    const bRewriting = gate();
    const aApplied = gate();
    const bRecorded = gate();
    const aRecorded = gate();
    let first = true;
    const b = instance(ledgerB, {
      beforeApply: async () => {
        bRewriting.open();
        await aApplied.opened;
      },
    });
    const a = instance(ledgerA, {
      afterApply: async () => {
        if (!first) return;
        first = false;
        aApplied.open();
        await bRecorded.opened;
      },
    });
    const recordB = ledgerB.recordSummaryStatus.bind(ledgerB);
    ledgerB.recordSummaryStatus = async (...args) => {
      await recordB(...args);
      bRecorded.open();
      await aRecorded.opened;
    };
    const recordA = ledgerA.recordSummaryStatus.bind(ledgerA);
    ledgerA.recordSummaryStatus = async (...args) => {
      await recordA(...args);
      aRecorded.open();
    };

    const created = acceptPaymentNotification(b, id, { status: 'CREATED' });
    await bRewriting.opened;
    const settled = acceptPaymentNotification(a, id, { status: 'SETTLED' });
    const outcomes = await Promise.all([created, settled]);
    expect(outcomes.map((outcome) => outcome.outcome.kind)).toEqual(['posted', 'posted']);

    expect(await ledgerA.findLink(id)).toMatchObject({
      payment_status: 'SETTLED',
      summary_status: 'SETTLED',
      status_line_claimed_at: null,
    });
    expect(shown).toContain('Paid');
    expect(shown).not.toContain('Payment created');
  });
});
