import { afterEach, describe, expect, it } from 'vitest';
import { paymentSubmission } from '../../src/slack/listeners/views/payment-submission.js';
import { encodeModalOrigin } from '../../src/slack/metadata.js';
import { type ListenerTestContext, listenerContext, submittedModal } from '../support/listener-context.js';
import { VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { SALES_REP } from '../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

/** The rep's own DM with paylink, where the bot may post: the summary goes there as asked, no fallback. */
const REP_DM_WITH_PAYLINK = 'D0REPDM';

/** Delivers one submission of a valid form, asked from `channel`, twice; the texts the modal showed, in order. */
async function deliverTwice(channel: string): Promise<string[]> {
  for (let delivery = 0; delivery < 2; delivery += 1) {
    const { args } = submittedModal(t.ctx, VALID_FORM, encodeModalOrigin({ channel, user: SALES_REP.id }));
    await paymentSubmission(t.ctx)(args);
    await Promise.all(t.tracked);
  }
  return t.slack.callsTo('views.update').map((call) => visibleText(call.args.view));
}

describe('a submission Slack delivers twice', () => {
  it('asked from a DM the bot may post in: the repeat shows where it was posted, not "I cannot post…"', async () => {
    t = await listenerContext();
    const [first, repeat] = await deliverTwice(REP_DM_WITH_PAYLINK);
    expect(first).toContain('Posted in your direct messages with paylink.');
    expect(repeat).not.toContain('I cannot post in that conversation');
    expect(repeat).toContain('Posted in your direct messages with paylink.');
  });

  it('its summary refused, the link given elsewhere: the repeat says it was not posted, not where else it went', async () => {
    t = await listenerContext();
    // Refused for good, and not for where it was asked: no DM stands in for the summary.
    t.slack.refuseNext('chat.postMessage', 'msg_too_long');
    const [, repeat] = await deliverTwice('C0SALES');
    // Whether it went privately or reached the rep in the modal alone is not recorded: neither is claimed.
    expect(repeat).toContain('The link could not be posted in the conversation: copy it from here.');
  });

  it('asked where the bot may not post: the repeat says, as the first delivery did, that the DM stood in', async () => {
    t = await listenerContext();
    t.slack.refuseNext('chat.postMessage', 'not_in_channel');
    const [first, repeat] = await deliverTwice('C0PRIVATE');
    expect(first).toContain('I cannot post in that conversation');
    expect(repeat).toContain('I cannot post in that conversation');
  });
});
