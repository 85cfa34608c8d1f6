import { afterEach, describe, expect, it } from 'vitest';
import { verifyCallbackToken } from '../../src/callback/token.js';
import { acceptPaymentNotification } from '../../src/flow/payment-notification.js';
import type { PaymentLinkRequest } from '../../src/safedebit/request.js';
import { paymentSubmission } from '../../src/slack/listeners/views/payment-submission.js';
import { encodeModalOrigin } from '../../src/slack/metadata.js';
import { type ListenerTestContext, listenerContext, submittedModal } from '../support/listener-context.js';
import { VALID_FORM } from '../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

describe('a payment status that came while SAFEDEBIT was answering', () => {
  it('is dated on the summary when it came, as in its thread reply, not when the summary was posted', async () => {
    t = await listenerContext();
    // 14:32:50 in Paris when the notification comes, 14:33:05 when SAFEDEBIT's answer does (15 s: within its timeout).
    let now = new Date('2026-11-26T13:32:50Z');
    const ctx = { ...t.ctx, clock: () => now };
    const { createPaymentLink } = t.safedebit;
    ctx.safedebit = {
      async createPaymentLink(request: PaymentLinkRequest) {
        const token = request.url_callback.slice(request.url_callback.lastIndexOf('/') + 1);
        const linkId = verifyCallbackToken(token, ctx.config.callbackSecret);
        if (linkId === undefined) throw new Error('no link id in url_callback');
        await acceptPaymentNotification(ctx, linkId, { status: 'SETTLED' });
        now = new Date('2026-11-26T13:33:05Z');
        return createPaymentLink(request);
      },
    };

    const { args } = submittedModal(
      ctx,
      VALID_FORM,
      encodeModalOrigin({ channel: SALES_CHANNEL.id, user: SALES_REP.id }),
    );
    await paymentSubmission(ctx)(args);
    await Promise.all(t.tracked);

    const [summary, ...replies] = t.slack.callsTo('chat.postMessage');
    const summaryLine = JSON.stringify(summary?.args.attachments);
    const paidReply = replies.map((reply) => String(reply.args.text)).find((text) => text.includes('Paid'));
    // Both as Slack's date token, for each viewer's own time zone, with Paris time where Slack cannot show it.
    expect(paidReply).toContain('Paid · €1,250.50 · <!date^1795699970^{time}|14:32> · ');
    // The summary's line says since when the link is paid: when SAFEDEBIT said so.
    expect(summaryLine).toContain('Paid · <!date^1795699970^{date_short}, {time}|26 Nov 2026, 14:32>');
    expect(summaryLine).not.toContain('14:33');
  });
});
