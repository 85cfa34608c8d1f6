import { afterEach, describe, expect, it } from 'vitest';
import { paymentSubmission } from '../../src/slack/listeners/views/payment-submission.js';
import { encodeModalOrigin } from '../../src/slack/metadata.js';
import { buildPaymentModal } from '../../src/slack/views/payment-modal.js';
import { fakeAck, type ListenerTestContext, listenerContext } from '../support/listener-context.js';
import { VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { stateValuesFor, viewSubmissionPayload } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

/** The rep's own DM with paylink, where the bot may post: the summary goes there as asked, no fallback. */
const REP_DM_WITH_PAYLINK = 'D0REPDM';

describe('a submission Slack delivers twice, asked from a DM the bot may post in', () => {
  it('shows the repeat the same place as the first delivery, not "I cannot post in that conversation"', async () => {
    t = await listenerContext();
    const modal = buildPaymentModal({
      locale: 'en',
      sandbox: false,
      privateMetadata: encodeModalOrigin({ channel: REP_DM_WITH_PAYLINK, user: SALES_REP.id }),
      paymentTypes: t.ctx.config.paymentTypes,
      values: {},
    });
    const body = viewSubmissionPayload({
      view: {
        ...modal,
        id: 'V0MODAL',
        hash: '1700000000.abc',
        callback_id: String(modal.callback_id),
        state: { values: stateValuesFor(modal as { blocks?: readonly unknown[] }, VALID_FORM) },
      },
    });
    const deliver = async () => {
      const args = { ack: fakeAck(), body, view: body.view } as unknown as Parameters<
        ReturnType<typeof paymentSubmission>
      >[0];
      await paymentSubmission(t.ctx)(args);
      await Promise.all(t.tracked);
    };
    await deliver();
    await deliver();

    const [first, repeat] = t.slack.callsTo('views.update').map((call) => visibleText(call.args.view));
    expect(first).toContain(`Posted in <#${REP_DM_WITH_PAYLINK}>`);
    expect(repeat).not.toContain('I cannot post in that conversation');
    expect(repeat).toContain(`Posted in <#${REP_DM_WITH_PAYLINK}>`);
  });
});
