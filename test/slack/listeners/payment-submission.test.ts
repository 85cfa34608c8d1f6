import { afterEach, describe, expect, it } from 'vitest';
import { paymentSubmission } from '../../../src/slack/listeners/views/payment-submission.js';
import { encodeModalOrigin, type ModalOrigin } from '../../../src/slack/metadata.js';
import { type ListenerTestContext, listenerContext, submittedModal } from '../../support/listener-context.js';
import { VALID_FORM, visibleText } from '../../support/paylink-harness.js';
import { SALES_CHANNEL, SALES_REP } from '../../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

const ORIGIN: ModalOrigin = { channel: SALES_CHANNEL.id, user: SALES_REP.id };

/** The arguments Bolt gives the listener when the rep submits the modal with `inputs` typed. */
function submitted(inputs: Record<string, string | readonly string[]>, privateMetadata = encodeModalOrigin(ORIGIN)) {
  return submittedModal(t.ctx, inputs, privateMetadata);
}

describe('the payment modal submission', () => {
  it('acknowledges a valid form with "creating…", then creates the link and shows it', async () => {
    t = await listenerContext();
    const { ack, args } = submitted(VALID_FORM);
    await paymentSubmission(t.ctx)(args);
    expect(ack.acks).toHaveLength(1);
    expect(ack.acks[0]).toMatchObject({ response_action: 'update' });
    expect(visibleText((ack.acks[0] as { view: unknown }).view)).toContain('Creating the €1,250.50 link');
    expect(t.tracked).toHaveLength(1);

    await Promise.all(t.tracked);
    expect(t.safedebit.requests).toHaveLength(1);
    expect(t.safedebit.requests[0]).toMatchObject({ amount: '125050', payment_reference: 'F-2026-031' });
    const posts = t.slack.callsTo('chat.postMessage');
    expect(posts.map((post) => post.args.channel)).toEqual([SALES_CHANNEL.id, SALES_CHANNEL.id]);
    expect(String(posts[1]?.args.text)).toContain('paypage?SDESSID=1');
    expect(visibleText(t.slack.callsTo('views.update')[0]?.args.view)).toContain('paypage?SDESSID=1');
    const rows = await t.ledger.db.selectFrom('links').selectAll().execute();
    expect(rows).toMatchObject([{ state: 'created', user_id: SALES_REP.id, summary_channel: SALES_CHANNEL.id }]);
  });

  it('answers an invalid form with errors under the fields, and starts nothing', async () => {
    t = await listenerContext();
    const { ack, args } = submitted({ ...VALID_FORM, amount: '12,345', consumer_email: 'not-an-email' });
    await paymentSubmission(t.ctx)(args);
    expect(ack.acks).toEqual([
      { response_action: 'errors', errors: { amount: expect.any(String), consumer_email: expect.any(String) } },
    ]);
    expect(t.tracked).toHaveLength(0);
  });

  it('shows a notice instead of the form when the metadata is not ours', async () => {
    t = await listenerContext();
    const { ack, args } = submitted(VALID_FORM, 'tampered');
    await paymentSubmission(t.ctx)(args);
    expect(ack.acks[0]).toMatchObject({ response_action: 'update' });
    expect(visibleText((ack.acks[0] as { view: unknown }).view)).toContain('please run /paylink again');
    expect(t.tracked).toHaveLength(0);
  });

  it('checks the access again on submission, of the submitter Slack names whatever the metadata claims', async () => {
    t = await listenerContext({ PAYLINK_ALLOWED_USERS: 'U0SOMEONEELSE' });
    // The metadata names an allowed user; Slack says the rep submitted, who is not.
    const { ack, args } = submitted(VALID_FORM, encodeModalOrigin({ ...ORIGIN, user: 'U0SOMEONEELSE' }));
    await paymentSubmission(t.ctx)(args);
    expect(visibleText((ack.acks[0] as { view: unknown }).view)).toContain('not allowed');
    expect(t.tracked).toHaveLength(0);
  });

  it('the same delivery twice: one SAFEDEBIT call, one link', async () => {
    t = await listenerContext();
    const first = submitted(VALID_FORM);
    const again = submitted(VALID_FORM);
    await Promise.all([paymentSubmission(t.ctx)(first.args), paymentSubmission(t.ctx)(again.args)]);
    await Promise.all(t.tracked);
    expect(t.safedebit.requests).toHaveLength(1);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('a refusal gives the form back as typed, the reason under its field, and posts nothing', async () => {
    t = await listenerContext();
    t.safedebit.answerNext({ kind: 'refusal', code: 'EXIST_005', latencyMs: 1 });
    const { args } = submitted(VALID_FORM);
    await paymentSubmission(t.ctx)(args);
    await Promise.all(t.tracked);
    const form = t.slack.callsTo('views.update')[0]?.args.view as { blocks: Array<Record<string, unknown>> };
    const blockIds = form.blocks.map((block) => block.block_id);
    const note = form.blocks[blockIds.indexOf('payment_reference') + 1];
    expect(note?.block_id).toBe('payment_reference__note');
    expect(JSON.stringify(note)).toContain('EXIST_005');
    expect(JSON.stringify(form)).toContain(VALID_FORM.consumer_email);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a request paylink itself cannot send: nothing posted, the form back, the admin told by the log', async () => {
    t = await listenerContext();
    t.safedebit.createPaymentLink = async () => {
      throw new TypeError('get_link_payment request refused by the schema');
    };
    const { args } = submitted(VALID_FORM);
    await paymentSubmission(t.ctx)(args);
    await Promise.all(t.tracked);
    expect(visibleText(t.slack.callsTo('views.update')[0]?.args.view)).toContain('could not prepare');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(t.logs.some((line) => line.includes('"link_request_failed"'))).toBe(true);
    const rows = await t.ledger.db.selectFrom('links').selectAll().execute();
    expect(rows).toMatchObject([{ state: 'outage', state_detail: 'request_failed' }]);
  });
});
