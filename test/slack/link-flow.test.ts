import { afterEach, describe, expect, it } from 'vitest';
import { CONSUMER_TYPE_ACTION } from '../../src/constants.js';
import { drawnUnder } from '../support/earlier-forms.js';
import { linkRecord } from '../support/link-records.js';
import { movableClock } from '../support/movable-clock.js';
import {
  type Harness,
  SAFEDEBIT_LOGIN,
  SAFEDEBIT_PASSWORD,
  SIGNING_SECRET,
  startHarness,
  VALID_FORM,
  visibleText,
} from '../support/paylink-harness.js';
import { type SafedebitStandin, type StandinMode, startSafedebitStandin } from '../support/safedebit-standin.js';
import type { DisplayedView } from '../support/slack-api-standin.js';
import {
  blockActionsPayload,
  messageShortcutPayload,
  sendInteraction,
  sendSlashCommand,
  stateValuesFor,
} from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

let h: Harness;
/** A SAFEDEBIT stand-in started again on the harness's port, after the harness's own was closed. */
let safedebitAgain: SafedebitStandin | undefined;
afterEach(async () => {
  await h.close();
  await safedebitAgain?.close();
  safedebitAgain = undefined;
});

const blockIdsOf = (view: Record<string, unknown>) =>
  (view.blocks as Array<{ block_id?: string }>).map((block) => block.block_id);
const initialValue = (view: Record<string, unknown>, blockId: string) =>
  (
    (view.blocks as Array<Record<string, unknown>>).find((b) => b.block_id === blockId)?.element as
      | Record<string, unknown>
      | undefined
  )?.initial_value;
const initialOption = (view: Record<string, unknown>, blockId: string) =>
  (
    (view.blocks as Array<Record<string, unknown>>).find((b) => b.block_id === blockId)?.element as
      | { initial_option?: { value: string } }
      | undefined
  )?.initial_option?.value;
const initialOptions = (view: Record<string, unknown>, blockId: string) =>
  (
    (view.blocks as Array<Record<string, unknown>>).find((b) => b.block_id === blockId)?.element as
      | { initial_options?: Array<{ value: string }> }
      | undefined
  )?.initial_options?.map((option) => option.value);
/** Picks a customer type in the modal as a rep would, with `typed` in it; resolves with the modal Slack then shows. */
async function chooseCustomerType(
  view: DisplayedView,
  type: 'company' | 'individual',
  typed: Record<string, string> = {},
): Promise<DisplayedView> {
  const stateValues = stateValuesFor(view as { blocks?: readonly unknown[] }, { ...typed, consumer_type: type });
  const updates = h.standin.callsTo('views.update').length;
  await sendInteraction(
    h.baseUrl,
    SIGNING_SECRET,
    blockActionsPayload({
      view,
      stateValues,
      actions: [
        {
          type: 'radio_buttons',
          action_id: CONSUMER_TYPE_ACTION,
          block_id: 'consumer_type',
          selected_option: { text: { type: 'plain_text', text: type }, value: type },
        },
      ],
    }),
  );
  await h.standin.waitForCall('views.update', () => h.standin.callsTo('views.update').length > updates);
  return h.standin.displayedViews().find((shown) => shown.id === view.id) as DisplayedView;
}
/** A company's form, as a rep fills it once "company" is picked. */
const COMPANY_FORM = {
  ...VALID_FORM,
  consumer_type: 'company',
  social_reference: 'ACME SAS',
  siren: '732 829 320',
  tva_interco: 'FR44732829320',
};
const isFormView = (view: Record<string, unknown>) => blockIdsOf(view).includes('amount');
const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');

/** What the form says once SAFEDEBIT refused a new submission of `form`: the rep asking again. */
async function formAfterRefusedRetry(form: Record<string, string | readonly string[]> = VALID_FORM): Promise<string> {
  const retry = await h.openModal();
  await h.submit(retry.view, form);
  const update = await h.waitForViewUpdate(retry.view.id, isFormView);
  return visibleText(update.args.view);
}

describe('a valid submission', () => {
  it('creates one link, posts the summary in the channel and the link in its thread, and shows it in the modal', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    const submitted = await h.submit(view, { ...VALID_FORM, delivery: ['sms', 'email'] });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    expect(visibleText((submitted.json as { view: unknown }).view)).toContain('Creating the €1,250.50 link');

    const created = await h.waitForViewUpdate(view.id, isCreatedView);
    expect(h.safedebit.requests).toHaveLength(1);
    const body = h.safedebit.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      beneficiary_reference: 'BENEF-0001',
      amount: '125050',
      payment_reference: 'F-2026-031',
      consumer_reference: 'CUST-42',
      consumer_email: 'jean.dupont@example.com',
      consumer_phone_number: '0612345678',
      consumer_first_name: 'Jean',
      consumer_last_name: 'Dupont',
      sms_option: 1,
      email_option: 1,
      pay_now: true,
      payment_lang: 'en',
      manual_redirect_url: 'https://paylink.example.com/thanks?lang=en',
    });
    expect(body).not.toHaveProperty('multi_pay');
    expect(body).not.toHaveProperty('pay_later');
    expect(String(body.url_callback)).toMatch(/^https:\/\/paylink\.example\.com\/cb\/[A-Za-z0-9_-]+$/);
    expect(String(body.url_callback).length).toBeLessThanOrEqual(128);

    const messages = h.standin.messagesIn(SALES_CHANNEL.id);
    expect(messages).toHaveLength(2);
    // The summary goes out final: no edit of it while creating the link.
    expect(h.standin.callsTo('chat.update')).toHaveLength(0);
    const [summary, reply] = messages;
    expect(reply?.thread_ts).toBe(summary?.ts);
    expect(String(reply?.text)).toMatch(/paypage\?SDESSID=/);
    const summaryText = visibleText(summary);
    for (const expected of [
      '€1,250.50',
      'F-2026-031',
      'Jean Dupont',
      'j•••@example.com',
      '•• •• •• 56 78',
      'By SMS and email',
      '<@U0REP>',
      'Awaiting payment',
    ]) {
      expect(summaryText).toContain(expected);
    }
    for (const secret of ['jean.dupont@example.com', '0612345678', '06 12 34 56 78']) {
      expect(JSON.stringify(messages)).not.toContain(secret);
    }
    expect(String(body.url_callback)).not.toContain('jean');
    expect(visibleText(created.args.view)).toContain(String(reply?.text).match(/https?:\/\/\S+/)?.[0]);
  });

  it('sends only what the form had: no empty optional field, consumer_type for a company', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    await h.submit(await chooseCustomerType(view, 'company'), COMPANY_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    const body = h.safedebit.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      consumer_type: 1,
      social_reference: 'ACME SAS',
      siren: '732829320',
      tva_interco: 'FR44732829320',
    });
    expect(body).not.toHaveProperty('consumer_city');
    expect(body).not.toHaveProperty('reference_label');
    expect(visibleText(h.standin.messagesIn(SALES_CHANNEL.id)[0])).toContain('ACME SAS');
  });

  it("sends the payment type and the customer's language the rep chose, as the documentation spells them", async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'now,multi', PAYLINK_LOCALE: 'fr' } });
    const { view } = await h.openModal();
    await h.submit(view, { ...VALID_FORM, payment_type: 'multi', payment_lang: 'en' });
    await h.waitForViewUpdate(view.id, isCreatedView);
    const [sent] = h.safedebit.requests;
    expect(sent?.rawBody).toContain('"multi_pay":true');
    expect(sent?.rawBody).toContain('"payment_lang":"en"');
    expect(sent?.body).toMatchObject({
      multi_pay: true,
      payment_lang: 'en',
      manual_redirect_url: 'https://paylink.example.com/thanks?lang=en',
    });
    expect(sent?.body).not.toHaveProperty('pay_now');
    expect(visibleText(h.standin.messagesIn(SALES_CHANNEL.id)[0])).toContain('*Paiement*\nPaiement multiple');
  });

  it('sends a link_duration whose unit is undeclared, and then shows no expiry', async () => {
    h = await startHarness({ env: { SAFEDEBIT_LINK_DURATION: '30' } });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(h.safedebit.requests[0]?.body).toMatchObject({ link_duration: 30 });
    const summary = visibleText(h.standin.messagesIn(SALES_CHANNEL.id)[0]);
    expect(summary).toContain('Requested by');
    expect(summary).not.toContain('Expires');
  });

  it("sends a company's German VAT number, and shows the names when the company's is left out", async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    await h.submit(await chooseCustomerType(view, 'company'), {
      ...VALID_FORM,
      consumer_type: 'company',
      tva_interco: 'DE 136 695 976',
    });
    await h.waitForViewUpdate(view.id, isCreatedView);
    const body = h.safedebit.requests[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({ consumer_type: 1, tva_interco: 'DE136695976' });
    expect(body).not.toHaveProperty('social_reference');
    expect(visibleText(h.standin.messagesIn(SALES_CHANNEL.id)[0])).toContain('*Customer*\nJean Dupont');
  });

  it('delivered again once its link is shown: the repeat is acknowledged as any, then the modal shows the link again', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    const updatesBefore = h.standin.callsTo('views.update').length;
    const repeat = await h.submit(view, VALID_FORM);
    expect(visibleText((repeat.json as { view?: unknown }).view)).toContain('Creating');
    await expect.poll(() => h.standin.callsTo('views.update').length).toBe(updatesBefore + 1);
    const shownAgain = h.standin.callsTo('views.update').at(-1);
    expect(visibleText(shownAgain?.args.view)).toContain('paypage?SDESSID=');
    expect(visibleText(shownAgain?.args.view)).toContain(`Posted in <#${SALES_CHANNEL.id}>`);
    expect(h.safedebit.requests).toHaveLength(1);
    expect(h.standin.messagesIn(SALES_CHANNEL.id).filter((message) => isCreatedView(message))).toHaveLength(1);
  });

  it('delivered again once SAFEDEBIT refused it: the modal shows the form and the refusal again, no second call', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const refused = await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('EXIST_005'));
    const updatesBefore = h.standin.callsTo('views.update').length;
    await h.submit(view, VALID_FORM);
    await expect.poll(() => h.standin.callsTo('views.update').length).toBe(updatesBefore + 1);
    expect(h.standin.callsTo('views.update').at(-1)?.args.view).toEqual(refused.args.view);
    expect(h.safedebit.requests).toHaveLength(1);
  });

  it('delivered again once SAFEDEBIT refused it in its own words, without a code: the form and the fact of it', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', message: 'Le champ consumer_email est invalide' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('consumer_email est invalide'));
    const updatesBefore = h.standin.callsTo('views.update').length;
    await h.submit(view, VALID_FORM);
    await expect.poll(() => h.standin.callsTo('views.update').length).toBe(updatesBefore + 1);
    const shownAgain = h.standin.callsTo('views.update').at(-1)?.args.view;
    expect(visibleText(shownAgain)).toContain('SAFEDEBIT refused the link. Its reason, shown when it answered');
    expect(JSON.stringify(shownAgain)).toContain('"block_id":"amount"');
    expect(h.safedebit.requests).toHaveLength(1);
  });
});

describe('a summary Slack answers 504 after posting it (its gateway timing out on Slack behind it)', () => {
  it('is not posted again: one summary in the channel, and the rep has the link in the modal', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    h.standin.failNext(
      'chat.postMessage',
      { status: 504, carriedOut: true },
      1,
      (args) => args.thread_ts === undefined,
    );
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const summaries = h.standin.messagesIn(SALES_CHANNEL.id).filter((message) => message.thread_ts === undefined);
    expect(summaries).toHaveLength(1);
    expect(h.standin.callsTo('chat.postMessage').filter((call) => call.args.channel === SALES_CHANNEL.id)).toHaveLength(
      1,
    );
  });
});

describe('validation', () => {
  it('answers each problem under its input and never calls SAFEDEBIT', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    const result = await h.submit(view, {
      amount: '1,250',
      payment_reference: 'F-1',
      consumer_reference: 'C-1',
      consumer_email: 'not-an-email',
      consumer_phone_number: '01 23 45 67 89',
      consumer_zip_code: '75',
      delivery: ['sms'],
    });
    expect(result.status).toBe(200);
    const answer = result.json as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors).sort()).toEqual([
      'amount',
      'consumer_email',
      'consumer_phone_number',
      'consumer_zip_code',
    ]);
    expect(answer.errors.amount).toMatch(/1,250\.00|1,25/);
    expect(answer.errors.consumer_phone_number).toMatch(/mobile/i);
    expect(h.safedebit.requests).toHaveLength(0);
    expect(h.standin.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('refuses an amount over PAYLINK_MAX_AMOUNT, in French when the locale is fr', async () => {
    h = await startHarness({ env: { PAYLINK_LOCALE: 'fr', PAYLINK_MAX_AMOUNT: '500' } });
    const { view } = await h.openModal();
    const result = await h.submit(view, { ...VALID_FORM, amount: '500,01' });
    const answer = result.json as { errors: Record<string, string> };
    expect(Object.keys(answer.errors)).toEqual(['amount']);
    expect(answer.errors.amount).toContain('500,00');
    expect(h.safedebit.requests).toHaveLength(0);
  });

  it('checks the SIREN and the VAT number of a company', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    const result = await h.submit(await chooseCustomerType(view, 'company'), {
      ...VALID_FORM,
      consumer_type: 'company',
      siren: '732829321',
      tva_interco: 'GB980780684',
    });
    const answer = result.json as { errors: Record<string, string> };
    expect(Object.keys(answer.errors).sort()).toEqual(['siren', 'tva_interco']);
    expect(answer.errors.tva_interco).toContain('EU member state');
  });

  it('refuses control characters under their field, and letters in a postcode', async () => {
    h = await startHarness();
    const { view } = await h.openModal();
    const result = await h.submit(view, {
      ...VALID_FORM,
      consumer_last_name: 'Du\tpont',
      consumer_zip_code: 'SW1A 1AA',
    });
    const answer = result.json as { errors: Record<string, string> };
    expect(Object.keys(answer.errors).sort()).toEqual(['consumer_last_name', 'consumer_zip_code']);
    expect(answer.errors.consumer_zip_code).toContain('SAFEDEBIT takes digits only');
    expect(h.safedebit.requests).toHaveLength(0);
  });
});

describe('SAFEDEBIT refuses', () => {
  it('keeps saying why on the form given back when the rep switches the customer type', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('EXIST_005'));
    const refused = h.standin.displayedViews().find((shown) => shown.id === view.id) as DisplayedView;
    await chooseCustomerType(refused, 'company');
    const shownNow = () => h.standin.displayedViews().find((shown) => shown.id === view.id) as Record<string, unknown>;
    await expect.poll(() => blockIdsOf(shownNow())).toContain('social_reference');
    expect(visibleText(shownNow())).toContain('SAFEDEBIT refused the link');
    const blocks = blockIdsOf(shownNow());
    expect(blocks[blocks.indexOf('payment_reference') + 1]).toBe('payment_reference__note');
  });

  it('shows a reused payment reference on that field, with everything typed still there, and posts nothing', async () => {
    h = await startHarness();
    const first = await h.openModal();
    await h.submit(first.view, VALID_FORM);
    await h.waitForViewUpdate(first.view.id, isCreatedView);
    const before = h.standin.messagesIn(SALES_CHANNEL.id).length;

    const second = await h.openModal();
    await h.submit(second.view, { ...VALID_FORM, consumer_reference: 'CUST-43' });
    const update = await h.waitForViewUpdate(second.view.id, isFormView);
    const form = update.args.view as Record<string, unknown>;
    expect(visibleText(form)).toContain('EXIST_005');
    // paylink made the link that holds the reference: the rep is told so, not to make another with a new reference;
    // when, as Slack's date token, for each viewer's own time zone (Paris time where Slack cannot).
    const madeOn = String.raw`<!date\^\d+\^\{date_short\}, \{time\}\|\d\d? [A-Z][a-z]{2} \d{4}, \d\d:\d\d>`;
    expect(visibleText(form)).toMatch(
      new RegExp(
        `paylink already made a link for this reference on ${madeOn}, asked by <@${SALES_REP.id}>: use that one`,
      ),
    );
    const blocks = blockIdsOf(form);
    expect(blocks[blocks.indexOf('payment_reference') + 1]).toBe('payment_reference__note');
    expect(initialValue(form, 'consumer_reference')).toBe('CUST-43');
    expect(initialValue(form, 'amount')).toBe(VALID_FORM.amount);
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(before);
    expect(h.safedebit.requests).toHaveLength(2);
  });

  it('says a reference used by a try that got no answer holds the link that try made, and never to use a new one', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'hang' });
    const first = await h.openModal();
    await h.submit(first.view, VALID_FORM);
    await h.waitForViewUpdate(first.view.id, (shown) => visibleText(shown).includes('no link to show'));

    // The rep tries again, as the form invites: SAFEDEBIT had made the link, and says its reference is taken.
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const shown = await formAfterRefusedRetry();
    expect(shown).toContain(
      'got no answer from SAFEDEBIT, which made that link all the same: do not make a second one',
    );
    expect(shown).not.toContain('enter a new one');
  });

  it('points to the link paylink made, not to a later try of the same reference that got no answer', async () => {
    h = await startHarness({ env: { SAFEDEBIT_TIMEOUT_MS: '500' } });
    // The rep's link for F-2026-031 is made and posted in the channel.
    await h.createLink();
    // Later, a try with the same reference gets no answer (SAFEDEBIT's EXIST_005 lost on the way).
    h.safedebit.setMode({ kind: 'hang' });
    const lost = await h.openModal();
    await h.submit(lost.view, { ...VALID_FORM, consumer_reference: 'CUST-43' });
    await h.waitForViewUpdate(lost.view.id, (shown) => visibleText(shown).includes('no link to show'));

    // Tried again: SAFEDEBIT says the reference is taken, by the link made first (in Slack, with its address).
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const shown = await formAfterRefusedRetry({ ...VALID_FORM, consumer_reference: 'CUST-43' });
    expect(shown).not.toContain('got no answer from SAFEDEBIT, which made that link all the same');
    expect(shown).toMatch(
      new RegExp(`paylink already made a link for this reference on .+, asked by <@${SALES_REP.id}>: use that one`),
    );
  });

  it('says a link paylink made that expired unpaid holds its reference, and to enter another one, not to use it', async () => {
    const clock = movableClock();
    h = await startHarness({
      clock: clock.now,
      env: { SAFEDEBIT_LINK_DURATION: '1', SAFEDEBIT_LINK_DURATION_UNIT: 'days' },
    });
    await h.createLink();
    // The customer never paid: a day later the link is "Expired unpaid" in Slack, and the rep asks for a new one for
    // the same invoice. SAFEDEBIT keeps the reference of the expired link.
    clock.advance(24 * 3_600_000 + 60_000);
    const shown = await formAfterRefusedRetry();
    expect(shown).toContain('EXIST_005');
    expect(shown).not.toContain('use that one');
    expect(shown).toMatch(/expired unpaid on .+: enter another reference for a new link/);
  });

  it.each([
    [
      'SETTLED',
      /and it was paid \(Paid, .+\)\. Do not have it paid twice: for another payment, enter another reference/,
    ],
    ['REJECTED', /and its payment did not go through \(Rejected, .+\)\. SAFEDEBIT keeps its reference: enter another/],
    [
      'REMBOURSE',
      /and its payment was refunded or is being refunded \(Refunded, .+\)\. SAFEDEBIT keeps its reference: enter another/,
    ],
    // A refund still to come is not told as made: the rep would tell the customer their money is back.
    ['TOREMBOURSE', /and its payment was refunded or is being refunded \(To be refunded, .+\)\. SAFEDEBIT keeps its/],
    ['WAITINGREMBOURSE', /and its payment was refunded or is being refunded \(Refund pending, .+\)\. SAFEDEBIT keeps/],
  ])(
    'says what became of the payment of a link paylink made whose status is %s, not to use that link',
    async (status, said) => {
      h = await startHarness();
      const { callbackUrl } = await h.createLink();
      expect(await h.notify(callbackUrl, status)).toBe(200);

      // The rep asks again for the same invoice: SAFEDEBIT keeps the reference whatever became of its link.
      h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
      const shown = await formAfterRefusedRetry();
      expect(shown).toContain('EXIST_005');
      expect(shown).not.toContain('use that one');
      expect(shown).toMatch(said);
    },
  );

  it('says a multiple payment began on the link paylink made with that reference, not that it was paid', async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'multi' } });
    const { callbackUrl } = await h.createLink();
    // One part paid: no notification says whether it was the whole amount.
    expect(await h.notify(callbackUrl, 'SETTLED')).toBe(200);

    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const shown = await formAfterRefusedRetry();
    expect(shown).not.toContain('it was paid');
    expect(shown).toMatch(
      /and a multiple payment began on it \(Paid, .+\)\. Do not have it paid twice: for another payment, enter another reference \(EXIST_005\)/,
    );
  });

  it('still points to the link paylink made after ten tries SAFEDEBIT refused with EXIST_005', async () => {
    h = await startHarness();
    await h.createLink();
    // Ten later tries of F-2026-031, each refused EXIST_005 (as SAFEDEBIT answers every one), each a row of its own.
    const later = Date.now() + 60_000;
    const refused = Array.from({ length: 10 }, (_, n) =>
      linkRecord({
        id: `refused-${n}`,
        created_at: new Date(later + n * 1000).toISOString(),
        state: 'refused',
        state_detail: 'EXIST_005',
        link: null,
        summary_channel: null,
        summary_ts: null,
        thread_ts: null,
      }),
    );
    await h.paylink.ledger.db.insertInto('links').values(refused).execute();

    const shown = await formAfterRefusedRetry({ ...VALID_FORM, consumer_reference: 'CUST-43' });
    expect(shown).not.toContain('enter a new one');
    expect(shown).toContain('paylink already made a link for this reference');
  });

  it('does not say SAFEDEBIT made a link for a try paylink could not even send', async () => {
    h = await startHarness();
    // An earlier try of F-2026-031 that paylink could not build or send ("no link was created", the rep was told).
    await h.paylink.ledger.db
      .insertInto('links')
      .values(
        linkRecord({
          id: 'never-sent',
          state: 'outage',
          state_detail: 'request_failed',
          link: null,
          summary_channel: null,
          summary_ts: null,
          thread_ts: null,
        }),
      )
      .execute();
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(view.id, isFormView);
    const shown = visibleText(update.args.view);
    expect(shown).not.toContain('which made that link all the same');
  });

  it('does not say SAFEDEBIT made a link for a try that never reached it (its host refused every connection)', async () => {
    h = await startHarness();
    const port = Number(new URL(h.safedebit.url).port);
    await h.safedebit.close();
    const first = await h.openModal();
    await h.submit(first.view, VALID_FORM);
    await h.waitForViewUpdate(first.view.id, (shown) => visibleText(shown).includes('no link to show'));
    // SAFEDEBIT back; the reference is one it holds from elsewhere (its back office, another tool).
    safedebitAgain = await startSafedebitStandin({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD, port });
    safedebitAgain.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(
      view.id,
      (shown) => isFormView(shown) && visibleText(shown).includes('EXIST_005'),
    );
    const shown = visibleText(update.args.view);
    expect(safedebitAgain.requests).toHaveLength(1);
    expect(shown).not.toContain('which made that link all the same');
    expect(shown).toContain('This payment reference has already been used: enter a new one');
  });

  it('asks for a new reference when paylink never used the one SAFEDEBIT says is taken', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(view.id, isFormView);
    expect(visibleText(update.args.view)).toContain('This payment reference has already been used: enter a new one');
  });

  // The contract leaves payment_lang's values open (paylink sends fr/en): its refusal would be about a choice.
  it("shows SAFEDEBIT's words under the choice they name: the customer's language, the customer type", async () => {
    h = await startHarness();
    for (const [blockId, message] of [
      ['payment_lang', 'payment_lang invalide : valeurs acceptées fr_FR, en_US'],
      ['consumer_type', 'consumer_type invalide'],
    ] as const) {
      h.safedebit.setMode({ kind: 'refuse', code: 'PARAM_001', message });
      const { view } = await h.openModal();
      await h.submit(view, VALID_FORM);
      const form = (await h.waitForViewUpdate(view.id, isFormView)).args.view as Record<string, unknown>;
      expect(visibleText(form)).toContain('PARAM_001');
      const blocks = blockIdsOf(form);
      expect(blocks[blocks.indexOf(blockId) + 1]).toBe(`${blockId}__note`);
    }
  });

  it("shows SAFEDEBIT's words without a code under the field they name, never as an outage", async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', message: 'Le champ consumer_email est invalide <!channel>' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(view.id, isFormView);
    const form = update.args.view as Record<string, unknown>;
    const text = visibleText(form);
    expect(text).toContain('SAFEDEBIT refused the link: “Le champ consumer_email est invalide &lt;!channel&gt;”');
    expect(text).not.toMatch(/no link to show|trying again is safe/);
    const blocks = blockIdsOf(form);
    expect(blocks[blocks.indexOf('consumer_email') + 1]).toBe('consumer_email__note');
    expect(initialValue(form, 'consumer_email')).toBe(VALID_FORM.consumer_email);
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
    expect(h.logs.some((line) => line.includes('"link_refused"'))).toBe(true);
    expect(h.logs.some((line) => line.includes('"link_outage"'))).toBe(false);
  });

  it('tells the rep to contact the admin when the credentials are refused, above the form kept as typed', async () => {
    h = await startHarness({ env: { SAFEDEBIT_PASSWORD: 'wrong-password' } });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const update = await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('AUTH_002'));
    const form = update.args.view as Record<string, unknown>;
    expect(visibleText(form)).toMatch(/administrator/);
    expect(initialValue(form, 'amount')).toBe(VALID_FORM.amount);
    expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
    expect(h.logs.some((line) => line.includes('"link_refused"') && line.includes('AUTH_002'))).toBe(true);
  });

  // Once the admin has fixed the setting (or SAFEDEBIT's IP allow-list has caught up), the rep sends the form again.
  it.each(['AUTH_001', 'AUTH_003', 'AUTH_004', 'AUTH_005', 'EXIST_004'])(
    '%s, which only the admin can fix: the form comes back as typed, the message above it and under no field',
    async (code) => {
      h = await startHarness();
      h.safedebit.setMode({ kind: 'refuse', code });
      const { view } = await h.openModal();
      await h.submit(view, { ...VALID_FORM, consumer_city: 'Lyon' });
      const update = await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes(code));
      const form = update.args.view as Record<string, unknown>;
      expect(visibleText(form)).toContain(
        `SAFEDEBIT refused the link: SAFEDEBIT access is misconfigured: no link was created, please tell the app's administrator (${code}).`,
      );
      expect(initialValue(form, 'payment_reference')).toBe(VALID_FORM.payment_reference);
      expect(initialValue(form, 'consumer_email')).toBe(VALID_FORM.consumer_email);
      expect(initialValue(form, 'consumer_city')).toBe('Lyon');
      expect(blockIdsOf(form).filter((id) => id?.endsWith('__note'))).toEqual([]);
      // The log tells the admin which setting to check.
      const refusedLog = h.logs.find((line) => line.includes('"link_refused"'));
      expect(refusedLog).toContain('"level":"error"');
      expect(refusedLog).toMatch(new RegExp(`"detail":"[^"]*\\(${code}\\)`));
    },
  );

  it('delivered again after a refusal only the admin can fix: the form comes back again, no second call', async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', code: 'AUTH_003' });
    const { view } = await h.openModal();
    await h.submit(view, VALID_FORM);
    const refused = await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('AUTH_003'));
    expect(isFormView(refused.args.view as Record<string, unknown>)).toBe(true);
    const updatesBefore = h.standin.callsTo('views.update').length;
    await h.submit(view, VALID_FORM);
    await expect.poll(() => h.standin.callsTo('views.update').length).toBe(updatesBefore + 1);
    expect(h.standin.callsTo('views.update').at(-1)?.args.view).toEqual(refused.args.view);
    expect(h.safedebit.requests).toHaveLength(1);
  });
});

describe('SAFEDEBIT outages', () => {
  const outages: Array<[string, StandinMode]> = [
    ['HTTP 500', { kind: 'status', status: 500 }],
    ['an HTML maintenance page', { kind: 'html' }],
    ['a hang past the timeout', { kind: 'hang' }],
    ['a dropped connection', { kind: 'drop' }],
    ['a 10 MB body', { kind: 'huge', bytes: 10 * 1024 * 1024 }],
  ];
  it.each(outages)(
    '%s: acknowledged at once, form kept, nothing in the channel, app keeps serving',
    async (_name, mode) => {
      h = await startHarness();
      h.safedebit.setMode(mode);
      const { view } = await h.openModal();
      const submitted = await h.submit(view, VALID_FORM);
      expect(submitted.status).toBe(200);
      expect(submitted.elapsedMs).toBeLessThan(3000);
      const update = await h.waitForViewUpdate(view.id, isFormView);
      expect(visibleText(update.args.view)).toContain('no link to show');
      expect(initialValue(update.args.view as Record<string, unknown>, 'payment_reference')).toBe('F-2026-031');
      expect(h.standin.messagesIn(SALES_CHANNEL.id)).toHaveLength(0);
      expect(h.safedebit.requests).toHaveLength(1);

      h.safedebit.setMode({ kind: 'normal' });
      const retry = await h.openModal();
      await h.submit(retry.view, VALID_FORM);
      await h.waitForViewUpdate(retry.view.id, isCreatedView);
    },
  );
});

describe('the form given back', () => {
  it('after an outage keeps every choice: boxes ticked, options picked, a label on two lines, the amount as typed', async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'now,multi,later', PAYLINK_LOCALE: 'fr' } });
    h.safedebit.setMode({ kind: 'status', status: 500 });
    const { view } = await h.openModal();
    await h.submit(view, {
      ...VALID_FORM,
      amount: '1 250,50 €',
      delivery: ['sms', 'email'],
      payment_type: 'later',
      payment_lang: 'en',
      reference_label: 'Ligne 1\nLigne 2',
    });
    const form = (await h.waitForViewUpdate(view.id, isFormView)).args.view as Record<string, unknown>;
    expect({
      amount: initialValue(form, 'amount'),
      reference_label: initialValue(form, 'reference_label'),
      delivery: initialOptions(form, 'delivery'),
      payment_type: initialOption(form, 'payment_type'),
      payment_lang: initialOption(form, 'payment_lang'),
    }).toEqual({
      amount: '1 250,50 €',
      reference_label: 'Ligne 1\nLigne 2',
      delivery: ['sms', 'email'],
      payment_type: 'later',
      payment_lang: 'en',
    });
  });

  it('drawn before a restart that changed the payment types offered: drawn again with today’s, all typed kept', async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'now' } });
    const { view } = await h.openModal();
    // As the form was drawn when PAYLINK_PAYMENT_TYPES offered other choices.
    const older = drawnUnder(view, ['multi', 'later']);
    const answer = (await h.submit(older, { ...VALID_FORM, amount: '1 250,50 €', payment_type: 'multi' })).json as {
      response_action?: string;
      view?: Record<string, unknown>;
    };
    // Not refused under a choice none of those shown can satisfy: the form again, as offered today.
    expect(answer.response_action).toBe('update');
    const form = answer.view ?? {};
    expect(visibleText(form)).toContain('The payment types offered have changed since this form was opened');
    expect(blockIdsOf(form)).not.toContain('payment_type');
    expect(initialValue(form, 'amount')).toBe('1 250,50 €');
    expect(initialValue(form, 'payment_reference')).toBe(VALID_FORM.payment_reference);
    expect(h.safedebit.requests).toHaveLength(0);
  });

  it("after a refusal naming a customer's field keeps a company's fields, the refusal under the field named", async () => {
    h = await startHarness();
    h.safedebit.setMode({ kind: 'refuse', code: 'PARAM_9', message: 'consumer_email is not valid' });
    const { view } = await h.openModal();
    await h.submit(await chooseCustomerType(view, 'company'), COMPANY_FORM);
    const form = (
      await h.waitForViewUpdate(view.id, (shown) => isFormView(shown) && visibleText(shown).includes('PARAM_9'))
    ).args.view as Record<string, unknown>;
    const blocks = blockIdsOf(form);
    expect({
      consumer_type: initialOption(form, 'consumer_type'),
      social_reference: initialValue(form, 'social_reference'),
      siren: initialValue(form, 'siren'),
      tva_interco: initialValue(form, 'tva_interco'),
      under_email: blocks[blocks.indexOf('consumer_email') + 1],
    }).toEqual({
      consumer_type: 'company',
      social_reference: 'ACME SAS',
      siren: '732 829 320',
      tva_interco: 'FR44732829320',
      under_email: 'consumer_email__note',
    });
  });
});

describe('message shortcut', () => {
  it('opens the same modal and answers inside the existing thread', async () => {
    h = await startHarness();
    const { result, view } = await h.openModalFromMessage({
      ts: '1699999999.000200',
      thread_ts: '1699999990.000100',
      text: 'Deal ACME',
      user: 'U0OTHER',
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(String(view.private_metadata))).toMatchObject({ threadTs: '1699999990.000100' });
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    const posts = h.standin.callsTo('chat.postMessage');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const post of posts) expect(post.args.thread_ts).toBe('1699999990.000100');
    const messages = h.standin.messagesIn(SALES_CHANNEL.id);
    expect(messages.some((m) => String(m.text).includes('paypage?SDESSID='))).toBe(true);
  });
});

describe('where the bot cannot post', () => {
  it('in a private channel it is not in: the rep gets the whole thread by DM and the link through response_url', async () => {
    h = await startHarness({ channels: { G0PRIVATE: { kind: 'private', botIsMember: false } } });
    const { view, responseUrl } = await h.openModal({ channel_id: 'G0PRIVATE', channel_name: 'deals' });
    await h.submit(view, VALID_FORM);
    const created = await h.waitForViewUpdate(view.id, isCreatedView);
    const dm = h.standin.callsTo('conversations.open')[0];
    expect(dm?.args.users).toBe(SALES_REP.id);
    const dmChannel = h.standin.callsTo('chat.postMessage').at(-1)?.args.channel as string;
    expect(dmChannel).toMatch(/^D/);
    expect(h.standin.messagesIn(dmChannel).some((m) => String(m.text).includes('paypage?SDESSID='))).toBe(true);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(visibleText(answer.body)).toContain('paypage?SDESSID=');
    expect(visibleText(created.args.view)).toContain('paypage?SDESSID=');
    expect(visibleText(created.args.view)).toContain('your direct messages with paylink');
  });

  it('a public channel it has not joined: posts anyway (chat:write.public)', async () => {
    h = await startHarness({ channels: { C0PUBLIC: { kind: 'public', botIsMember: false } } });
    const { view } = await h.openModal({ channel_id: 'C0PUBLIC' });
    await h.submit(view, VALID_FORM);
    await h.waitForViewUpdate(view.id, isCreatedView);
    expect(h.standin.messagesIn('C0PUBLIC')).toHaveLength(2);
    expect(h.standin.callsTo('conversations.open')).toHaveLength(0);
  });
});

describe('who may create links', () => {
  it('refuses a channel that is not allowed, on the shortcut too, naming the channels where the rep may go', async () => {
    h = await startHarness({ env: { PAYLINK_ALLOWED_CHANNELS: 'C0OTHER, G0DEALS, D0ADMIN' } });
    const command = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { trigger_id: h.standin.issueTriggerId() });
    expect(visibleText(command.json)).toContain('cannot be created in this conversation');
    // A rep in a hurry is told where to go, not only that an administrator allowed somewhere (a DM's id says nothing).
    expect(visibleText(command.json)).toContain('Use one of these channels: <#C0OTHER>, <#G0DEALS>.');
    const responseUrl = h.standin.responseUrl();
    await sendInteraction(
      h.baseUrl,
      SIGNING_SECRET,
      messageShortcutPayload({
        trigger_id: h.standin.issueTriggerId(),
        response_url: responseUrl,
        message: { ts: '1699999999.000200', text: 'Deal', user: 'U0OTHER' },
      }),
    );
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(visibleText(answer.body)).toContain('cannot be created in this conversation');
    expect(visibleText(answer.body)).toContain('<#C0OTHER>, <#G0DEALS>');
    expect(h.standin.callsTo('views.open')).toHaveLength(0);
  });
});

describe('customer type', () => {
  it('choosing company shows the company fields and keeps what was typed', async () => {
    h = await startHarness();
    const { view } = await h.openModal({ text: '99 F-9' });
    expect(blockIdsOf(view)).not.toContain('siren');
    const updated = await chooseCustomerType(view, 'company', { consumer_reference: 'CUST-7', payment_lang: 'fr' });
    expect(blockIdsOf(updated)).toEqual(expect.arrayContaining(['social_reference', 'siren', 'tva_interco']));
    expect(initialValue(updated, 'consumer_reference')).toBe('CUST-7');
    expect(initialOption(updated, 'payment_lang')).toBe('fr');
    expect(initialValue(updated, 'amount')).toBe('99');
    expect(h.standin.callsTo('views.update')[0]?.args.hash).toBe(view.hash);
  });

  it('gives back the company details typed when the rep switches to individual and back to company', async () => {
    h = await startHarness();
    const { view } = await h.openModal({ text: '1250,50 F-2026-031' });
    const company = { social_reference: 'ACME SAS', siren: '732 829 320', tva_interco: 'FR44732829320' };
    const asIndividual = await chooseCustomerType(await chooseCustomerType(view, 'company'), 'individual', company);
    expect(blockIdsOf(asIndividual)).not.toContain('siren');
    const backToCompany = await chooseCustomerType(asIndividual, 'company');
    expect(initialValue(backToCompany, 'amount')).toBe('1250,50');
    expect(
      Object.fromEntries(Object.keys(company).map((field) => [field, initialValue(backToCompany, field)])),
    ).toEqual(company);
  });
});
